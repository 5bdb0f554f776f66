"""Does a generated bundle run in a fresh venv built from its own requirements.txt alone?

For one image bundle (embedded digits) and one tabular bundle (breast_cancer) this generates the
bundle with the hpogen CLI, makes a new `python3.11 -m venv` (no system site-packages), runs
`pip install -r requirements.txt` and nothing else, checks that hpogen is NOT importable there,
then runs `run_hpo.py --n-trials 3 --walltime 60` from the work folder and checks results.json:
once on the embedded set, once on a file of the kind a user brings (digits as a folder of PNGs in
class subfolders; breast_cancer as a CSV with string labels, read with --target).
Prints install seconds, venv size, run seconds and the test metric per bundle; exits 1 if any
bundle fails. Each venv holds torch (about 5.5 GB) and is deleted after its run unless --keep.
Usage: python benchmarks/bench_fresh_env.py [--only image|tabular] [--work DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUNDLES = {"image": "digits", "tabular": "breast_cancer"}
PRIMARY = ("accuracy", "balanced_accuracy", "r2", "rmse", "mae")  # first one present is reported
RUN_ARGS = ["--n-trials", "3", "--walltime", "60"]


def write_data(kind: str, work: Path) -> list[str]:
    """A data file for the bundle's second run, made here with sklearn and Pillow: its --data args."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_digits

    if kind == "tabular":
        frame = load_breast_cancer(as_frame=True).frame
        frame["diagnosis"] = np.where(frame.pop("target") == 1, "benign", "malignant")
        frame.to_csv(work / "cancer.csv", index=False)
        return ["--data", str(work / "cancer.csv"), "--target", "diagnosis"]
    from PIL import Image

    digits = load_digits()
    for row, (image, label) in enumerate(zip(digits.images, digits.target, strict=True)):
        folder = work / "digit_pngs" / f"digit_{label}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((image * 15).astype("uint8"), mode="L").save(folder / f"{row:04d}.png")
    return ["--data", str(work / "digit_pngs")]


def clean_env() -> dict[str, str]:
    """The caller's environment minus anything that would leak its own venv into the new one."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def requirement_lines(bundle: Path) -> list[str]:
    lines = (bundle / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def venv_mb(venv: Path) -> int:
    return int(subprocess.run(["du", "-sm", str(venv)], capture_output=True, text=True, check=True).stdout.split()[0])


def primary_metric(metrics: dict) -> tuple[str, float]:
    aggregate = [k for k in metrics if "_class_" not in k]
    print(f"    test_metrics keys: {aggregate} (+{len(metrics) - len(aggregate)} per-class)")
    name = next((k for k in PRIMARY if k in metrics), None)
    if name is None:
        raise AssertionError(f"no primary metric among {PRIMARY}")
    return name, metrics[name]


def check_results(path: Path) -> dict:
    """Asserts on results.json; returns the row fields it contributes."""
    results = json.loads(path.read_text())
    metrics = results.get("test_metrics")
    assert isinstance(metrics, dict), f"test_metrics is {type(metrics).__name__}, not a dict"
    name, value = primary_metric(metrics)
    assert isinstance(value, (int, float)) and math.isfinite(value), f"{name} = {value!r} is not finite"
    counts = results.get("trial_counts") or {}
    assert counts.get("SUCCESS", 0) >= 1, f"no SUCCESS trial: trial_counts = {counts}"
    assert results.get("stopped_early") is None, f"stopped_early = {results['stopped_early']!r}"
    return {"trials": results.get("trials_run"), "metric": f"{name}={value:.4f}"}


def fail(row: dict, step: str, proc: subprocess.CompletedProcess | None = None, why: str = "") -> dict:
    tail = "\n".join(((proc.stderr or proc.stdout) if proc else "").splitlines()[-25:])
    print(f"  FAIL at {step}: {why}\n{tail}", file=sys.stderr)
    return row | {"verdict": f"FAIL ({step})"}


def run_bundle(kind: str, work: Path, venv: Path, fresh: bool) -> list[dict]:
    """Generate, install, check isolation, run and check one bundle; returns its table rows."""
    dataset = BUNDLES[kind]
    bundle = work / dataset
    row = {"bundle": f"{kind}:{dataset}", "install": "-", "size": "-", "run": "-", "trials": "-", "metric": "-"}
    _, proc = timed([sys.executable, "-m", "hpogen", "generate", "--dataset", dataset, "--out", str(bundle)], work)
    if proc.returncode:
        return [fail(row, "generate", proc)]
    row["requirements"] = " ".join(requirement_lines(bundle))
    env = clean_env()
    if fresh:
        _, proc = timed(["python3.11", "-m", "venv", str(venv)], work, env)
        if proc.returncode:
            return [fail(row, "venv", proc)]
    print(f"  {kind}: pip install -r {bundle / 'requirements.txt'} ...", flush=True)
    seconds, proc = timed([str(venv / "bin/pip"), "install", "-r", str(bundle / "requirements.txt")], work, env)
    row |= {"install": f"{seconds:.1f}", "size": str(venv_mb(venv))}
    if proc.returncode:
        return [fail(row, "pip install", proc)]
    _, proc = timed([str(venv / "bin/python"), "-c", "import hpogen"], work, env)
    if proc.returncode == 0:
        return [fail(row, "isolation", proc, "hpogen is importable in the fresh venv")]
    rows = [run_driver(row, venv, bundle, work / f"run_{dataset}", [], env)]
    data_args = write_data(kind, work)
    file_row = row | {"bundle": f"{kind}:{Path(data_args[1]).name}", "install": "(same)", "size": "(same)"}
    return [*rows, run_driver(file_row, venv, bundle, work / f"run_{dataset}_file", data_args, env)]


def run_driver(row: dict, venv: Path, bundle: Path, out: Path, data_args: list[str], env: dict) -> dict:
    """One run_hpo.py run in the venv and the checks of its results.json: the row, completed."""
    print(f"  {row['bundle']}: run_hpo.py {' '.join(data_args + RUN_ARGS)} ...", flush=True)
    command = [str(venv / "bin/python"), str(bundle / "run_hpo.py"), *data_args, *RUN_ARGS, "--out", str(out)]
    seconds, proc = timed(command, out.parent, env)
    row = row | {"run": f"{seconds:.1f}"}
    if proc.returncode:
        return fail(row, "run_hpo.py", proc, f"exit code {proc.returncode}")
    try:
        row |= check_results(out / "results.json")
    except (AssertionError, OSError, ValueError) as error:
        return fail(row, "results.json", proc, str(error))
    return row | {"verdict": "OK"}


def print_table(rows: list[dict]) -> None:
    columns = [("bundle", "bundle"), ("install", "install s"), ("size", "venv MB"), ("run", "run s"),
               ("trials", "trials_run"), ("metric", "test metric"), ("verdict", "verdict"),
               ("requirements", "requirements")]
    widths = [max(len(title), *(len(str(r.get(key, "-"))) for r in rows)) for key, title in columns]
    print("  ".join(title.ljust(w) for (_, title), w in zip(columns, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(str(r.get(key, "-")).ljust(w) for (key, _), w in zip(columns, widths, strict=True)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(BUNDLES), help="run just one bundle kind")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the venvs")
    parser.add_argument("--share-venv", action="store_true",
                        help="one venv for all bundles (saves disk; later bundles are no longer fresh)")
    args = parser.parse_args()
    work = (args.work or Path(tempfile.mkdtemp(prefix="bench-fresh-env-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    start, rows = time.perf_counter(), []
    try:
        for i, kind in enumerate([args.only] if args.only else list(BUNDLES)):
            venv = work / ("venv" if args.share_venv else f"venv_{kind}")
            rows += run_bundle(kind, work, venv, fresh=not (args.share_venv and i))
            if not args.keep and not args.share_venv:
                shutil.rmtree(venv, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(rows)
    print(f"total {time.perf_counter() - start:.1f} s; work folder {work}{' (kept)' if args.keep else ' (removed)'}")
    return 0 if all(r["verdict"] == "OK" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
