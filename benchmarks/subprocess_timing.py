"""One timed subprocess for the benchmarks that run each tool in a fresh process."""

from __future__ import annotations

import os
import subprocess
import time

# As installed: pip compiles a package's bytecode at install time (see bench_generate.py).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], limit: float, width: int = 100) -> tuple[float, subprocess.CompletedProcess | str]:
    """(seconds, the finished process), or (seconds, one line saying why it failed or was stopped)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=limit)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"killed after {limit:.0f} s"
    if done.returncode:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        return time.perf_counter() - start, f"exit {done.returncode}: {(lines or ['?'])[-1].strip()[:width]}"
    return time.perf_counter() - start, done
