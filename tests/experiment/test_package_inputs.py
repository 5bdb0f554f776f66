"""Bad input to basecode and derive: one clear line on stderr, exit 2, nothing written, and the
user's files untouched."""

import json
import subprocess
import sys

import pytest
from packages import EXPERIMENT_GOLDEN, invoke, tree

from hpogen.experiment.families import family_names

METHOD = json.loads((EXPERIMENT_GOLDEN / "ohgw" / "method.json").read_text())


def hpogen(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hpogen", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, stdin=subprocess.DEVNULL, timeout=120)


def assert_refused(result, fragment):
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpogen: error:") and fragment in lines[0], result.stderr


@pytest.mark.parametrize(("text", "fragment"), [
    ("{not json", "malformed method JSON"),
    (json.dumps({k: v for k, v in METHOD.items() if k != "Methods"}), "missing key 'Methods'"),
    (json.dumps({**METHOD, "Methods": 3}), "'Methods' must be a string"),
    (json.dumps({**METHOD, "Extra": "x"}), "unknown key 'Extra'"),
    (json.dumps([METHOD]), "expected a JSON object"),
])
def test_bad_method_json(tmp_path, text, fragment):
    method = tmp_path / "method.json"
    method.write_text(text)
    assert_refused(hpogen("basecode", method, "--out", tmp_path / "out"), fragment)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["method.json"]
    assert method.read_text() == text


def test_unknown_family_lists_the_families(tmp_path):
    result = hpogen("basecode", EXPERIMENT_GOLDEN / "ohgw" / "method.json", "--method-family", "rl", "--out", tmp_path / "o")
    assert_refused(result, f"families: {', '.join(family_names())}")
    assert {"hpo_scheduler", "baseline"} <= set(family_names())
    assert not (tmp_path / "o").exists()


def test_unrecognised_method_asks_for_a_family(tmp_path):
    result = hpogen("basecode", EXPERIMENT_GOLDEN / "family_override" / "method.json", "--out", tmp_path / "o")
    assert_refused(result, "--method-family")
    assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("base") / "base"
    invoke("basecode", EXPERIMENT_GOLDEN / "ohgw" / "method.json", "--out", folder)
    return folder


@pytest.mark.parametrize(("args", "fragment"), [
    (["--dataset", "imagenet"], "unknown dataset 'imagenet'"),
    (["--model", "vit"], "unknown model 'vit'"),
    (["--dataset", "cifar10", "--data-root", "EMPTY"], "lacks the cifar10 files"),
    (["--dataset", "digits", "--data-root", "EMPTY"], "does not apply"),
])
def test_bad_derive_options(base, tmp_path, args, fragment):
    (tmp_path / "empty").mkdir()
    args = [str(tmp_path / "empty") if a == "EMPTY" else a for a in args]
    before = tree(base)
    assert_refused(hpogen("derive", base, "--out", tmp_path / "out", *args), fragment)
    assert not (tmp_path / "out").exists() and tree(base) == before


def test_data_root_with_the_files_is_recorded(base, tmp_path):
    root = tmp_path / "data"
    for name in ("data_batch_1", "data_batch_5", "test_batch", "batches.meta"):
        (root / "cifar-10-batches-py").mkdir(parents=True, exist_ok=True)
        (root / "cifar-10-batches-py" / name).write_bytes(b"")
    invoke("derive", base, "--dataset", "cifar10", "--data-root", root, "--out", tmp_path / "out")
    full = (tmp_path / "out" / "config" / "full_experiment.yaml").read_text()
    assert f"data_root: {root.resolve()}" in full


@pytest.mark.parametrize(("variant", "fragment"), [("../escape", "unsafe run_id"), ("asha-none", "duplicate run_id")])
def test_unsafe_or_duplicate_run_ids(base, tmp_path, variant, fragment):
    edited = tmp_path / "base"
    edited.mkdir()
    for name, data in tree(base).items():
        (edited / name).parent.mkdir(parents=True, exist_ok=True)
        (edited / name).write_bytes(data)
    config = edited / "config" / "full_experiment.yaml"
    config.write_text(config.read_text().replace("variant: asha-ohgw\n", f"variant: {variant}\n", 1))
    assert_refused(hpogen("derive", edited, "--out", tmp_path / "out"), fragment)
    assert not (tmp_path / "out").exists()


def test_derive_refuses_a_derived_package(base, tmp_path):
    invoke("derive", base, "--dataset", "digits", "--out", tmp_path / "derived")
    assert_refused(hpogen("derive", tmp_path / "derived", "--out", tmp_path / "again"), "derived already")


def test_derive_refuses_a_folder_that_is_not_a_package(tmp_path):
    assert_refused(hpogen("derive", tmp_path, "--out", tmp_path / "out"), "not an experiment package")
