"""Cold wall time of `hpogen basecode` and `hpogen derive` beside `python -c pass`.

Each run is a fresh process writing a fresh package for the seed's OHGW method (with its
design), then deriving digits + small CNN from it. Prints the medians over 7 interleaved runs;
the target is under 0.5 s each. Usage: python benchmarks/bench_experiment.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_generate import HPOGEN, RUNS, wall

CASE = Path(__file__).resolve().parents[1] / "golden" / "experiment" / "ohgw"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-experiment-"))
    try:
        times: dict[str, list[float]] = {"python -c pass": [], "hpogen basecode": [], "hpogen derive": []}
        for i in range(RUNS):  # interleaved, so machine noise hits all three alike
            times["python -c pass"].append(wall([sys.executable, "-c", "pass"]))
            times["hpogen basecode"].append(wall([HPOGEN, "basecode", str(CASE / "method.json"), "--design",
                                                  str(CASE / "design.txt"), "--out", str(work / f"base{i}")]))
            times["hpogen derive"].append(wall([HPOGEN, "derive", str(work / f"base{i}"), "--dataset", "digits",
                                                "--out", str(work / f"derived{i}")]))
        for name, values in times.items():
            print(f"{name:18s} median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f})")
        for name in ("hpogen basecode", "hpogen derive"):
            median = statistics.median(times[name])
            print(f"{name}: target < 500 ms: {'met' if median < 0.5 else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
