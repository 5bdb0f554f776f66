"""Helpers shared by the `hpogen run` tests (this module holds no tests itself)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HPOGEN = str(BIN / "hpogen")
# A real run on a small CI machine: generous, but a hang still fails the test.
RUN_TIMEOUT_S = 1800

_BUNDLES: dict[str, Path] = {}


def hpogen(*args: str, timeout: float = RUN_TIMEOUT_S, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The hpogen command in its own process, never waiting on stdin."""
    return subprocess.run(
        [HPOGEN, *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout, cwd=cwd
    )


def bundle(kind: str, tmp_path_factory) -> Path:
    """A bundle made once per session by `hpogen generate`: "image" (digits) or "tabular" (breast_cancer)."""
    if kind not in _BUNDLES:
        out = tmp_path_factory.mktemp(f"bundle-{kind}") / "bundle"
        result = hpogen("generate", "--dataset-type", kind, "--out", out, timeout=300)
        assert result.returncode == 0, result.stderr
        _BUNDLES[kind] = out
    return _BUNDLES[kind]


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit 2, exactly one stderr line saying what is wrong, and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hpogen: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def smac_run_folder(out: Path, name: str, seed: int = 0) -> Path:
    return out / "smac3_output" / name / str(seed)


def finished_trials(out: Path, name: str, seed: int = 0) -> int:
    """Trials SMAC has saved as finished (0 while nothing is saved, or mid-write)."""
    path = smac_run_folder(out, name, seed) / "runhistory.json"
    try:
        return int(json.loads(path.read_text())["stats"]["finished"])
    except (OSError, ValueError, KeyError):
        return 0


def assert_run_results(out: Path, name: str, task: str = "classification") -> dict:
    """results.json, plots and SMAC's own output are there and consistent."""
    results = json.loads((out / "results.json").read_text())
    assert results["trials_run"] >= 1
    assert sum(results["trial_counts"].values()) == results["trials_run"]
    assert results["trial_counts"].get("SUCCESS", 0) >= 1
    assert results["total_epochs_trained"] > 0
    assert isinstance(results["incumbent"], dict) and results["incumbent"]
    metrics = results["test_metrics"]
    if task == "classification":
        assert 0.0 <= metrics["accuracy"] <= 1.0
    assert metrics["epochs_completed"] >= 0
    for plot in ("trajectory.png", "trajectory.pdf"):
        assert (out / plot).stat().st_size > 0
    assert (smac_run_folder(out, name, results["seed"]) / "runhistory.json").is_file()
    assert any((out / "model").iterdir()), "the incumbent's model was not saved"
    refit = results["final_fit"]
    assert refit["rows"] == results["data"]["n_trainval"]  # refit on every train+validation row
    assert refit["best_epoch_in_search"] >= 1
    return results
