"""--resume: a killed run continues in the same folder; changed settings are refused with one line."""

import json
import signal
import subprocess
import time

import pytest
from run_support import (
    HPOGEN,
    assert_one_line_error,
    assert_run_results,
    bundle,
    finished_trials,
    hpogen,
)

pytestmark = pytest.mark.slow

N_TRIALS = 8


def _kill_after_first_trial(folder, out) -> int:
    """Start a run, kill it (SIGKILL, no cleanup) once a trial is saved; return the trials saved."""
    process = subprocess.Popen(
        [HPOGEN, "run", str(folder), "--n-trials", str(N_TRIALS), "--walltime", "600", "--out", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 600
        while finished_trials(out, "breast_cancer") < 1:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "no trial finished in time"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        process.stderr.close()
    return finished_trials(out, "breast_cancer")


def test_killed_run_resumes_and_changed_settings_are_refused(tmp_path, tmp_path_factory):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "run"
    saved = _kill_after_first_trial(folder, out)
    assert 1 <= saved < N_TRIALS, "the run ended before it could be killed"
    assert not (out / "results.json").exists()
    history = (out / "smac3_output" / "breast_cancer" / "0" / "runhistory.json").read_bytes()

    without_resume = hpogen("run", folder, "--n-trials", N_TRIALS, "--out", out)
    assert_one_line_error(without_resume, "exists and is not empty", "--resume")
    more_trials = hpogen("run", folder, "--resume", "--n-trials", N_TRIALS + 1, "--out", out)
    assert_one_line_error(more_trials, "cannot resume", f"--n-trials changed ({N_TRIALS} -> {N_TRIALS + 1})")
    other_seed = hpogen("run", folder, "--resume", "--seed", 1, "--out", out)
    assert_one_line_error(other_seed, "cannot resume", "--seed changed (0 -> 1)")
    assert (out / "smac3_output" / "breast_cancer" / "0" / "runhistory.json").read_bytes() == history
    assert not (out / "smac3_output" / "breast_cancer" / "1").exists()

    resumed = hpogen("run", folder, "--resume", "--out", out)
    assert resumed.returncode == 0, resumed.stderr
    results = assert_run_results(out, "breast_cancer")
    assert results["n_trials"] == N_TRIALS
    assert saved < results["trials_run"] <= N_TRIALS
    record = json.loads((out / "hpogen_run.json").read_text())
    assert record["n_trials"] == N_TRIALS and record["seed"] == 0
