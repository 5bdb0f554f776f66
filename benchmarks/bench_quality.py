"""Held-out test quality of the README's main command, beside scikit-learn defaults.

For each embedded set this runs what `make run` runs (after setup), in fresh processes:

    hpogen generate --dataset-type image --out W/digits --force
    hpogen run W/digits --walltime S --out W/digits-run

with S read from the Makefile's run target (tabular: breast_cancer, same S), reads the incumbent's test metrics from results.json, and fits
scikit-learn's default SVC (on raw and on standardised features) and HistGradientBoosting on
the very same train+validation / test split (`hpogen run`'s seeded 20% hold-out). Targets:
digits test accuracy >= 0.98 within 10 minutes of wall time on 2 CPU cores; breast_cancer
>= 0.97.

Usage: python benchmarks/bench_quality.py [--walltime S] [--seed S] [--only digits|breast_cancer]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HPOGEN = str(Path(sys.executable).with_name("hpogen"))
MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"
CASES = {
    # name: (dataset type of `hpogen generate`, accuracy target, wall-time limit of the whole command)
    "digits": ("image", 0.98, 600.0),
    "breast_cancer": ("tabular", 0.97, 600.0),
}


def run_main_command(kind: str, work: Path, walltime: float, seed: int) -> tuple[dict, float]:
    """generate + run as separate processes; returns results.json and the wall time of both."""
    bundle, out = work / f"{kind}-bundle", work / f"{kind}-run"
    started = time.perf_counter()
    subprocess.run([HPOGEN, "generate", "--dataset-type", kind, "--out", str(bundle), "--force"],
                   check=True, capture_output=True)
    completed = subprocess.run(
        [HPOGEN, "run", str(bundle), "--walltime", str(walltime), "--seed", str(seed), "--out", str(out)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"hpogen run failed:\n{completed.stderr[-3000:]}")
    return json.loads((out / "results.json").read_text()), elapsed


def baselines(name: str, seed: int) -> dict[str, float]:
    """Test accuracy of scikit-learn defaults on hpogen run's own train+validation / test split."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from hpogen.dataset.sources import SpecRequest, resolve
    from hpogen.run.data import load_run_data

    spec, _ = resolve(SpecRequest(dataset=name))
    data = load_run_data(spec, None, None, None, seed)

    def flat(X):
        X = np.asarray(X, dtype=np.float64)
        return X.reshape(len(X), -1)

    models = {
        "SVC() raw features": SVC(),
        "StandardScaler + SVC()": make_pipeline(StandardScaler(), SVC()),
        "HistGradientBoosting()": HistGradientBoostingClassifier(random_state=seed),
    }
    scores = {}
    for label, model in models.items():
        model.fit(flat(data.X), np.asarray(data.y))
        scores[label] = float(np.mean(model.predict(flat(data.X_test)) == np.asarray(data.y_test)))
    return scores


def make_run_walltime() -> float:
    """The --walltime of `hpogen run` in the Makefile's run target (the README's main command)."""
    return float(re.search(r"hpogen run \S+ --walltime (\d+)", MAKEFILE.read_text()).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--walltime", type=float, default=make_run_walltime(), help="default: make run's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=sorted(CASES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        for name, (kind, target, limit) in CASES.items():
            if args.only and name != args.only:
                continue
            results, elapsed = run_main_command(kind, Path(tmp), args.walltime, args.seed)
            accuracy = results["test_metrics"]["accuracy"]
            met = accuracy >= target and elapsed <= limit
            counts = ", ".join(f"{n} {status.lower()}" for status, n in results["trial_counts"].items())
            print(f"{name} ({results['facade']}, {results['trials_run']} trials: {counts}; "
                  f"{results['data']['n_trainval']} train+val / {results['data']['n_test']} test rows)")
            print(f"  hpogen generate + run   test accuracy {accuracy:.4f}   wall {elapsed:6.1f} s   "
                  f"target >= {target} within {limit:.0f} s: {'met' if met else 'NOT met'}")
            for label, score in baselines(name, args.seed).items():
                print(f"  {label:23s} test accuracy {score:.4f}")


if __name__ == "__main__":
    main()
