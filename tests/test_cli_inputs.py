"""Spec sources agree, bad input fails cleanly, and the generate path stays light."""

import json

import numpy as np
import pytest
from bundles import bundle_files, generate, run_cli

from hpogen.dataset.embedded import embedded_facts, embedded_names, load_embedded

MNIST_FACTS = {"name": "same_facts", "type": "image", "task": "classification", "n_samples": 60,
               "n_classes": 3, "image_shape": [1, 6, 6]}


def _mnist_npz(path, **extra):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 255, size=(60, 6, 6), dtype=np.uint8)
    y = np.arange(60) % 3
    np.savez(path, X=X, y=y, **extra)
    return path


def test_flags_spec_file_and_data_file_give_the_same_bundle(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: same_facts\ntype: image\ntask: classification\nn_samples: 60\nn_classes: 3\nimage_shape: [1, 6, 6]\n")
    from_spec = generate(["--spec", str(spec)], tmp_path / "a")
    from_flags = generate(["--dataset-type", "image", "--name", "same_facts", "--n-samples", "60", "--n-classes", "3",
                           "--image-shape", "1,6,6"], tmp_path / "b")
    data = _mnist_npz(tmp_path / "same_facts.npz")
    from_data = generate(["--data", str(data)], tmp_path / "c")
    assert bundle_files(from_spec) == bundle_files(from_flags) == bundle_files(from_data)


def test_data_file_is_never_modified(tmp_path):
    data = _mnist_npz(tmp_path / "d.npz")
    before = data.read_bytes()
    generate(["--data", str(data)], tmp_path / "bundle")
    assert data.read_bytes() == before


def test_csv_facts(tmp_path):
    csv = tmp_path / "people.csv"
    rows = ["age,city,income,label"] + [f"{20 + i % 30},{['a', 'b', 'c'][i % 3]},{'' if i % 7 == 0 else i * 10},{'yes' if i % 2 else 'no'}" for i in range(40)]
    csv.write_text("\n".join(rows) + "\n")
    bundle = generate(["--data", str(csv), "--target", "label"], tmp_path / "b")
    spec = json.loads((bundle / "hpogen.lock.json").read_text())["spec"]
    assert spec["type"] == "tabular" and spec["n_features"] == 3 and spec["n_categorical"] == 1
    assert spec["has_missing"] is True and spec["n_classes"] == 2 and spec["task"] == "classification"
    names = {hp["name"] for hp in json.loads((bundle / "configspace.json").read_text())["hyperparameters"]}
    assert {"imputer", "categorical_encoding"} <= names


def test_image_folder_facts(tmp_path):
    from PIL import Image

    for label in ("cat", "dog"):
        (tmp_path / "imgs" / label).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (10, 12), (i * 40, 0, 0)).save(tmp_path / "imgs" / label / f"{i}.png")
    bundle = generate(["--data", str(tmp_path / "imgs")], tmp_path / "b")
    spec = json.loads((bundle / "hpogen.lock.json").read_text())["spec"]
    assert spec["image_shape"] == [3, 12, 10] and spec["n_classes"] == 2 and spec["n_samples"] == 6


@pytest.mark.parametrize("name", embedded_names())
def test_embedded_facts_match_the_real_loaders(name):
    facts = embedded_facts(name)
    if facts["task"] == "forecasting":  # every series' points, read as the bundle reads them
        from hpogen.dataset.bundle_forecast import embedded_forecast, forecast_facts

        found = forecast_facts(embedded_forecast(name))
        for key in ("n_samples", "n_series", "min_length", "max_length", "frequency"):
            assert facts[key] == found[key], key
        assert dict(facts.get("covariates", {})) == dict(found["covariates"])
        return
    data = load_embedded(name)
    assert facts["n_samples"] == len(data.X)
    if facts["task"] == "classification":
        assert facts["n_classes"] == len(np.unique(data.y))
    if facts["type"] == "image":
        assert list(data.X.shape[1:]) == facts["image_shape"]
    elif facts["type"] == "time_series":  # NaN after each series' end
        ends = (~np.isnan(data.X)).any(axis=1)
        lengths = data.X.shape[2] - np.argmax(ends[:, ::-1], axis=1)
        assert (facts["n_channels"], facts["min_length"], facts["max_length"]) == (
            data.X.shape[1], lengths.min(), lengths.max())
        assert data.X_test is not None and data.X_test.shape[1] == facts["n_channels"]
    else:
        assert facts["n_features"] == data.X.shape[1]


def _write(path, text):
    path.write_text(text)
    return str(path)


BAD_INPUTS = {
    "unknown type": lambda t: ["--dataset-type", "audio"],
    "zero size": lambda t: ["--dataset-type", "image", "--n-samples", "0", "--n-classes", "2", "--image-shape", "1,8,8"],
    "negative size": lambda t: ["--spec", _write(t / "s.json", json.dumps({**MNIST_FACTS, "n_samples": -5}))],
    "unknown spec key": lambda t: ["--spec", _write(t / "s.json", json.dumps({**MNIST_FACTS, "colour": True}))],
    "malformed json": lambda t: ["--spec", _write(t / "s.json", "{name: ")],
    "malformed insights": lambda t: ["--dataset-type", "image", "--insights", _write(t / "i.json", "[1, 2")],
    "insights of wrong shape": lambda t: ["--dataset-type", "image", "--insights", _write(t / "i.json", "[1, 2]")],
    "missing data file": lambda t: ["--data", str(t / "nope.npz")],
    "csv without target column": lambda t: ["--data", _write(t / "d.csv", "a,b\n1,2\n3,4\n"), "--target", "label"],
    "csv without --target": lambda t: ["--data", _write(t / "d.csv", "a,b\n1,2\n3,4\n")],
    "nan labels": lambda t: ["--data", str(_nan_npz(t / "n.npz"))],
    "one class only": lambda t: ["--data", _write(t / "d.csv", "a,label\n1,x\n2,x\n3,x\n"), "--target", "label"],
    "one class in spec": lambda t: ["--spec", _write(t / "s.json", json.dumps({**MNIST_FACTS, "n_classes": 1}))],
}


def _nan_npz(path):
    np.savez(path, X=np.zeros((4, 3)), y=np.array([0.0, np.nan, 1.0, 0.0]))
    return path


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(case, tmp_path):
    out = tmp_path / "bundle"
    result = run_cli("generate", *BAD_INPUTS[case](tmp_path), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".bundle")]


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    result = run_cli("generate", "--dataset-type", "tabular", "--out", str(out))
    assert result.returncode == 2 and "--force" in result.stderr
    assert (out / "keep.txt").read_text() == "user file"


def test_plan_prints_the_planner_json():
    result = run_cli("plan", "--dataset-type", "image")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["suggested_facade"] == "HyperbandFacade"
    assert "min_budget=16" in plan["scenario_plan"]


def test_explain_names_rules():
    result = run_cli("plan", "--dataset-type", "tabular", "--explain")
    assert result.returncode == 0, result.stderr
    assert "HPG-TAB-FACADE" in result.stdout and "PRIOR-AUTOSKLEARN" in result.stdout
