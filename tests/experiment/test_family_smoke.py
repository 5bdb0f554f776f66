"""One method of each family, derived on digits, passes its CPU smoke test in a fresh process
(`python -m src.main --smoke-test` from the package root): every run logged and recorded, the
evaluation's JSON last on stdout, its figures as PDFs under images/."""

import json
import math
import os
import subprocess
import sys

import pytest
import yaml
from packages import ROOT, invoke

pytestmark = pytest.mark.slow
METHODS = ROOT / "tests" / "experiment" / "methods"
# family -> (method text, derive options); the seed's OHGW package has its own smoke test
FAMILY_METHODS = {
    "hpo_scheduler": ("hpo_slope_stop", ["--dataset", "digits"]),
    "objective": ("objective_brier", ["--dataset", "digits", "--model", "small_cnn"]),
    "tta": ("tta_entropy_threshold", ["--dataset", "digits", "--model", "small_cnn"]),
}


def finite_numbers(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_numbers(v) for v in value)
    return True


@pytest.fixture(scope="module", params=sorted(FAMILY_METHODS))
def smoke(request, tmp_path_factory):
    family = request.param
    method, options = FAMILY_METHODS[family]
    work = tmp_path_factory.mktemp(family)
    invoke("basecode", METHODS / f"{method}.json", "--out", work / "base")
    invoke("derive", work / "base", *options, "--out", work / "package")
    results = work / "results"
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(results)],
                               cwd=work / "package", capture_output=True, text=True, timeout=600,
                               env={**os.environ, "OMP_NUM_THREADS": "1"}, stdin=subprocess.DEVNULL)
    return family, work / "package", results, completed


def test_smoke_test_exits_cleanly(smoke):
    family, _, _, completed = smoke
    assert completed.returncode == 0, f"{family}: " + completed.stderr[-4000:]


def test_every_run_logged_and_recorded(smoke):
    family, package, results, completed = smoke
    config = yaml.safe_load((package / "config/smoke_test.yaml").read_text())
    variants = {v["variant"] for v in config["experiment"]["variants"]}
    assert {run["variant"] for run in config["runs"]} == variants and len(variants) >= 2
    for run in config["runs"]:
        run_dir = results / run["run_id"]
        stdout = (run_dir / "stdout.log").read_text()
        assert (run_dir / "stderr.log").is_file()
        lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        assert lines and all(line["run_id"] == run["run_id"] for line in lines)
        assert lines[0]["description"]["family"] == family
        assert lines[-1]["event"] == "final"
        result = json.loads((run_dir / "results.json").read_text())
        assert result["run_id"] == run["run_id"] and result["family"] == family
        assert result["changes"] == run["training"].get("changes", [])
        assert 0.0 <= result["best_test_accuracy"] <= 1.0
        assert 0.0 <= result["model_reload_test_accuracy"] <= 1.0
        assert finite_numbers(result)
        assert stdout in completed.stdout


def test_the_method_variant_really_runs_its_change(smoke):
    family, package, results, _ = smoke
    config = yaml.safe_load((package / "config/smoke_test.yaml").read_text())
    changed = [run for run in config["runs"] if run["training"].get("changes")]
    assert changed, "no run switches the method's change on"
    assert any(not run["training"].get("changes") for run in config["runs"]), "no baseline run"
    for run in changed:
        result = json.loads((results / run["run_id"] / "results.json").read_text())
        assert result["changes"] == run["training"]["changes"]


def test_evaluation_prints_one_comparison_and_writes_pdfs(smoke):
    _, _, results, completed = smoke
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    figures = sorted(p.name for p in (results / "images").iterdir())
    assert figures and figures == sorted(comparison["figures"])
    assert all(f.endswith(".pdf") and (results / "images" / f).read_bytes().startswith(b"%PDF") for f in figures)
    assert not [p for p in results.rglob("*.pdf") if p.parent.name != "images"]
