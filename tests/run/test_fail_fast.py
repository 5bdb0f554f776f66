"""A run that cannot succeed stops early with one line: missing packages before any work (exit 2),
a train.py that fails on import or on every configuration within the first trials (exit 1),
for `hpogen run` and for the standalone run_hpo.py alike."""

import hashlib
import json
import shutil
import subprocess
import sys

import pytest
from run_support import RUN_TIMEOUT_S, bundle, hpogen

FAILS_ALWAYS = '''

def train(cfg, dataset, seed, budget=None, model_dir=None):  # replaces the generated one
    raise ValueError("every configuration fails here")
'''
FAILS_ON_IMPORT = '\nraise RuntimeError("train.py cannot be imported")\n'

# Runs a script (or hpogen's CLI) with some top-level packages made unimportable.
_BLOCKING = """
import runpy, sys
blocked = set(sys.argv[1].split(","))
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is blocked for this test")
sys.meta_path.insert(0, Blocked())
sys.argv = sys.argv[2:]
if sys.argv[0] == "hpogen":
    from hpogen.cli import main
    main()
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def broken_bundle(tmp_path, tmp_path_factory, tail: str):
    """A copy of the tabular bundle whose train.py ends with `tail`, its lock updated to match."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle("tabular", tmp_path_factory), copy, ignore=shutil.ignore_patterns("runs"))
    train = copy / "train.py"
    train.write_text(train.read_text() + tail)
    lock_path = copy / "hpogen.lock.json"
    lock = json.loads(lock_path.read_text())
    lock["files"]["train.py"] = hashlib.sha256(train.read_bytes()).hexdigest()
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")
    return copy


def driver(folder, *args, blocked: str = "", cwd=None) -> subprocess.CompletedProcess:
    command = [sys.executable, str(folder / "run_hpo.py"), *map(str, args)]
    if blocked:
        command = [sys.executable, "-c", _BLOCKING, blocked, str(folder / "run_hpo.py"), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S, cwd=cwd)


def one_line(result, code: int, *fragments: str) -> str:
    # hpogen run's progress bar (on stderr) may come first; nothing else may
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("SMAC ")]
    assert result.returncode == code, (result.returncode, result.stderr[-3000:])
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def assert_stopped(out, error: str):
    results = json.loads((out / "results.json").read_text())
    assert results["stopped_early"]["trials"] == results["trials_run"] == 5
    assert results["stopped_early"]["error"] == error
    assert results["test_metrics"] is None
    assert "algorithm" in results["stopped_early"]["first_config"]


@pytest.mark.slow
def test_hpogen_run_stops_when_every_configuration_raises(tmp_path, tmp_path_factory):
    folder = broken_bundle(tmp_path, tmp_path_factory, FAILS_ALWAYS)
    out = tmp_path / "run"
    result = hpogen("run", folder, "--n-trials", "60", "--walltime", "900", "--out", out)
    one_line(result, 1, "stopped after 5 trials", "ValueError: every configuration fails here", "first configuration")
    assert_stopped(out, "ValueError: every configuration fails here")
    assert not (out / "model").exists()


@pytest.mark.slow
def test_driver_stops_when_every_configuration_raises(tmp_path, tmp_path_factory):
    folder = broken_bundle(tmp_path, tmp_path_factory, FAILS_ALWAYS)
    out = tmp_path / "run"
    result = driver(folder, "--n-trials", "60", "--walltime", "900", "--out", out, cwd=tmp_path)
    one_line(result, 1, "run_hpo.py: stopped after 5 trials", "ValueError: every configuration fails here")
    assert_stopped(out, "ValueError: every configuration fails here")


def test_hpogen_run_stops_on_a_train_py_that_fails_on_import(tmp_path, tmp_path_factory):
    folder = broken_bundle(tmp_path, tmp_path_factory, FAILS_ON_IMPORT)
    result = hpogen("run", folder, "--n-trials", "3", "--out", tmp_path / "run")
    one_line(result, 1, "train.py fails on import: RuntimeError: train.py cannot be imported")


@pytest.mark.slow
def test_driver_stops_on_a_train_py_that_fails_on_import(tmp_path, tmp_path_factory):
    folder = broken_bundle(tmp_path, tmp_path_factory, FAILS_ON_IMPORT)
    out = tmp_path / "run"
    result = driver(folder, "--n-trials", "60", "--walltime", "900", "--out", out, cwd=tmp_path)
    one_line(result, 1, "stopped after 5 trials", "RuntimeError: train.py cannot be imported")


def test_driver_names_missing_packages_before_any_work(tmp_path, tmp_path_factory):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "run"
    result = driver(folder, "--out", out, blocked="pandas,skops,matplotlib", cwd=tmp_path)
    from hpogen.tables import table

    pins = {m: f"{e['distribution']}=={e['version']}" for m, e in table("requirements")["imports"].items()}
    line = one_line(result, 2, pins["pandas"], pins["skops"], "pip install -r")
    assert "matplotlib" not in line  # optional: the run works without it
    assert not out.exists()


def test_hpogen_run_names_missing_packages_before_any_work(tmp_path, tmp_path_factory):
    folder = bundle("tabular", tmp_path_factory)
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-c", _BLOCKING, "skops", "hpogen", "run", str(folder), "--out", str(out)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S)
    one_line(result, 2, "hpogen: error: the bundle needs skops==0.16.0", "requirements.txt")
    assert not out.exists()
