"""Cold wall time of `hpogen basecode` and `hpogen derive` beside `python -c pass`.

Each run is a fresh process writing a fresh package for one method of each family (the seed's
OHGW method with its design; a slope-stopping HPO method; a Brier-mix objective; an
entropy-threshold TTA method), then deriving it on digits. Prints the medians over 7
interleaved runs per family; the target is under 0.5 s each. Usage: python benchmarks/bench_experiment.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_generate import HPOGEN, RUNS, wall

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "golden" / "experiment" / "ohgw"
METHODS = ROOT / "tests" / "experiment" / "methods"
# family: the basecode arguments of its method
FAMILIES = {
    "ohgw (hpo_scheduler)": [str(CASE / "method.json"), "--design", str(CASE / "design.txt")],
    "hpo_scheduler": [str(METHODS / "hpo_slope_stop.json")],
    "objective": [str(METHODS / "objective_brier.json")],
    "tta": [str(METHODS / "tta_entropy_threshold.json")],
}


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-experiment-"))
    try:
        times: dict[str, list[float]] = {"python -c pass": []}
        for family, method in FAMILIES.items():  # a warm-up that writes the bytecode, not counted
            wall([HPOGEN, "basecode", *method, "--out", str(work / f"warm-{family}")])
            wall([HPOGEN, "derive", str(work / f"warm-{family}"), "--dataset", "digits", "--out", str(work / f"warm-{family}-d")])
        for i in range(RUNS):  # interleaved, so machine noise hits every command alike
            times["python -c pass"].append(wall([sys.executable, "-c", "pass"]))
            for family, method in FAMILIES.items():
                base, derived = work / f"{i}-{family}-base", work / f"{i}-{family}-derived"
                times.setdefault(f"basecode {family}", []).append(wall([HPOGEN, "basecode", *method, "--out", str(base)]))
                times.setdefault(f"derive {family}", []).append(
                    wall([HPOGEN, "derive", str(base), "--dataset", "digits", "--out", str(derived)]))
        for name, values in times.items():
            print(f"{name:32s} median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f})")
        slow = [name for name, values in times.items() if name != "python -c pass" and statistics.median(values) >= 0.5]
        print(f"basecode and derive, every family: target < 500 ms: {'met' if not slow else 'NOT met: ' + ', '.join(slow)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
