"""Parallel runs on dask: a local cluster (--n-workers) and an existing scheduler (--dask-scheduler-file)."""

import subprocess
import time

import pytest
from run_support import BIN, assert_run_results, bundle, hpogen

pytestmark = pytest.mark.slow

# What a dask client that is not closed properly prints when the process exits.
SHUTDOWN_NOISE = ("timed out", "TimeoutError", "Traceback", "CancelledError")


def test_local_workers(tmp_path, tmp_path_factory):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "run"
    started = time.monotonic()
    result = hpogen("run", folder, "--n-trials", 4, "--walltime", 600, "--n-workers", 2, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for noise in SHUTDOWN_NOISE:
        assert noise not in result.stderr, result.stderr
    results = assert_run_results(out, "breast_cancer")
    assert results["parallel"] == {"mode": "local", "n_workers": 2}
    history = (out / "smac3_output" / "breast_cancer" / "0" / "runhistory.json").read_text()
    assert '"status": 0' not in history  # no trial left RUNNING: results matched their configurations
    assert time.monotonic() - started < 600


@pytest.fixture
def dask_scheduler(tmp_path):
    """A dask scheduler and two one-thread workers, from this environment's bin; always stopped."""
    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    processes = []

    def start(*args: str, log: str) -> None:
        with (logs / log).open("w") as sink:
            processes.append(subprocess.Popen(
                [str(BIN / "dask"), *args], stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, cwd=tmp_path,
            ))

    try:
        start("scheduler", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1", "--no-dashboard",
              log="scheduler.log")
        deadline = time.monotonic() + 120
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, (logs / "scheduler.log").read_text()
            assert processes[0].poll() is None, (logs / "scheduler.log").read_text()
            time.sleep(0.2)
        for index in range(2):
            start("worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1", "--no-dashboard",
                  "--local-directory", str(tmp_path / f"worker-{index}"), log=f"worker-{index}.log")
        yield scheduler_file
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def test_scheduler_file(tmp_path, tmp_path_factory, dask_scheduler):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "run"
    result = hpogen("run", folder, "--n-trials", 3, "--walltime", 600, "--dask-scheduler-file", dask_scheduler,
                    "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    results = assert_run_results(out, "breast_cancer")
    assert results["parallel"] == {"mode": "scheduler"}
