"""Cold wall time of `hpogen review` beside `python -c pass`, the heavy modules it imports, and
its in-process throughput.

Cold: each run is a fresh process reviewing one 8-file package (the OHGW base, and the OHGW
derived package alone; target 0.3 s or less), and the derived package against its base (16 files
and a 3,900-line config: the largest golden review); median over 7 interleaved runs. Imports: whether torch, smac, sklearn (and
the other heavy libraries) were loaded by that review. Throughput: packages/s of `review()` in
one process over the 6 golden experiment packages and a copy of each, each reviewed ROUNDS
times (a derived package with its base). Usage: python benchmarks/bench_review.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_generate import HPOGEN, RUNS

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT / "golden" / "experiment"
CASE = EXPERIMENTS / "ohgw" / "expected"
ROUNDS = 10
HEAVY = ("torch", "torchvision", "smac", "sklearn", "ConfigSpace", "dask", "distributed", "pandas",
         "matplotlib", "scipy", "numpy", "pydantic", "libcst", "black", "rich")
# the review in a process of its own that then reports which top-level modules it had imported
IMPORTS = """
import sys
from hpogen.cli import main
sys.argv = ["hpogen", "review", sys.argv[1], "--base", sys.argv[2]]
try:
    main()
except SystemExit:
    pass
print("MODULES", " ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def wall(command: list[str]) -> float:
    """Seconds the command took; a review exits 1 when it has findings, which still counts."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return elapsed


COLD = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "review base": [HPOGEN, "review", str(CASE / "base")],
    "review derived": [HPOGEN, "review", str(CASE / "derived")],
    "review derived --base": [HPOGEN, "review", str(CASE / "derived"), "--base", str(CASE / "base")],
}


def cold() -> float:
    times: dict[str, list[float]] = {name: [] for name in COLD}
    for _ in range(RUNS):  # interleaved, so machine noise hits all alike
        for name, command in COLD.items():
            times[name].append(wall(command))
    for name, values in times.items():
        print(f"{name:22s} median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f})")
    median = max(statistics.median(times["review base"]), statistics.median(times["review derived"]))
    print(f"one 8-file package, slower of the two: {median * 1000:.0f} ms; target <= 300 ms: "
          f"{'met' if median <= 0.3 else 'NOT met'}")
    return median


def imports() -> None:
    result = subprocess.run([sys.executable, "-c", IMPORTS, str(CASE / "derived"), str(CASE / "base")],
                            capture_output=True, text=True, check=True)
    loaded = set(next(line for line in result.stderr.splitlines() if line.startswith("MODULES ")).split()[1:])
    heavy = [name for name in HEAVY if name in loaded]
    print(f"heavy modules imported by the review: {', '.join(heavy) if heavy else 'none'} "
          f"(checked: {', '.join(HEAVY)}); {len(loaded)} top-level modules in all")


def throughput() -> None:
    from hpogen.review.engine import review

    work = Path(tempfile.mkdtemp(prefix="bench-review-"))
    try:
        jobs = []  # (folder, mode, base)
        for case in sorted(p for p in EXPERIMENTS.iterdir() if (p / "expected").is_dir()):
            for copy, root in (("golden", case / "expected"), ("copy", work / case.name)):
                if copy == "copy":
                    shutil.copytree(case / "expected", root)
                jobs.append((root / "base", "base", None))
                jobs.append((root / "derived", "derived", root / "base"))
        per_mode: dict[str, list[float]] = {"base": [], "derived": []}
        not_ready = 0
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for folder, mode, base in jobs:
                began = time.perf_counter()
                not_ready += not review(folder, mode, base).ready
                per_mode[mode].append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start
        count = len(jobs) * ROUNDS
        print(f"in-process review: {count} packages ({len(jobs)} x {ROUNDS} rounds) in {elapsed:.1f} s = "
              f"{count / elapsed:.1f} packages/s ({not_ready} not ready)")
        for mode, values in per_mode.items():
            print(f"  {mode:8s} median {statistics.median(values) * 1000:7.1f} ms per package"
                  + ("  (its base read alongside)" if mode == "derived" else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    cold()
    imports()
    throughput()


if __name__ == "__main__":
    main()
