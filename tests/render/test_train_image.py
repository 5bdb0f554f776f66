"""A generated image train.py, run for real in subprocesses (generated code never runs here).

`hpogen generate` writes real bundles (grey digits, RGB images, a complex-tier space); driver
scripts import a bundle's train.py and config_space.py in a fresh interpreter and print JSON
results, which the tests check. The drivers import the helpers below and tests/configs.py, so
this module imports nothing heavy at the top level. Sampled sweeps of whole spaces live in
test_sweeps.py.
"""

from __future__ import annotations

import ast
import json
import math
import re
import subprocess
from pathlib import Path

import pytest
from contract import classification_keys
from image_driver import run_driver

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "bundle" / "train_image.py"
# `hpogen generate` arguments of the bundles these tests run
BUNDLE_ARGS = {
    "grey": ["--dataset", "digits"],
    "rgb": ["--dataset-type", "image", "--name", "rgb_digits", "--n-samples", "1797", "--n-classes", "10",
            "--image-shape", "3,8,8"],
    # 8x8 grey images in the complex tier: up to 8 conv layers, pooling stops at 1x1
    "deep": ["--dataset-type", "image", "--name", "deep_digits", "--n-samples", "1280000", "--n-classes", "1000",
             "--image-shape", "1,8,8"],
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, str]:
    """Folder of each bundle in BUNDLE_ARGS, written by `hpogen generate`."""
    from bundles import generate

    root = tmp_path_factory.mktemp("bundles")
    return {name: str(generate(args, root / name)) for name, args in BUNDLE_ARGS.items()}


@pytest.fixture(scope="module")
def full_epochs(bundles) -> int:
    """Epochs of the grey bundle's train() without a budget: its max budget."""
    decisions = json.loads((Path(bundles["grey"]) / "decisions.json").read_text())["decisions"]
    return int(next(d["value"] for d in decisions if d["decision"] == "max_budget"))


def metric_problems(payload: dict, labels: list[str], epochs: int | None = None) -> list[str]:
    """Everything wrong with one train() result (empty when it honours the contract)."""
    metrics, problems = payload["metrics"], []
    expected = classification_keys(labels)
    if set(metrics) != expected:
        problems.append(f"keys differ: {sorted(set(metrics) ^ expected)}")
    if not set(payload["types"]) <= {"float", "int"}:
        problems.append(f"non-native value types {payload['types']}")
    loss = metrics.get("loss", math.nan)
    if not (math.isfinite(loss) and 0.0 <= loss <= 1.0):
        problems.append(f"loss {loss} is not finite in [0, 1]")
    if not math.isclose(loss, 1.0 - metrics.get("accuracy", math.nan)):
        problems.append("loss is not 1 - accuracy")
    if epochs is not None and metrics.get("epochs_completed") != epochs:
        problems.append(f"epochs_completed {metrics.get('epochs_completed')} != {epochs}")
    return problems


def comparable(metrics: dict) -> dict:
    """The metrics a resumed run must reproduce (everything but timing and epoch counts)."""
    return {k: v for k, v in metrics.items() if k not in ("training_time", "epochs_completed")}


# ----------------------------------------------------------------------------- template


def test_template_is_valid_python_with_the_contract_holes():
    source = TEMPLATE.read_text(encoding="utf-8")
    ast.parse(source)
    for hole in ("{image_shape}", "{full_epochs}", "{max_filters}", "{defaults}"):
        assert source.count(hole) == 1, hole


def test_rendered_bundle_is_ruff_clean_and_filled(bundles):
    from hpogen.formatting import ruff_binary

    config = ROOT / "src" / "hpogen" / "ruff_generated.toml"
    for folder in bundles.values():
        path = str(Path(folder) / "train.py")
        source = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(source)
        assert "{image_shape}" not in source and "{defaults}" not in source
        assigned = {
            node.targets[0].id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        assert {"IMAGE_SHAPE", "FULL_EPOCHS", "MAX_FILTERS", "DEFAULTS"} <= assigned
        checked = subprocess.run(
            [ruff_binary(), "check", "--config", str(config), "--no-cache", path],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        too_long = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno > 50
        ]
        assert not too_long, too_long


def test_render_rejects_a_bad_image_shape():
    from hpogen.render.train import render_image_train

    with pytest.raises(ValueError):
        render_image_train((8, 8), full_epochs=2, max_filters=64, defaults={})


# ----------------------------------------------------------------------------- inputs
# One driver (one torch import) runs every input case, a longer default run, a run without
# a budget, the metric arithmetic check and a run that saves the model.

INPUT_CASES_BODY = """
import pandas as pd
import torch
from sklearn import metrics as skm

grey = load_bundle(PARAMS["grey"], "grey_train")
rgb = load_bundle(PARAMS["rgb"], "rgb_train")
images, labels = digits_images(300, seed=1)
colour_images, colour_labels = rgb_digits(300, seed=2)
test_images, test_labels = digits_images(120, seed=3)
augmented = {"rotation_degrees": 20.0, "horizontal_flip": True, "batch_norm": True}
jittered = dict(augmented, color_jitter=0.3, spatial_dropout=0.2)


def unbalanced(counts):
    all_images, all_labels = digits_images(1797, seed=4)
    rows = np.concatenate([np.flatnonzero(all_labels == k)[:n] for k, n in enumerate(counts)])
    return {"X": all_images[rows], "y": all_labels[rows]}


def flat(values):
    return values.reshape(len(values), -1)


cases = {
    "nchw": (grey, {}, {"X": images[:, None], "y": labels}),
    "nhwc": (grey, {}, {"X": images[..., None], "y": labels}),
    "nhw": (grey, augmented, {"X": images, "y": labels}),
    "flattened": (grey, {}, {"X": flat(images), "y": labels}),
    "uint8": (grey, {}, {"X": (images * 15).astype(np.uint8), "y": labels}),
    "rgb_nchw": (rgb, jittered, {"X": colour_images, "y": colour_labels}),
    "rgb_nhwc_uint8": (
        rgb,
        jittered,
        {"X": (colour_images * 15).astype(np.uint8).transpose(0, 2, 3, 1), "y": colour_labels},
    ),
    "rgb_flattened": (rgb, {}, {"X": flat(colour_images), "y": colour_labels}),
    "string_labels": (grey, {}, {"X": images, "y": np.array([f"d{k}" for k in labels])}),
    "pandas": (
        grey,
        augmented,
        {"X": pd.DataFrame(flat(images)), "y": pd.Series([f"digit {k}" for k in labels])},
    ),
    "two_classes": (grey, {}, {"X": images[labels < 2], "y": labels[labels < 2]}),
    "unbalanced": (grey, {}, unbalanced([60, 3, 40, 5, 25, 2, 30, 8, 12, 4])),
    "one_sample_class": (grey, {}, unbalanced([30, 30, 30, 30, 30, 30, 30, 30, 30, 1])),
    "batch_larger_than_train": (
        grey,
        {"batch_size": 128, "batch_norm": True, "n_conv_layers": 4},
        {"X": images[:20], "y": labels[:20]},
    ),
    "trailing_batch_of_one": (
        grey,
        {"batch_size": 16, "batch_norm": True, "n_conv_layers": 4},
        {"X": images[:22], "y": labels[:22]},
    ),
    "with_test": (
        grey,
        {},
        {"X": images, "y": labels, "X_test": test_images, "y_test": test_labels},
    ),
    "with_test_pandas": (
        grey,
        {"optimizer": "sgd", "momentum": 0.9},
        {
            "X": pd.DataFrame(flat(images)),
            "y": pd.Series(labels),
            "X_test": pd.DataFrame(flat(test_images)),
            "y_test": pd.Series(test_labels),
        },
    ),
}
for name, (bundle, config, dataset) in cases.items():
    all_labels = [np.asarray(dataset["y"])] + ([np.asarray(dataset["y_test"])] if "y_test" in dataset else [])
    result = bundle.train(config, dataset, seed=0, budget=1.0)
    results[name] = dict(described(result), labels=[str(v) for v in np.unique(np.concatenate(all_labels))])

long_images, long_labels = digits_images(800, seed=5)
results["learns"] = described(grey.train({}, {"X": long_images, "y": long_labels}, seed=0, budget=10))
results["no_budget"] = described(grey.train({}, {"X": images[:200], "y": labels[:200]}, seed=0))

rng = np.random.default_rng(0)
arithmetic = []
for n_classes in (2, 5, 10):
    true = rng.integers(0, n_classes, 50)
    predicted = rng.integers(0, max(1, n_classes - 1), 50)
    true[true == 1] = 0  # a class absent from the true labels
    ours = grey.classification_metrics(true, predicted, np.arange(n_classes))
    reference = {
        "accuracy": skm.accuracy_score(true, predicted),
        "balanced_accuracy": skm.balanced_accuracy_score(true, predicted),
        "precision_macro": skm.precision_score(true, predicted, average="macro", zero_division=0),
        "recall_macro": skm.recall_score(true, predicted, average="macro", zero_division=0),
        "f1_macro": skm.f1_score(true, predicted, average="macro", zero_division=0),
    }
    arithmetic.append({key: [ours[key], float(value)] for key, value in reference.items()})
results["arithmetic"] = arithmetic

# saving: train with X_test, reload the state_dict, recompute the accuracy from the files
folder = PARAMS["model_dir"]
string_labels, string_test_labels = labels.astype(str), test_labels.astype(str)
save_config = {"batch_norm": True, "n_conv_layers": 3, "dropout": 0.3}
saved = grey.train(
    save_config,
    {"X": images, "y": string_labels, "X_test": test_images, "y_test": string_test_labels},
    seed=0,
    budget=3,
    model_dir=folder,
)
metadata = json.load(open(folder + "/metadata.json"))
state = torch.load(folder + "/model.pt", weights_only=True)
network = grey.build_network(metadata["architecture"])
network.load_state_dict(state, strict=True)
network.eval()
mean = torch.tensor(metadata["normalisation"]["mean"]).view(1, -1, 1, 1)
std = torch.tensor(metadata["normalisation"]["std"]).view(1, -1, 1, 1)
with torch.no_grad():
    codes = network((torch.as_tensor(test_images[:, None]) - mean) / std).argmax(dim=1).numpy()
results["saved"] = {
    "metrics": saved,
    "metadata": metadata,
    "config": json.load(open(folder + "/config.json")),
    "reloaded_accuracy": float(np.mean(np.asarray(metadata["classes"])[codes] == string_test_labels)),
}
"""

INPUT_CASES = [
    "nchw",
    "nhwc",
    "nhw",
    "flattened",
    "uint8",
    "rgb_nchw",
    "rgb_nhwc_uint8",
    "rgb_flattened",
    "string_labels",
    "pandas",
    "two_classes",
    "unbalanced",
    "one_sample_class",
    "batch_larger_than_train",
    "trailing_batch_of_one",
    "with_test",
    "with_test_pandas",
]


@pytest.fixture(scope="module")
def driver_results(bundles, tmp_path_factory) -> dict:
    """Everything but the sweep, in one driver (one torch import)."""
    work = tmp_path_factory.mktemp("driver")
    params = dict(bundles, model_dir=str(work / "model"), checkpoints=str(work / "checkpoints"))
    results = run_driver(work, [INPUT_CASES_BODY, CHECKPOINT_BODY, PLACEMENT_BODY], params)
    return dict(results, model_dir=params["model_dir"])


@pytest.fixture(scope="module")
def input_case_results(driver_results) -> dict:
    return driver_results


@pytest.mark.parametrize("case", INPUT_CASES)
def test_input_case(input_case_results, case):
    payload = input_case_results[case]
    assert metric_problems(payload, payload["labels"], epochs=1) == []


def test_string_labels_name_the_per_class_keys(input_case_results):
    metrics = input_case_results["string_labels"]["metrics"]
    assert "f1_class_d7" in metrics and "precision_class_d0" in metrics
    assert "recall_class_digit 3" in input_case_results["pandas"]["metrics"]


def test_default_configuration_learns_digits(input_case_results):
    payload = input_case_results["learns"]
    assert metric_problems(payload, [str(k) for k in range(10)]) == []
    assert 0 < payload["metrics"]["epochs_completed"] <= 10
    assert payload["metrics"]["accuracy"] > 0.85


def test_budget_none_trains_full_epochs(input_case_results, full_epochs):
    """Without a budget: the bundle's max budget of epochs, unless early stopping ends it first."""
    metrics = input_case_results["no_budget"]["metrics"]
    patience = int(re.search(r"^EARLY_STOPPING_PATIENCE = (\d+)", TEMPLATE.read_text(), re.M).group(1))
    stopped_early = metrics["epochs_completed"] - metrics["best_epoch"] == patience
    assert metrics["epochs_completed"] == full_epochs or stopped_early
    assert metrics["epochs_completed"] > 10  # more than the small budgets of the other cases


def test_derived_metrics_match_sklearn(input_case_results):
    for case in input_case_results["arithmetic"]:
        for key, (ours, reference) in case.items():
            assert ours == pytest.approx(reference, abs=1e-12), key


def test_model_dir_holds_a_reloadable_state_dict(input_case_results):
    model_dir = Path(input_case_results["model_dir"])
    saved = input_case_results["saved"]
    assert {p.name for p in model_dir.iterdir()} >= {"model.pt", "config.json", "metadata.json"}
    metadata = saved["metadata"]
    assert metadata["image_shape"] == [1, 8, 8]
    assert metadata["classes"] == [str(k) for k in range(10)]
    assert metadata["architecture"]["filters"] == [32, 64, 128]
    assert metadata["metrics"]["accuracy"] == saved["metrics"]["accuracy"]
    assert saved["config"] == {"batch_norm": True, "n_conv_layers": 3, "dropout": 0.3}
    assert saved["reloaded_accuracy"] == pytest.approx(saved["metrics"]["accuracy"])


# ----------------------------------------------------------------------------- fidelities

CHECKPOINT_BODY = """
bundle = load_bundle(PARAMS["grey"])
space = load_space(PARAMS["grey"])
noisy = configuration(
    space, spatial_dropout=0.2, rotation_degrees=15.0, horizontal_flip=True,
    optimizer="sgd", momentum=0.9, learning_rate=0.05, batch_size=32,
)
harsh = configuration(space, activation="leaky_relu", leaky_relu_slope=0.2, learning_rate=0.1, batch_norm=False)
fidelity_images, fidelity_labels = digits_images(300, seed=6)


def run(config, budget, checkpoints=None):
    dataset = {"X": fidelity_images, "y": fidelity_labels}
    if checkpoints is not None:
        dataset["checkpoint_dir"] = PARAMS["checkpoints"] + "/" + checkpoints
    return bundle.train(config, dataset, seed=7, budget=budget)


results["checkpoints"] = {
    "first": run(noisy, 2.0, "a"),
    "resumed": run(noisy, 5.0, "a"),
    "covered": run(noisy, 5.0, "a"),
    "smaller": run(noisy, 3.0, "a"),
    "straight": run(noisy, 5.0),
    "straight_3": run(noisy, 3.0),
    "no_dir_first": run(noisy, 2.0),
    "no_dir_second": run(noisy, 5.0),
    "harsh_first": run(harsh, 4.0, "b"),
    "harsh_resumed": run(harsh, 16.0, "b"),
    "harsh_straight": run(harsh, 16.0),
    "other_seed": bundle.train(noisy, {"X": fidelity_images, "y": fidelity_labels}, seed=8, budget=5.0),
}
"""


@pytest.fixture(scope="module")
def checkpoint_results(driver_results) -> dict:
    return driver_results["checkpoints"]


def test_resumed_run_trains_only_the_missing_epochs(checkpoint_results):
    assert checkpoint_results["first"]["epochs_completed"] == 2
    assert checkpoint_results["resumed"]["epochs_completed"] == 3
    assert checkpoint_results["covered"]["epochs_completed"] == 0


def test_resumed_run_equals_a_straight_run(checkpoint_results):
    straight = comparable(checkpoint_results["straight"])
    assert comparable(checkpoint_results["resumed"]) == straight
    assert comparable(checkpoint_results["covered"]) == straight
    assert comparable(checkpoint_results["harsh_resumed"]) == comparable(
        checkpoint_results["harsh_straight"]
    )
    assert checkpoint_results["harsh_resumed"]["epochs_completed"] == (
        checkpoint_results["harsh_straight"]["epochs_completed"]
        - checkpoint_results["harsh_first"]["epochs_completed"]
    )


def test_a_checkpoint_beyond_the_budget_is_not_used(checkpoint_results):
    assert checkpoint_results["smaller"]["epochs_completed"] == 3
    assert comparable(checkpoint_results["smaller"]) == comparable(checkpoint_results["straight_3"])


def test_without_checkpoint_dir_every_call_trains_from_scratch(checkpoint_results):
    assert checkpoint_results["no_dir_first"]["epochs_completed"] == 2
    assert checkpoint_results["no_dir_second"]["epochs_completed"] == 5
    assert comparable(checkpoint_results["no_dir_second"]) == comparable(
        checkpoint_results["straight"]
    )


def test_the_seed_changes_the_run(checkpoint_results):
    assert comparable(checkpoint_results["other_seed"]) != comparable(
        checkpoint_results["straight"]
    )


# ----------------------------------------------------------------------------- data placement
# No GPU here: the CUDA memory query is answered by hand, to check the decision it drives.

PLACEMENT_BODY = """
import torch

placement = load_bundle(PARAMS["grey"], "placement_train")
cuda = torch.device("cuda")
gib = 2**30
torch.cuda.mem_get_info = lambda device=None: (8 * gib, 80 * gib)  # 8 GiB free
results["placement"] = {
    "cpu_stays": str(placement.storage_device(torch.device("cpu"), 10**15)),
    "fits": str(placement.storage_device(cuda, 3 * gib)),
    "too_big": str(placement.storage_device(cuda, 5 * gib)),
}

# standardising happens in place on the function's own float copy, never on the caller's arrays
import warnings

grey_images, grey_labels = digits_images(120)
uint8_test = (grey_images[:40] * 15).astype(np.uint8)
uint8_test.setflags(write=False)  # as a read-only memory map of an image cache
before = (grey_images.copy(), uint8_test.copy())
with warnings.catch_warnings():
    warnings.simplefilter("error")  # torch warns on sharing a read-only array
    prepared = placement.prepare_data(
        {"X": grey_images, "y": grey_labels, "X_test": uint8_test, "y_test": grey_labels[:40]}, 0, torch.device("cpu")
    )
results["untouched"] = {
    "float_input": bool(np.array_equal(grey_images, before[0])),
    "uint8_input": bool(np.array_equal(uint8_test, before[1])),
    "train_mean": float(prepared.train_images.mean()),
    "train_dtype": str(prepared.train_images.dtype),
    "shares_memory": bool(np.shares_memory(prepared.train_images.numpy(), grey_images)),
}
"""


def test_images_stay_in_host_memory_when_they_would_crowd_the_device(driver_results):
    placement = driver_results["placement"]
    assert placement["cpu_stays"] == "cpu"
    assert placement["fits"] == "cuda"  # 3 GiB of 8 GiB free: on the device once
    assert placement["too_big"] == "cpu"  # 5 GiB: batches move one at a time


def test_standardising_never_writes_the_callers_arrays(driver_results):
    untouched = driver_results["untouched"]
    assert untouched["float_input"] and untouched["uint8_input"] and not untouched["shares_memory"]
    assert untouched["train_dtype"] == "torch.float32" and abs(untouched["train_mean"]) < 1e-4


# ----------------------------------------------------------------------------- deep networks

DEEP_BODY = """
bundle = load_bundle(PARAMS["deep"], "deep_train")
space = load_space(PARAMS["deep"])
# the complex tier's deepest, widest corners on 8x8 images: pooling stops at 1x1
configs = corners(space, sides=(1,), vary=("kernel_size", "batch_norm", "pooling"))
data = dict(zip(("X", "y"), digits_images(300)))
failures, trained = [], []
for config in configs:
    try:
        result = bundle.train(config, data, seed=0, budget=1.0)
    except Exception:
        failures.append({"config": {k: str(v) for k, v in dict(config).items()}, "error": traceback.format_exc()[-1500:]})
    else:
        trained.append(described(result))
results.update(failures=failures, results=trained, n_configs=len(configs), layers=[int(c["n_conv_layers"]) for c in configs])
"""


@pytest.mark.slow
def test_deepest_networks_train_on_tiny_images(bundles, tmp_path):
    result = run_driver(tmp_path, [DEEP_BODY], dict(bundles))
    assert result["failures"] == []
    assert result["n_configs"] >= 4 and set(result["layers"]) == {8}
    labels = [str(k) for k in range(10)]
    assert [p for payload in result["results"] for p in metric_problems(payload, labels, 1)] == []
