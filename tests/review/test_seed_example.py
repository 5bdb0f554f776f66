"""The example base package of specification seed 002, which that seed's verdict rejects.

tests/review/fixtures/seed002_base/ is a verbatim copy of the eight files (see
fixtures/extract_seed002.py for where they come from). The seed rejects the package because
src/preprocess.py already loads CIFAR-10; `hpogen review` must reject it for that reason too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACKAGE = FIXTURES / "seed002_base"
ROOT = FIXTURES.parents[2]
SEED_FILES = sorted((ROOT.parent / "shared" / "seeds").glob("002_*.txt"))


def review_json(folder: Path) -> tuple[int, dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "hpogen", "review", str(folder), "--mode", "base", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert completed.stdout, completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def test_fixture_has_the_eight_files():
    files = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*") if p.is_file())
    assert files == sorted(["src/train.py", "src/evaluate.py", "src/preprocess.py", "src/model.py",
                            "src/main.py", "pyproject.toml", "config/smoke_test.yaml",
                            "config/full_experiment.yaml"])


def test_seed_example_is_rejected_for_its_cifar10_loader():
    code, report = review_json(PACKAGE)
    assert code == 1, report
    assert report["is_base_code_ready"] is False
    # the seed's own reason for rejecting it reaches the plain-language verdict
    assert "torchvision.datasets.CIFAR10" in report["base_code_issue"]
    lines = (PACKAGE / "src" / "preprocess.py").read_text(encoding="utf-8").splitlines()
    cifar_rows = {row for row, line in enumerate(lines, 1) if "datasets.CIFAR10(" in line}
    assert cifar_rows, "the fixture no longer loads CIFAR-10"
    real_loading = [f for f in report["findings"] if f["code"] == "HPG701"]
    found = [(Path(f["filename"]).relative_to(PACKAGE).as_posix(), f["location"]["row"])
             for f in real_loading]
    assert any(path == "src/preprocess.py" and row in cifar_rows for path, row in found), (
        found, [(f["code"], f["message"]) for f in report["findings"]])


@pytest.mark.skipif(not SEED_FILES, reason="../shared/seeds is not beside this checkout")
def test_fixture_matches_the_seed(tmp_path):
    extract = [sys.executable, str(FIXTURES / "extract_seed002.py"), str(SEED_FILES[0]),
               "--out", str(tmp_path / "package")]
    subprocess.run(extract, check=True, capture_output=True, timeout=60)
    written = {p.relative_to(tmp_path / "package"): p.read_bytes()
               for p in (tmp_path / "package").rglob("*") if p.is_file()}
    committed = {p.relative_to(PACKAGE): p.read_bytes() for p in PACKAGE.rglob("*") if p.is_file()}
    assert written == committed
