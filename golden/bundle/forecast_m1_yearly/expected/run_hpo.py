"""Standalone SMAC driver for this bundle (it does not need hpogen).

Needs ConfigSpace==1.2.2, lightgbm==4.7.0, numpy==2.3.5, pandas==2.3.3, scikit-learn==1.9.1,
smac==2.4.1, statsforecast==2.1.1, torch==2.14.1 (requirements.txt). Optional:
dask[distributed]==2026.8.0 for --n-workers and --dask-scheduler-file. Optional:
matplotlib==3.11.2 for trajectory.png.

Usage: python run_hpo.py [--data FILE.npz | --data FILE.csv --target COLUMN | --data FOLDER]
                         [--n-trials N] [--walltime SECONDS] [--seed S] [--out DIR]
                         [--n-workers N | --dask-scheduler-file FILE] [--resume]

--data reads what `hpogen run` reads, with the same code (bundle_data.py): an .npz of X, y (and
X_test, y_test), a CSV with its label column, or a folder of class subfolders of images; without
it, the embedded dataset the bundle was made for.

It holds out a seeded test split, lets SMAC optimise on the rest, trains the incumbent at the
final budget, scores it on the test split and writes results.json (plus trajectory.png when
matplotlib is installed) into --out. When the first trials all crash with the same error it
stops early, says so in one line and exits 1.
"""

import argparse
import json
import logging
import math
import sys
import time
import uuid
import warnings
from pathlib import Path

try:
    from smac import Callback
except ImportError:  # check_requirements() names every missing package before anything runs
    Callback = object

HERE = Path(__file__).resolve().parent
# The embedded scikit-learn dataset of this bundle (None: pass --data).
EMBEDDED_DATASET = "m1_yearly"
EMBEDDED_LOADER = "aeon-forecast:m1_yearly"
# What the data must be: type, task, (channels, height, width) of images, features, classes.
FACTS = {
    "name": "m1_yearly",
    "type": "time_series",
    "task": "forecasting",
    "n_classes": None,
    "image_shape": None,
    "n_features": None,
    "n_channels": 1,
    "horizon": 6,
    "frequency": "YS-JAN",
    "covariates": None,
    "time_column": None,
    "target_column": None,
    "id_column": None,
}
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.2
# SMAC's own log lines: errors only.
SMAC_LOGGING_LEVEL = 40
# The optimisation data of in-process trials (dask workers get it scattered instead).
STATE = {}
# Import name -> the pinned package of requirements.txt, checked before any work.
REQUIRED_MODULES = {
    "ConfigSpace": "ConfigSpace==1.2.2",
    "lightgbm": "lightgbm==4.7.0",
    "numpy": "numpy==2.3.5",
    "pandas": "pandas==2.3.3",
    "sklearn": "scikit-learn==1.9.1",
    "smac": "smac==2.4.1",
    "statsforecast": "statsforecast==2.1.1",
    "torch": "torch==2.14.1",
}
# Trials in a row that crash with one error, before any success, that stop the run.
FAIL_FAST_TRIALS = 5
WALLTIME_RULED_TRIALS = 1_000_000  # n_trials when --walltime alone is given


def check_requirements() -> None:
    """Stop with one line naming every missing package, before any data is read."""
    import importlib.util

    def installed(module: str) -> bool:
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False

    missing = [pin for module, pin in REQUIRED_MODULES.items() if not installed(module)]
    if missing:
        print(
            f"run_hpo.py: missing {', '.join(missing)}: pip install -r {HERE / 'requirements.txt'}",
            file=sys.stderr,
        )
        raise SystemExit(2)


def load_dataset(args: argparse.Namespace) -> dict:
    """X, y (and X_test, y_test when the data has them), read and checked by bundle_data.py."""
    import bundle_data

    try:
        if args.data:
            path = Path(args.data).expanduser().resolve()
            data = bundle_data.read_for_bundle(
                path, FACTS, args.target, bundle_data.bundle_cache(HERE)
            )
            for note in data.get("notes", ()):
                print(f"run_hpo.py: warning: {note}", file=sys.stderr)
            return data
        if EMBEDDED_LOADER is None:
            raise bundle_data.DataError("this bundle has no embedded dataset: pass --data PATH")
        data = bundle_data.read_embedded(EMBEDDED_LOADER, FACTS["image_shape"])
        bundle_data.check_fits(data, FACTS, f"embedded dataset {EMBEDDED_DATASET!r}")
        return data
    except bundle_data.DataError as exc:
        print(f"run_hpo.py: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def optimisation_data(args: argparse.Namespace) -> tuple[dict, dict]:
    """({X, y} for SMAC, {X, y} for the final test): the data's own test split, else a seeded
    TEST_FRACTION of the rows, as `hpogen run` holds them out; forecasting holds out the last
    horizon points of every series."""
    import bundle_data

    try:
        return bundle_data.hold_out(
            load_dataset(args), FACTS["task"], args.seed, TEST_FRACTION, FACTS.get("horizon")
        )
    except bundle_data.DataError as exc:
        print(f"run_hpo.py: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def target(config, seed: int = 0, budget: float | None = None, data_to_scatter: dict | None = None):
    """One SMAC trial: train on the optimisation data, return (validation loss, its metrics)."""
    from train import train

    dataset = next(iter(data_to_scatter.values())) if data_to_scatter else STATE["dataset"]
    with warnings.catch_warnings():
        # scikit-learn warns on every joblib call made from a dask worker thread; harmless here.
        warnings.filterwarnings("ignore", "`sklearn.utils.parallel.delayed`", UserWarning)
        metrics = train(config, dataset, seed, budget)
    info = {key: value for key, value in metrics.items() if "_class_" not in key}
    return float(metrics["loss"]), info


class OriginalConfigs(Callback):
    """Give a trial that comes back from a dask worker its original Configuration object.

    In ConfigSpace 1.2 a log-scale Integer hyperparameter compares a scipy distribution by
    identity, so a configuration that went through pickle no longer equals the one SMAC sent:
    SMAC would file the result under a new configuration and leave the sent one RUNNING.
    """

    def __init__(self, configspace) -> None:
        super().__init__()
        self.configspace = configspace

    def on_tell_start(self, smbo, info, value) -> None:
        if info.config.config_space is self.configspace:
            return
        for original in smbo.runhistory.config_ids:
            if dict(original) == dict(info.config):
                object.__setattr__(info, "config", original)  # TrialInfo is a frozen dataclass
                return


class StopOnRepeatedCrash(Callback):
    """Stop SMAC when, before any trial has succeeded, FAIL_FAST_TRIALS trials in a row crash with
    the same error: the rest of the wall time would only repeat it."""

    def __init__(self) -> None:
        super().__init__()
        self.errors = []
        self.config = None
        self.succeeded = False
        self.stopped = None

    def on_tell_end(self, smbo, info, value):
        if self.succeeded or self.stopped is not None:
            return None
        if value.status.name != "CRASHED":
            self.succeeded = True
            return None
        self.errors.append(crash_message(value.additional_info or {}))
        if self.config is None:
            self.config = dict(info.config)
        recent = self.errors[-FAIL_FAST_TRIALS:]
        if len(recent) == FAIL_FAST_TRIALS and len(set(recent)) == 1:
            self.stopped = {
                "trials": len(self.errors),
                "error": recent[0],
                "first_config": plain(self.config),
            }
            return False
        return None


def crash_message(info: dict) -> str:
    """'Type: message' of a crashed trial, from the traceback SMAC keeps (else its repr of the error)."""
    lines = [line for line in str(info.get("traceback", "")).splitlines() if line.strip()]
    if lines and not lines[-1].startswith(" "):
        return lines[-1].strip()
    return str(info.get("error", "an unknown error")).strip() or "an unknown error"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        help=".npz (X, y, optionally X_test, y_test), .csv (with --target) or a folder of class subfolders",
    )
    parser.add_argument("--target", help="label column of a CSV")
    parser.add_argument("--n-trials", type=int, help="trials (default: the scenario's)")
    parser.add_argument(
        "--walltime", type=float, help="SMAC wall-time limit in seconds (alone, it ends the search)"
    )
    parser.add_argument("--seed", type=int, default=0, help="SMAC seed and test-split seed")
    parser.add_argument(
        "--out", help="run folder (default: runs/standalone-seed-<seed> beside this file)"
    )
    parallel = parser.add_mutually_exclusive_group()
    parallel.add_argument(
        "--n-workers", type=int, default=1, help="trials in parallel on a local dask cluster"
    )
    parallel.add_argument("--dask-scheduler-file", help="join a running dask scheduler")
    parser.add_argument("--resume", action="store_true", help="continue the stopped run in --out")
    args = parser.parse_args(argv)
    args.out = Path(args.out or HERE / "runs" / f"standalone-seed-{args.seed}").resolve()
    if not args.resume and args.out.exists() and any(args.out.iterdir()):
        parser.error(
            f"{args.out} is not empty: pass --resume to continue it, or choose another --out"
        )
    return args


def make_scenario(args: argparse.Namespace):
    """The bundle's scenario with this run's folder, seed and limits."""
    from config_space import get_configspace
    from scenario import generate_scenario

    overrides = {"output_directory": args.out / "smac3_output", "seed": args.seed}
    overrides["n_workers"] = max(1, args.n_workers)
    if args.n_trials is not None:
        overrides["n_trials"] = args.n_trials
    elif args.walltime is not None:  # the time alone ends the search
        overrides["n_trials"] = WALLTIME_RULED_TRIALS
    if args.walltime is not None:
        overrides["walltime_limit"] = args.walltime
    return generate_scenario(get_configspace(), **overrides)


def check_resumable(scenario) -> None:
    """Stop with one line, instead of SMAC's question, when the saved run has other settings."""
    from smac import Scenario

    saved_file = Path(scenario.output_directory) / "scenario.json"
    if not saved_file.exists():
        return
    saved = json.loads(saved_file.read_text())
    new = Scenario.make_serializable(scenario)
    changed = sorted(
        key for key in set(saved) | set(new) if key != "_meta" and saved.get(key) != new.get(key)
    )
    if changed:
        raise SystemExit(f"run_hpo.py: cannot resume, settings changed: {', '.join(changed)}")


def start_dask(args: argparse.Namespace):
    """(client, cluster) for parallel runs, else (None, None); workers receive train.py."""
    if args.dask_scheduler_file is None and args.n_workers <= 1:
        return None, None
    from dask.distributed import Client, LocalCluster

    cluster = None
    if args.dask_scheduler_file is not None:
        client = Client(scheduler_file=args.dask_scheduler_file)
    else:
        cluster = LocalCluster(
            n_workers=args.n_workers,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # workers log their own shutdown as errors
        )
        client = Client(cluster)
    client.upload_file(str(HERE / "train.py"), load=False)
    return client, cluster


def quiet_warnings() -> None:
    """Hide warnings that tell the user nothing during a run; SMAC's own errors are log lines."""
    # SMAC's local search averages an empty list of timings while trials crash or start up.
    warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
    warnings.filterwarnings("ignore", "invalid value encountered in scalar divide", RuntimeWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def optimise(args: argparse.Namespace, scenario, trainval: dict):
    """SMAC's loop; returns the facade, the incumbent and what stopped it early (or None)."""
    from bundle_data import for_search
    from scenario import make_facade

    client, cluster = start_dask(args)
    fail_fast = StopOnRepeatedCrash()
    trainval = for_search(trainval, FACTS["type"], scenario.walltime_limit)
    try:
        with warnings.catch_warnings():
            quiet_warnings()
            try:
                smac = make_facade(
                    scenario,
                    target,
                    overwrite=not args.resume,
                    dask_client=client,
                    callbacks=[OriginalConfigs(scenario.configspace), fail_fast],
                    logging_level=SMAC_LOGGING_LEVEL,
                )
            except EOFError:
                raise SystemExit("run_hpo.py: cannot resume, the saved SMAC run differs") from None
            if client is None:
                STATE["dataset"] = trainval
                incumbent = smac.optimize()
            else:
                incumbent = smac.optimize(
                    data_to_scatter={f"hpo-data-{uuid.uuid4().hex}": trainval}
                )
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return smac, incumbent, fail_fast.stopped


def succeeded(smac, incumbent) -> bool:
    """Whether the incumbent has at least one successful trial (a crash cost can be the lowest)."""
    if incumbent is None:
        return False
    config_id = smac.runhistory.get_config_id(incumbent)
    return any(
        k.config_id == config_id and v.status.name == "SUCCESS" for k, v in smac.runhistory.items()
    )


def trial_rows(smac) -> list[dict]:
    """Finished trials in the order they finished."""
    rows = []
    for key, value in smac.runhistory.items():
        if value.status.name == "RUNNING":
            continue
        epochs = (value.additional_info or {}).get("epochs_completed", 0)
        rows.append(
            {
                "status": value.status.name,
                "cost": float(value.cost),
                "budget": key.budget,
                "start": value.starttime,
                "end": value.endtime,
                "epochs": int(epochs or 0),
            }
        )
    return sorted(rows, key=lambda row: row["end"])


def plot_trajectory(rows: list[dict], path: Path) -> None:
    """Best loss against wall time and trial number, when matplotlib is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    points, best = [], math.inf
    start = min((row["start"] for row in rows), default=0.0)
    for number, row in enumerate(rows, start=1):
        if row["status"] == "SUCCESS":
            best = min(best, row["cost"])
        if math.isfinite(best):
            points.append((row["end"] - start, number, best))
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for axis, column, label in ((axes[0], 0, "wall time (s)"), (axes[1], 1, "trial")):
        axis.step([p[column] for p in points], [p[2] for p in points], where="post", marker="o")
        axis.set_xlabel(label)
        axis.set_ylabel("best validation loss so far")
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plain(value):
    """JSON-native values for numpy scalars."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value.item() if hasattr(value, "item") else value


def best_epoch(smac, incumbent) -> int:
    """The epoch early stopping chose for the incumbent at the highest budget it reached."""
    history = smac.runhistory
    config_id = history.get_config_id(incumbent)
    trials = [
        (key.budget or 0.0, int((value.additional_info or {}).get("best_epoch", 0)))
        for key, value in history.items()
        if key.config_id == config_id and value.status.name == "SUCCESS"
    ]
    top = max(budget for budget, _ in trials)
    epochs = sorted(epoch for budget, epoch in trials if budget == top)
    return epochs[len(epochs) // 2]


def refit_and_test(smac, incumbent, trainval: dict, test: dict, args: argparse.Namespace):
    """Refit the incumbent on all train+validation rows, score it on the test rows.

    The refit runs for the epochs early stopping chose during the search (the bundle's
    refit_budget turns them into a budget), or at the search's top budget for models that do
    not stop early; its validation rows are a seeded fifth of its own training rows.
    """
    from bundle_data import split_rows, take
    from train import refit_budget, train

    top_budget = smac.scenario.max_budget if smac.intensifier.uses_budgets else None
    if FACTS["task"] == "forecasting":  # the whole history, scored on the horizon after it
        from train import COMBINATION, ensemble_members, refit_ensemble

        # each family's best configuration and its default refit; each family's mean, the per-step
        # median over families (HPG-FC-ENSEMBLE)
        trials = [
            (
                dict(smac.runhistory.get_config(key.config_id)),
                key.budget,
                float(value.cost),
                dict(value.additional_info or {}),
            )
            for key, value in smac.runhistory.items()
            if value.status.name == "SUCCESS"
        ]
        members = ensemble_members(trials, top_budget)
        dataset = {**trainval, "X_test": test["X"], "y_test": test["y"], "time_test": test["time"]}
        metrics = plain(refit_ensemble(members, dataset, args.seed, args.out / "model"))
        return metrics, {
            "series": len(trainval["y"]),
            "combination": COMBINATION,
            "forecasts": "model/forecast.json",
            "members": [
                {"config": plain(config), "budget": member_budget}
                for config, member_budget in members
            ],
        }
    budget = refit_budget(incumbent, best_epoch(smac, incumbent))
    if budget is None:
        budget = top_budget
    _, val = split_rows(trainval["y"], FACTS["task"], args.seed, VALIDATION_FRACTION)
    dataset = {
        "X": trainval["X"],
        "y": trainval["y"],
        "X_val": take(trainval["X"], val),
        "y_val": take(trainval["y"], val),
        "X_test": test["X"],
        "y_test": test["y"],
    }
    metrics = plain(train(incumbent, dataset, args.seed, budget, model_dir=args.out / "model"))
    return metrics, {"rows": len(trainval["y"]), "budget": budget}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_requirements()
    started = time.time()
    sys.path.insert(0, str(HERE))
    trainval, test = optimisation_data(args)
    trainval["checkpoint_dir"] = str(args.out / "checkpoints")
    scenario = make_scenario(args)
    if args.resume:
        check_resumable(scenario)
    smac, incumbent, stopped = optimise(args, scenario, trainval)
    optimisation_time = smac.optimizer.used_walltime
    rows = trial_rows(smac)
    counts = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    metrics, refit = None, None
    if stopped is None and succeeded(smac, incumbent):
        metrics, refit = refit_and_test(smac, incumbent, trainval, test, args)
    results = {
        "dataset": args.data or EMBEDDED_DATASET,
        "facade": type(smac).__name__,
        "budgets": [scenario.min_budget, scenario.max_budget]
        if smac.intensifier.uses_budgets
        else None,
        "seed": args.seed,
        "n_trials": scenario.n_trials,
        "trials_run": len(rows),
        "trial_counts": counts,
        "wall_time_s": round(optimisation_time, 3),
        "session_time_s": round(time.time() - started, 3),
        "total_epochs_trained": sum(row["epochs"] for row in rows),
        "incumbent": None if incumbent is None else plain(dict(incumbent)),
        "test_metrics": metrics,
        "final_fit": refit,
        "stopped_early": stopped,
        "n_trainval": len(trainval["y"]),
        "n_test": len(test["y"]),
    }
    (args.out / "results.json").write_text(json.dumps(plain(results), indent=2) + "\n")
    plot_trajectory(rows, args.out / "trajectory.png")
    if stopped is not None:
        config = json.dumps(stopped["first_config"], sort_keys=True)
        print(
            f"run_hpo.py: stopped after {stopped['trials']} trials that all crashed with {stopped['error']} "
            f"(first configuration: {config}); see {args.out / 'results.json'}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps({"incumbent": results["incumbent"], "test_metrics": metrics}, indent=2))
    return 0 if metrics is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
