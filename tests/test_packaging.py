"""A wheel carries rules/ and templates/: a plain (non-editable) install generates the golden bundle."""

import shutil
import subprocess
import sys
import zipfile

import pytest
from bundles import GOLDEN, ROOT, bundle_files

from hpogen.render.requirements import DATA_MODULES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """hpogen's wheel, built from a copy of the sources so the checkout stays untouched."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("src", "rules", "templates"):
        shutil.copytree(ROOT / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = (work / "dist").glob("hpogen-*.whl")
    return path


def test_wheel_holds_every_rules_table_and_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"hpogen/rules/{p.relative_to(ROOT / 'rules').as_posix()}" for p in (ROOT / "rules").rglob("*.toml")}
    templates = [p for p in (ROOT / "templates").rglob("*") if p.is_file()]
    expected |= {f"hpogen/templates/{p.relative_to(ROOT / 'templates').as_posix()}" for p in templates}
    assert expected and expected <= names, sorted(expected - names)


def test_installed_wheel_generates_the_golden_bundle(wheel, tmp_path):
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    # PYTHONPATH comes before the editable checkout on sys.path, so the installed copy is used.
    environment = {"PYTHONPATH": str(target), "PATH": ""}
    where = subprocess.run([sys.executable, "-c", "import hpogen.resources as r; print(r.RULES_DIR)"],
                           capture_output=True, text=True, env=environment)
    assert where.stdout.strip() == str(target / "hpogen" / "rules"), where.stderr
    out = tmp_path / "bundle"
    generated = subprocess.run([sys.executable, "-m", "hpogen", "generate", "--dataset-type", "image", "--out", str(out)],
                               capture_output=True, text=True, env=environment, cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    files = bundle_files(out)
    for name in DATA_MODULES:  # the wheel's own copies of hpogen's readers, unchanged
        assert files.pop(name) == (ROOT / "src" / "hpogen" / "dataset" / name).read_bytes()
    assert files == bundle_files(GOLDEN / "digits" / "expected")
