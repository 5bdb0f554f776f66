"""basecode and derive review what they write and refuse to finish a package with findings."""

from __future__ import annotations

import shutil
import subprocess
import sys

from review_support import GOOD

from hpogen.review.engine import review

HPOGEN = [sys.executable, "-m", "hpogen"]


def hpogen(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*HPOGEN, *map(str, args)], capture_output=True, text=True, timeout=120)


def test_derive_refuses_a_package_with_findings_and_writes_nothing(tmp_path):
    base = tmp_path / "base"
    shutil.copytree(GOOD["base"], base)
    evaluate = base / "src" / "evaluate.py"
    # derive copies evaluate.py byte for byte, so the marker reaches the derived package
    evaluate.write_text(evaluate.read_text() + "\n# TODO: add the remaining figures\n")
    out = tmp_path / "derived"
    refused = hpogen("derive", base, "--out", out)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("hpogen: error: the derived package fails its review")
    assert "HPG405" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not out.exists() and not any(p.name.startswith(".derived") for p in tmp_path.iterdir())
    written = hpogen("derive", base, "--out", out, "--no-review")
    assert written.returncode == 0, written.stderr
    assert [f.code for f in review(out, "derived", base).findings] == ["HPG405"]


def test_basecode_and_derive_output_reviews_clean(tmp_path):
    method = GOOD["base"].parents[2] / "ohgw" / "method.json"
    assert hpogen("basecode", method, "--out", tmp_path / "base").returncode == 0
    assert hpogen("derive", tmp_path / "base", "--out", tmp_path / "derived").returncode == 0
    assert review(tmp_path / "base").ready and review(tmp_path / "base").mode == "base"
    derived = review(tmp_path / "derived", base=tmp_path / "base")
    assert derived.ready and derived.mode == "derived"
