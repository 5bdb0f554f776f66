"""The derived OHGW package (digits + small CNN) passes its CPU smoke test, in a fresh process,
as `python -m src.main --smoke-test --results-dir X` run from the package root."""

import json
import os
import subprocess
import sys

import pytest
import yaml
from packages import EXPERIMENT_GOLDEN, invoke

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    work = tmp_path_factory.mktemp("smoke")
    case = EXPERIMENT_GOLDEN / "ohgw"
    invoke("basecode", case / "method.json", "--design", case / "design.txt", "--out", work / "base")
    invoke("derive", work / "base", "--dataset", "digits", "--model", "small_cnn", "--out", work / "package")
    results = work / "results"
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(results)],
                               cwd=work / "package", capture_output=True, text=True, timeout=900, env=environment,
                               stdin=subprocess.DEVNULL)
    return work / "package", results, completed


def test_smoke_test_exits_cleanly(smoke):
    _, _, completed = smoke
    assert completed.returncode == 0, completed.stderr[-4000:]


def test_every_run_logged_and_recorded(smoke):
    package, results, completed = smoke
    runs = yaml.safe_load((package / "config/smoke_test.yaml").read_text())["runs"]
    assert len(runs) == 8
    for run in runs:
        run_dir = results / run["run_id"]
        stdout = (run_dir / "stdout.log").read_text()
        assert (run_dir / "stderr.log").is_file()
        lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        assert lines and all(line["run_id"] == run["run_id"] for line in lines)
        assert lines[0]["description"]["family"] == "hpo_scheduler"
        assert lines[-1]["event"] == "final"
        assert any(line.get("event") == "rung" for line in lines)
        result = json.loads((run_dir / "results.json").read_text())
        assert result["run_id"] == run["run_id"]
        assert 0.0 <= result["best_test_accuracy"] <= 1.0
        last = [p for p in result["trajectory"] if p["trial"] == _best_trial(result)][-1]
        assert result["model_reload_test_accuracy"] == pytest.approx(last["test_accuracy"], abs=1e-9)
        assert stdout in completed.stdout  # forwarded as well as logged


def _best_trial(result):
    best = max(result["trajectory"], key=lambda p: (p["val_accuracy"], -p["cumulative_epochs"]))
    return best["trial"]


def test_warm_starts_move_the_configurations(smoke):
    _, results, _ = smoke
    for run_id, kind in (("asha-ohgw-s0", "ohgw"), ("asha-random-s0", "random"), ("asha-none-s0", "none")):
        configurations = json.loads((results / run_id / "results.json").read_text())["configurations"]
        assert configurations and all(c["kind"] == kind for c in configurations)
        moved = [c["before"] != c["after"] for c in configurations]
        assert all(moved) if kind != "none" else not any(moved)


def test_evaluation_prints_one_comparison_and_writes_pdfs(smoke):
    _, results, completed = smoke
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    assert set(comparison["schedulers"]) == {"asha", "pasha"}
    assert set(comparison["schedulers"]["asha"]) == {"none", "ohgw", "random", "ohgw3"}
    assert comparison["not_implemented"] == ["dyhpo"]
    figures = sorted(p.name for p in (results / "images").iterdir())
    assert figures == sorted(comparison["figures"]) and all(f.endswith(".pdf") for f in figures)
    assert "best_accuracy_asha_pair1.pdf" in figures and "best_accuracy_asha_pair2.pdf" in figures
    assert not [p for p in results.rglob("*.pdf") if p.parent.name != "images"]
    assert all((results / "images" / f).read_bytes().startswith(b"%PDF") for f in figures)


def test_baseline_package_smoke_runs_on_fakedata(tmp_path):
    """A method naming MNIST derives to a package whose smoke config uses torchvision's FakeData of
    MNIST's shape (no files needed), and that package runs too."""
    case = EXPERIMENT_GOLDEN / "baseline"
    invoke("basecode", case / "method.json", "--out", tmp_path / "base")
    invoke("derive", tmp_path / "base", "--out", tmp_path / "package")
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(tmp_path / "r")],
                               cwd=tmp_path / "package", capture_output=True, text=True, timeout=600,
                               env={**os.environ, "OMP_NUM_THREADS": "1"}, stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stderr[-4000:]
    result = json.loads((tmp_path / "r" / "baseline-s0" / "results.json").read_text())
    assert result["dataset"] == "fakedata" and result["model"] == "small_cnn"
    assert [p["epoch"] for p in result["trajectory"]] == [1, 2]
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    assert comparison["variants"]["baseline"]["runs"] == 1
    assert sorted(p.name for p in (tmp_path / "r" / "images").iterdir()) == sorted(comparison["figures"])
