"""The hpogen command line: wiring only. Each command hands its options to the stage that owns them."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import HpogenError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Deterministic SMAC3 setups from dataset facts, and experiment packages from research methods.")

DataPath = Annotated[Path | None, typer.Option("--data", help=".npz, .csv (with --target), a folder of class subfolders, or series: a .ts file (its _TEST sibling is the test split) or a folder holding NAME_TRAIN.ts")]
DatasetName = Annotated[str | None, typer.Option("--dataset", help="embedded set: digits, breast_cancer, wine, iris, diabetes (scikit-learn); GunPoint, BasicMotions, JapaneseVowels, Covid3Month, ... (aeon's series)")]
Target = Annotated[str | None, typer.Option("--target", help="label column of a CSV (forecasting: the value column)")]

# The dataset options of `plan` and `generate`, declared once: where the facts come from, then
# the spec keys that may be given as flags (they override the source's facts).
SPEC_OPTIONS: dict[str, Any] = {
    "dataset_type": Annotated[str | None, typer.Option("--dataset-type", help="image, tabular or time_series")],
    "spec": Annotated[Path | None, typer.Option("--spec", help="JSON or YAML file of dataset facts (- for standard input)")],
    "data": DataPath,
    "dataset": DatasetName,
    "target": Target,
    "insights": Annotated[Path | None, typer.Option("--insights", help="OpenML insights (- for standard input): a list of setups, as Python literal or JSON, or a map of name to values")],
    "name": Annotated[str | None, typer.Option("--name")],
    "task": Annotated[str | None, typer.Option("--task", help="classification, regression or forecasting (time series)")],
    "n_samples": Annotated[int | None, typer.Option("--n-samples")],
    "n_classes": Annotated[int | None, typer.Option("--n-classes")],
    "image_shape": Annotated[str | None, typer.Option("--image-shape", help="C,H,W")],
    "n_features": Annotated[int | None, typer.Option("--n-features")],
    "n_categorical": Annotated[int | None, typer.Option("--n-categorical")],
    "n_channels": Annotated[int | None, typer.Option("--n-channels", help="time series: channels per series")],
    "min_length": Annotated[int | None, typer.Option("--min-length", help="time series: the shortest series")],
    "max_length": Annotated[int | None, typer.Option("--max-length", help="time series: the longest series")],
    "horizon": Annotated[int | None, typer.Option("--horizon", help="forecasting: points to forecast (default: the frequency's M4 horizon)")],
    "season_length": Annotated[int | None, typer.Option("--season-length", help="forecasting: points per season (default: from the frequency; 1 for none)")],
    "frequency": Annotated[str | None, typer.Option("--frequency", help="forecasting: a pandas offset alias (MS, QS, D, h, 30min, ...); read from the time column by default")],
    "time_column": Annotated[str | None, typer.Option("--time-column", help="forecasting: the CSV's time column")],
    "id_column": Annotated[str | None, typer.Option("--id-column", help="forecasting: the CSV's series id column (long format); none: one series")],
    "known_covariates": Annotated[str | None, typer.Option("--known-covariates", help="forecasting: COL,COL numeric columns whose future values are known")],
    "past_covariates": Annotated[str | None, typer.Option("--past-covariates", help="forecasting: COL,COL numeric columns observed only up to the forecast origin")],
    "has_missing": Annotated[bool | None, typer.Option("--has-missing/--no-missing")],
    "has_test_split": Annotated[bool | None, typer.Option("--has-test-split/--no-test-split")],
    "description": Annotated[str | None, typer.Option("--description")],
}


def with_spec_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the SPEC_OPTIONS; it receives them decided, as `decisions` and `insights`."""
    own = [p for name, p in inspect.signature(command, eval_str=True).parameters.items() if name not in ("decisions", "insights")]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
              for name, annotation in SPEC_OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(**options: Any) -> None:
        from .dataset.sources import SpecRequest
        from .decide.planner import decide_request

        flags = {name: options.pop(name) for name in SPEC_OPTIONS}
        insights_file = flags.pop("insights")
        decisions, insights = decide_request(SpecRequest.from_flags(**flags), insights_file)
        command(decisions=decisions, insights=insights, **options)

    parameters = [*shared, *(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own)]
    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    del wrapper.__wrapped__  # typer must read the signature above, not the command's own
    return wrapper


Explain = Annotated[bool, typer.Option("--explain", help="print the decision table (plan: instead of the JSON)")]


@app.command()
@with_spec_options
def plan(decisions: Any, insights: Any, explain: Explain = False) -> None:
    """Print the planner JSON {configuration_plan, scenario_plan, train_function_plan, suggested_facade}."""
    if explain:
        from .render.explain import print_explain_table

        print_explain_table(decisions)
        return
    from .render.plan_text import planner_json

    print(json.dumps(planner_json(decisions), indent=2))


@app.command()
@with_spec_options
def generate(
    decisions: Any,
    insights: Any,
    out: Annotated[Path | None, typer.Option("--out", help="bundle folder (default: ./hpo_<name>)")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing bundle folder")] = False,
    explain: Explain = False,
) -> None:
    """Write a bundle: plan.json, the space, the scenario, train.py and a standalone driver."""
    from .render.write import write_bundle

    target_dir = out if out is not None else Path(f"hpo_{decisions.spec.slug}")
    written = write_bundle(decisions, target_dir, insights, force=force)
    if explain:
        from .render.explain import print_explain_table

        print_explain_table(decisions)
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
    from .run.runner import run_bundle
    from .run.settings import RunOptions

    run_bundle(RunOptions(bundle=bundle, data=data, dataset=dataset, target=target, n_trials=n_trials,
                          walltime=walltime, n_workers=n_workers, scheduler_file=dask_scheduler_file,
                          seed=seed, resume=resume, out=out))


NoReview = Annotated[bool, typer.Option("--no-review", help="write the package even when its review has findings")]


def _require_ready(folder: Path, base: Path | None = None, *, mode: str, allowed: Callable[[Any], bool] | None = None) -> None:
    from .review.gate import require_ready

    require_ready(folder, mode, base, allowed)


@app.command()
def basecode(
    method: Annotated[Path, typer.Argument(help="method JSON: Open Problems, Methods, Experimental Setup, ...")],
    design: Annotated[Path | None, typer.Option("--design", help="the experimental-design text")] = None,
    method_family: Annotated[str | None, typer.Option("--method-family", help="override the family the rules choose")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="package folder to write")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing package folder")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="print the facts read from the method (without --out: only that)")] = False,
    output_format: Annotated[str, typer.Option("--format", help="the --explain table as text or json")] = "text",
    no_review: NoReview = False,
) -> None:
    """Write the 8-file base experiment package for a research method (dataset and model as placeholders)."""
    from .experiment.method import load_method
    from .experiment.reading import read_method

    if output_format not in ("text", "json"):
        raise HpogenError(f"--format must be text or json, not {output_format!r}")
    spec = load_method(method, design)
    reading = read_method(spec, method_family)
    if out is None and not explain:
        raise HpogenError("say where to write the package: --out DIR (or --explain to only read the method)")
    for placeholder in reading.placeholders:
        print(f"hpogen: warning: METHOD_PLACEHOLDER at the {placeholder.hook} hook: {placeholder.reason}",
              file=sys.stderr)
    if out is not None:
        from .experiment.package import write_basecode

        check = None if no_review else functools.partial(_require_ready, mode="base",
                                                         allowed=_placeholder_findings(reading))
        written = write_basecode(spec, reading, out, force=force, check=check)
        print(f"wrote {written} ({reading.family} base package)", file=sys.stderr if explain and output_format == "json" else sys.stdout)
    if explain and output_format == "json":
        print(json.dumps(reading.explain_json(), indent=2, ensure_ascii=False))
    elif explain:
        from .console import print_table

        print_table(f"hpogen reading of {method.name}", ("fact", "value", "rule", "from"), reading.explain_rows())


def _placeholder_findings(reading) -> Callable[[Any], bool] | None:
    """The findings a base package may carry because hpogen left METHOD_PLACEHOLDER on purpose
    (and said so): the placeholder token in train.py and its function's stub body."""
    if not reading.placeholders:
        return None
    hooks = {p.hook for p in reading.placeholders}
    return lambda f: f.path == "src/train.py" and (
        f.code == "HPG401" and "METHOD_PLACEHOLDER" in f.message
        or f.code == "HPG406" and any(f"method_{hook}()" in f.message for hook in hooks))


@app.command()
def derive(
    base: Annotated[Path, typer.Argument(help="base package folder written by hpogen basecode")],
    out: Annotated[Path, typer.Option("--out", help="derived package folder to write")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="digits, mnist, fashionmnist, cifar10, cifar100 (default: what the method names)")] = None,
    model: Annotated[str | None, typer.Option("--model", help="small_cnn, resnet20, mlp (default: what the method names)")] = None,
    data_root: Annotated[Path | None, typer.Option("--data-root", help="folder with the dataset's torchvision files")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace an existing package folder")] = False,
    no_review: NoReview = False,
) -> None:
    """Fill a base package's placeholders from the catalogue and write every run variation to both configs."""
    from .experiment.derive import DeriveRequest, write_derived

    check = None if no_review else functools.partial(_require_ready, mode="derived")
    written = write_derived(DeriveRequest(base, out, dataset, model, data_root, force, check))
    print(f"wrote {written}")


@app.command()
def review(
    folder: Annotated[Path | None, typer.Argument(help="experiment package or bundle folder")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="base, derived or train (default: from what the folder holds)")] = None,
    base: Annotated[Path | None, typer.Option("--base", help="the base package a derived one came from")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text, json or sarif")] = "text",
    select: Annotated[str | None, typer.Option("--select", help="only these codes or prefixes, comma-separated")] = None,
    ignore: Annotated[str | None, typer.Option("--ignore", help="skip these codes or prefixes, comma-separated")] = None,
    explain: Annotated[str | None, typer.Option("--explain", help="print one rule's documentation")] = None,
    list_rules: Annotated[bool, typer.Option("--list", help="print every rule's code and name")] = False,
) -> None:
    """Review an experiment package or a bundle's train function; exit 0 when ready, 1 when not."""
    from .review.command import review_command

    raise typer.Exit(review_command(folder, mode, base, output_format, select, ignore, explain, list_rules))


def main() -> None:
    try:
        app()
    except HpogenError as exc:
        print(f"hpogen: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
