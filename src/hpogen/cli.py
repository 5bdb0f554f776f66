"""The hpogen command line: plan, generate (and run, basecode, review as they land)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import HpogenError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Deterministic SMAC3 setups from dataset facts.")

DatasetType = Annotated[str | None, typer.Option("--dataset-type", help="image or tabular")]
SpecFile = Annotated[Path | None, typer.Option("--spec", help="JSON or YAML file of dataset facts")]
DataPath = Annotated[Path | None, typer.Option("--data", help=".npz, .csv (with --target) or a folder of class subfolders")]
DatasetName = Annotated[str | None, typer.Option("--dataset", help="embedded scikit-learn set: digits, breast_cancer, wine, iris, diabetes")]
Target = Annotated[str | None, typer.Option("--target", help="label column of a CSV")]
Insights = Annotated[Path | None, typer.Option("--insights", help="OpenML suggestions (JSON list of configs or {name: [values]})")]
Name = Annotated[str | None, typer.Option("--name")]
Task = Annotated[str | None, typer.Option("--task", help="classification or regression")]
NSamples = Annotated[int | None, typer.Option("--n-samples")]
NClasses = Annotated[int | None, typer.Option("--n-classes")]
ImageShape = Annotated[str | None, typer.Option("--image-shape", help="C,H,W")]
NFeatures = Annotated[int | None, typer.Option("--n-features")]
NCategorical = Annotated[int | None, typer.Option("--n-categorical")]
HasMissing = Annotated[bool | None, typer.Option("--has-missing/--no-missing")]
HasTest = Annotated[bool | None, typer.Option("--has-test-split/--no-test-split")]
Description = Annotated[str | None, typer.Option("--description")]


def _decide(dataset_type, spec, data, dataset, target, insights, facts):
    from .insights import load_insights
    from .planner import decide
    from .sources import SpecRequest, parse_shape, resolve

    facts = {**facts, "image_shape": parse_shape(facts.get("image_shape"))}
    request = SpecRequest(dataset_type, spec, data, dataset, target, facts)
    resolved, _ = resolve(request)
    suggestions = load_insights(insights) if insights is not None else None
    return decide(resolved, suggestions), suggestions


def _explain(decisions) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("decision", "value", "rule", "reason", title=f"hpogen decisions for {decisions.spec.name}")
    for row in decisions.explain_rows():
        table.add_row(*row)
    Console(file=sys.stdout, width=200).print(table)


@app.command()
def plan(
    dataset_type: DatasetType = None, spec: SpecFile = None, data: DataPath = None, dataset: DatasetName = None,
    target: Target = None, insights: Insights = None, name: Name = None, task: Task = None,
    n_samples: NSamples = None, n_classes: NClasses = None, image_shape: ImageShape = None,
    n_features: NFeatures = None, n_categorical: NCategorical = None, has_missing: HasMissing = None,
    has_test_split: HasTest = None, description: Description = None,
    explain: Annotated[bool, typer.Option("--explain", help="print the decision table instead")] = False,
) -> None:
    """Print the planner JSON {configuration_plan, scenario_plan, train_function_plan, suggested_facade}."""
    from .plan_text import planner_json

    facts = dict(name=name, task=task, n_samples=n_samples, n_classes=n_classes, image_shape=image_shape,
                 n_features=n_features, n_categorical=n_categorical, has_missing=has_missing,
                 has_test_split=has_test_split, description=description)
    decisions, _ = _decide(dataset_type, spec, data, dataset, target, insights, facts)
    if explain:
        _explain(decisions)
        return
    print(json.dumps(planner_json(decisions), indent=2))


@app.command()
def generate(
    dataset_type: DatasetType = None, spec: SpecFile = None, data: DataPath = None, dataset: DatasetName = None,
    target: Target = None, insights: Insights = None, name: Name = None, task: Task = None,
    n_samples: NSamples = None, n_classes: NClasses = None, image_shape: ImageShape = None,
    n_features: NFeatures = None, n_categorical: NCategorical = None, has_missing: HasMissing = None,
    has_test_split: HasTest = None, description: Description = None,
    out: Annotated[Path | None, typer.Option("--out", help="bundle folder (default: ./hpo_<name>)")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing bundle folder")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="also print the decision table")] = False,
) -> None:
    """Write a bundle: plan.json, the space, the scenario, train.py and a standalone driver."""
    from .bundle import write_bundle

    facts = dict(name=name, task=task, n_samples=n_samples, n_classes=n_classes, image_shape=image_shape,
                 n_features=n_features, n_categorical=n_categorical, has_missing=has_missing,
                 has_test_split=has_test_split, description=description)
    decisions, suggestions = _decide(dataset_type, spec, data, dataset, target, insights, facts)
    target_dir = out if out is not None else Path(f"hpo_{decisions.spec.slug}")
    written = write_bundle(decisions, target_dir, suggestions, force=force)
    if explain:
        _explain(decisions)
    print(f"wrote {written} ({decisions.facade}, {len(decisions.hyperparameters)} hyperparameters, {decisions.n_trials} trials)")


@app.command()
def run(
    bundle: Annotated[Path, typer.Argument(help="bundle folder written by hpogen generate")],
    data: DataPath = None, dataset: DatasetName = None, target: Target = None,
    n_trials: Annotated[int | None, typer.Option("--n-trials", help="trials (default: the bundle's)")] = None,
    walltime: Annotated[float | None, typer.Option("--walltime", help="SMAC wall-time limit in seconds")] = None,
    n_workers: Annotated[int | None, typer.Option("--n-workers", help="trials in parallel on a local dask cluster")] = None,
    dask_scheduler_file: Annotated[Path | None, typer.Option("--dask-scheduler-file", help="join a running dask scheduler")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="SMAC seed and test-split seed (default 0)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue the stopped run in --out")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="run folder (default: BUNDLE/runs/seed-<seed>)")] = None,
) -> None:
    """Optimise a bundle with SMAC on real data, then test the incumbent on held-out rows."""
    from .run import run_bundle
    from .run_settings import RunOptions

    run_bundle(RunOptions(bundle=bundle, data=data, dataset=dataset, target=target, n_trials=n_trials,
                          walltime=walltime, n_workers=n_workers, scheduler_file=dask_scheduler_file,
                          seed=seed, resume=resume, out=out))


def main() -> None:
    try:
        app()
    except HpogenError as exc:
        print(f"hpogen: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
