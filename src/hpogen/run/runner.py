"""`hpogen run`: optimise a bundle with SMAC on real data, then test the incumbent on held-out rows.

Every check a user can fail (bundle, data, flags, output folder, a resume that does not match)
happens before the output folder is created.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..dataset.bundle_data import bundle_cache, for_search
from ..errors import RunStopped
from .bundle import Bundle, check_requirements, load_module, open_bundle
from .cluster import dask_client, parallel_setting
from .data import VALIDATION_FRACTION, RunData, load_run_data, split_rows, take
from .settings import (
    DEFAULT_SEED,
    RECORD_NAME,
    SMAC_FOLDER,
    RunOptions,
    check_options,
    check_output_folder,
    check_resumable,
    check_saved_scenario,
    make_output_folder,
    output_folder,
    run_record,
    write_json,
)

CHECKPOINT_FOLDER = "checkpoints"
MODEL_FOLDER = "model"


def run_bundle(options: RunOptions) -> Path:
    """Check everything, then optimise, evaluate and report into the output folder; return it."""
    started = time.time()
    check_options(options)
    bundle = open_bundle(options.bundle)
    seed = options.seed if options.seed is not None else DEFAULT_SEED
    out = output_folder(options, bundle.path, seed)
    saved = check_output_folder(out, options.resume)
    if saved is not None:
        options = _with_saved_defaults(options, saved)
        seed = options.seed if options.seed is not None else seed
    check_requirements(bundle)
    data = load_run_data(bundle.spec, options.data, options.dataset, options.target, seed,
                         cache_dir=bundle_cache(bundle.path))
    parallel = parallel_setting(options.n_workers, options.scheduler_file)
    modules = {
        stem: load_module(bundle, f"{stem}.py") for stem in ("config_space", "scenario", "train")
    }
    from .optimise import build_scenario

    scenario = build_scenario(
        modules["scenario"],
        modules["config_space"].get_configspace(),
        out,
        seed,
        options.n_trials,
        options.walltime,
        parallel.get("n_workers", 1),
    )
    record = run_record(bundle.digest, data, options.target, seed, scenario, parallel)
    if saved is not None:
        check_resumable(out, saved, record)
        check_saved_scenario(out, scenario)
    with dask_client(options.n_workers, options.scheduler_file) as client:
        created = not out.exists()
        make_output_folder(out)
        try:
            if saved is None:
                write_json(out / RECORD_NAME, record)
            outcome = _optimise(bundle, modules, scenario, data, out, client, options.resume)
        except BaseException:
            if created and not (out / SMAC_FOLDER).exists():
                shutil.rmtree(out, ignore_errors=True)
            raise
    _finish(bundle, modules, outcome, data, out, seed, parallel, started)
    return out


def _with_saved_defaults(options: RunOptions, saved: dict[str, Any]) -> RunOptions:
    """On --resume, the seed, limits and data not given on the command line are the stopped run's."""
    data, dataset = options.data, options.dataset
    source = str(saved.get("data_source") or "")
    if data is None and dataset is None and source:
        if source.startswith("embedded:"):
            dataset = source.removeprefix("embedded:")
        else:
            data = Path(source)
    return replace(
        options,
        seed=options.seed if options.seed is not None else saved.get("seed"),
        n_trials=options.n_trials if options.n_trials is not None else saved.get("n_trials"),
        walltime=options.walltime if options.walltime is not None else saved.get("walltime_limit"),
        data=data,
        dataset=dataset,
        target=options.target if options.target is not None else saved.get("data_target"),
    )


def _optimise(
    bundle: Bundle,
    modules: dict[str, Any],
    scenario: Any,
    data: RunData,
    out: Path,
    client: Any,
    resume: bool,
) -> Any:
    from .optimise import optimise
    from .target import make_job

    dataset = for_search({"X": data.X, "y": data.y, **data.context}, bundle.spec.type, scenario.walltime_limit)
    job = make_job(
        bundle.source("train.py"),
        modules["train"].__name__,
        str(bundle.path / "train.py"),
        dataset,
        str(out / CHECKPOINT_FOLDER),
    )
    return optimise(modules["scenario"], scenario, job, client, resume, f"SMAC {bundle.spec.name}")


def _finish(
    bundle: Bundle,
    modules: dict[str, Any],
    outcome: Any,
    data: RunData,
    out: Path,
    seed: int,
    parallel: dict[str, Any],
    started: float,
) -> None:
    """Test the incumbent at the final budget, then write results.json and the plots."""
    from .report import (
        RESULTS_NAME,
        plain,
        plot_trajectory,
        print_summary,
        status_counts,
        trial_rows,
    )

    rows = trial_rows(outcome.facade.runhistory)
    counts = status_counts(rows)
    metrics, refit = None, None
    if outcome.refittable and hasattr(modules["train"], "refit_ensemble"):  # forecasting (HPG-FC-ENSEMBLE)
        refit, metrics = _refit_ensemble(modules["train"], outcome, data, out, seed)
    elif outcome.refittable:
        refit = _refit_plan(modules["train"], outcome, len(data.y))
        metrics = plain(
            _refit_and_test(modules["train"].train, outcome.incumbent, refit["budget"], data, out, seed,
                            bundle.spec.task)
        )
    results = _results(bundle, modules, outcome, data, out, seed, parallel, rows, counts, metrics)
    results["final_fit"] = refit
    if metrics is not None and bundle.spec.forecasting:
        from .forecast_report import attach_forecasts

        members = list(dict.fromkeys(member["config"].get("algorithm") for member in (refit or {}).get("members", [])))
        what = f"median of {', '.join(members)}" if len(members) > 1 else (members or [results["incumbent"].get("algorithm")])[0]
        attach_forecasts(results, out / MODEL_FOLDER, data, f"{bundle.spec.name}: {what}")
    results["stopped_early"] = outcome.stopped
    results["session_time_s"] = round(time.time() - started, 3)
    write_json(out / RESULTS_NAME, results)
    plot_trajectory(out, rows, f"{bundle.spec.name}: {results['facade']}, seed {seed}")
    if outcome.stopped is not None:
        stopped = outcome.stopped
        raise RunStopped(f"stopped after {stopped['trials']} trials that all crashed with {stopped['error']} "
                         f"(first configuration: {json.dumps(plain(stopped['first_config']), sort_keys=True)}); "
                         f"see {out / RESULTS_NAME}")
    print_summary(metrics, out / RESULTS_NAME, counts)
    if metrics is None:
        raise RunStopped(
            f"no trial succeeded ({', '.join(f'{n} {s.lower()}' for s, n in counts.items()) or 'none ran'}); "
            f"see {out / SMAC_FOLDER}"
        )


def _refit_ensemble(train_module: Any, outcome: Any, data: RunData, out: Path, seed: int) -> tuple[dict, dict]:
    """A forecasting bundle's refit: each family's best configuration of the search and its default
    refit on the whole history, each family's mean, the per-step median over families scored on
    the test horizon."""
    from smac.runhistory.enumerations import StatusType

    from .report import plain

    trials = [
        (dict(outcome.facade.runhistory.get_config(key.config_id)), key.budget, float(value.cost),
         dict(value.additional_info or {}))
        for key, value in outcome.facade.runhistory.items()
        if value.status == StatusType.SUCCESS
    ]
    members = train_module.ensemble_members(trials, outcome.final_budget)
    dataset = {"X": data.X, "y": data.y, "X_test": data.X_test, "y_test": data.y_test, **data.context}
    metrics = plain(train_module.refit_ensemble(members, dataset, seed, out / MODEL_FOLDER))
    plan = {"series": len(data.y), "combination": train_module.COMBINATION,
            "members": [{"config": plain(dict(config)), "budget": budget} for config, budget in members]}
    return plan, metrics


def _refit_plan(train_module: Any, outcome: Any, n_rows: int) -> dict[str, Any]:
    """How the incumbent is refit for the test: on every train+validation row, for the epochs
    early stopping chose during the search (the bundle's refit_budget turns them into its
    budget), or at the search's top budget for models that do not stop early."""
    best_epoch = outcome.incumbent_best_epoch()
    budget = train_module.refit_budget(outcome.incumbent, best_epoch)
    return {
        "rows": n_rows,
        "best_epoch_in_search": best_epoch,
        "budget": outcome.final_budget if budget is None else float(budget),
    }


def _refit_and_test(
    train: Any, incumbent: Any, budget: float | None, data: RunData, out: Path, seed: int, task: str
) -> dict[str, Any]:
    """Train the incumbent on all train+validation rows, score it on the test rows.

    Its validation rows are a seeded fifth of those training rows: the budget, not early
    stopping, sets the length of the refit, and the test rows never steer it.
    """
    if data.context:  # forecasting: the whole history, scored on the horizon after it
        dataset = {"X": data.X, "y": data.y, "X_test": data.X_test, "y_test": data.y_test, **data.context}
        return train(incumbent, dataset, seed, budget, model_dir=out / MODEL_FOLDER)
    _, val_rows = split_rows(data.y, task, seed, VALIDATION_FRACTION)
    dataset = {
        "X": data.X,
        "y": data.y,
        "X_val": take(data.X, val_rows),
        "y_val": take(data.y, val_rows),
        "X_test": data.X_test,
        "y_test": data.y_test,
    }
    return train(incumbent, dataset, seed, budget, model_dir=out / MODEL_FOLDER)


def _results(
    bundle: Bundle,
    modules: dict[str, Any],
    outcome: Any,
    data: RunData,
    out: Path,
    seed: int,
    parallel: dict[str, Any],
    rows: list[dict[str, Any]],
    counts: dict[str, int],
    metrics: dict[str, Any] | None,
) -> dict[str, Any]:
    from .report import plain

    scenario = outcome.scenario
    budgets = None
    if outcome.multi_fidelity:
        budgets = {
            "min_budget": scenario.min_budget,
            "max_budget": scenario.max_budget,
            "eta": getattr(modules["scenario"], "ETA", None),
        }
    incumbent = outcome.incumbent
    return plain(
        {
            "hpogen_version": __version__,
            "bundle": str(bundle.path),
            "dataset": bundle.spec.name,
            "task": bundle.spec.task,
            "facade": type(outcome.facade).__name__,
            "budgets": budgets,
            "search_top_budget": outcome.final_budget,
            "seed": seed,
            "n_trials": scenario.n_trials,
            "walltime_limit": scenario.walltime_limit,
            "trials_run": len(rows),
            "trial_counts": counts,
            "wall_time_s": round(outcome.wall_time_s, 3),
            "total_epochs_trained": sum(row["epochs_completed"] for row in rows),
            "incumbent": dict(incumbent) if incumbent is not None else None,
            "incumbent_validation_loss": outcome.facade.runhistory.get_cost(incumbent)
            if incumbent is not None
            else None,
            "test_metrics": metrics,
            "data": data.describe(seed),
            "parallel": parallel,
            "smac_output": str(Path(scenario.output_directory).relative_to(out)),
            "model_dir": MODEL_FOLDER if metrics is not None else None,
        }
    )
