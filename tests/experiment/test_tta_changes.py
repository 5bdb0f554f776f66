"""The tta family's changes and arms do what their sources say, checked on real derived packages
(`hpogen basecode` + `hpogen derive`, digits + small CNN), each driven in a fresh process:

- entropy scaling weights each sample by exp(margin * ln K - H) and entropy threshold keeps the
  samples on one side of margin * ln K, against a direct computation on four logit rows;
- BN adaptation normalises with the test batch's own statistics and leaves the source untouched;
- TENT changes only the batch-norm affine parameters, predicts with the forward pass of its
  update, and lowers the entropy it minimises;
- the corruptions are seeded (same seed, same images) and move the images further from the clean
  ones as the severity grows.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from packages import ROOT, invoke

METHODS = ROOT / "tests" / "experiment" / "methods"
LOGITS = [[4.0, 0.0, 0.0, 0.0], [1.0, 0.9, 0.8, 0.7], [2.0, 1.0, 0.0, -1.0], [0.0, 0.0, 0.0, 0.0]]
MARGIN = 0.5

DRIVER = textwrap.dedent('''
    import copy, json, sys
    import torch
    sys.path.insert(0, sys.argv[1])
    from src import train
    from src.preprocess import load_dataset

    LOGITS, MARGIN = json.loads(sys.argv[2]), float(sys.argv[3])
    torch.manual_seed(0)
    report = {"changes": {}}
    logits = torch.tensor(LOGITS)
    context = {"num_classes": logits.shape[1], "batch": 0, "stream": {}}
    for name in train.CHANGES.get("adapt_loss", {}):
        found = {}
        for side in ("below", "above"):
            training = {"changes": [name], "scaling_margin": MARGIN, "threshold_margin": MARGIN, "threshold_side": side}
            objective, weights = train.adaptation_objective(logits, context, training)
            found[side] = {"objective": objective.item(), "weights": weights.tolist()}
        report["changes"][name] = found
    report["entropy"] = train.softmax_entropy(logits).tolist()
    report["plain_objective"] = train.adaptation_objective(logits, context, {})[0].item()

    data = load_dataset("digits", None, 240, 0)
    x = data["X_test"][:32]

    def source_model():
        model = train.build_model("small_cnn", data["input_shape"], data["num_classes"])
        model.train()
        with torch.no_grad():  # running statistics unlike any test batch's
            for _ in range(3):
                model(data["X_train"][:64] * 3 + 1)
        return model.eval()

    source = source_model()
    before = {k: v.clone() for k, v in source.state_dict().items()}
    bn = train.Adapter(source, "bn_adapt", {}, data["num_classes"])
    seen = {}
    first = train.batch_norm_layers(bn.model)[0]
    first.register_forward_hook(lambda m, i, o: seen.update(inp=i[0].detach(), out=o.detach()))
    adapted = bn.predict(x, {"batch": 0, "stream": {}})
    inp = seen["inp"]
    mean, var = inp.mean(dim=(0, 2, 3), keepdim=True), inp.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    expected = (inp - mean) / torch.sqrt(var + first.eps) * first.weight[None, :, None, None] + first.bias[None, :, None, None]
    report["bn"] = {"max_error": (seen["out"] - expected).abs().max().item(),
                    "differs_from_source": (adapted - source.eval()(x)).abs().max().item(),
                    "source_unchanged": all(torch.equal(before[k], v) for k, v in source.state_dict().items())}

    tent = train.Adapter(source, "tent", {"adapt_lr": 0.01, "adapt_optimizer": "adam"}, data["num_classes"])
    start = copy.deepcopy(tent.model)
    with torch.no_grad():
        reference = start(x)
    params = {n: p.detach().clone() for n, p in tent.model.named_parameters()}
    predicted = tent.predict(x, {"batch": 0, "stream": {}})
    affine = {f"{n}.{k}" for n, m in tent.model.named_modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
              for k in ("weight", "bias")}
    changed = sorted(n for n, p in tent.model.named_parameters() if not torch.equal(params[n], p.detach()))
    entropy_before = train.softmax_entropy(reference).mean().item()
    for _ in range(10):
        last = tent.predict(x, {"batch": 0, "stream": {}})
    report["tent"] = {"changed": changed, "affine": sorted(affine),
                      "trainable": sorted(n for n, p in tent.model.named_parameters() if p.requires_grad),
                      "prediction_error": (predicted - reference).abs().max().item(),
                      "entropy_before": entropy_before, "entropy_after": train.softmax_entropy(last).mean().item(),
                      "update_share": tent.used / tent.seen}
    frozen = train.Adapter(source, "tent", {"changes": list(train.CHANGES.get("adapt_loss", {})),
                                            "threshold_margin": 1e-6, "scaling_margin": 0.4}, data["num_classes"])
    params = {n: p.detach().clone() for n, p in frozen.model.named_parameters()}
    frozen.predict(x, {"batch": 0, "stream": {}})
    report["nothing_selected_changes"] = sorted(n for n, p in frozen.model.named_parameters()
                                                if not torch.equal(params[n], p.detach()))

    images = data["X_test"]
    report["corruptions"] = {}
    for name in train.CORRUPTIONS:
        distances = [((train.corrupt(images, name, s, 0) - images) ** 2).mean().item() for s in range(1, 6)]
        report["corruptions"][name] = {
            "distances": distances,
            "same_seed_equal": torch.equal(train.corrupt(images, name, 3, 7), train.corrupt(images, name, 3, 7)),
            "other_seed_equal": torch.equal(train.corrupt(images, name, 3, 7), train.corrupt(images, name, 3, 8)),
        }
    print("RESULT " + json.dumps(report))
''')
RANDOM_CORRUPTIONS = {"gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "fog"}


def build(method: str, work: Path) -> Path:
    invoke("basecode", METHODS / f"{method}.json", "--out", work / "base")
    invoke("derive", work / "base", "--dataset", "digits", "--model", "small_cnn", "--out", work / "package")
    return work / "package"


def drive(package: Path) -> dict:
    completed = subprocess.run([sys.executable, "-c", DRIVER, str(package), json.dumps(LOGITS), str(MARGIN)],
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.fixture(scope="module", params=["tta_entropy_scaling", "tta_entropy_threshold"])
def report(request, tmp_path_factory):
    return drive(build(request.param, tmp_path_factory.mktemp(request.param)))


def direct_entropy(row: list[float]) -> float:
    """Shannon entropy of softmax(row), with math only."""
    peak = max(row)
    exps = [math.exp(v - peak) for v in row]
    total = sum(exps)
    return -sum(e / total * math.log(e / total) for e in exps)


def test_entropy_matches_direct_computation(report):
    assert report["entropy"] == pytest.approx([direct_entropy(row) for row in LOGITS], abs=1e-6)
    assert report["plain_objective"] == pytest.approx(sum(map(direct_entropy, LOGITS)) / len(LOGITS), abs=1e-6)


def test_entropy_scaling_matches_direct_computation(report):
    if "entropy_scaling" not in report["changes"]:
        pytest.skip("this package has no entropy_scaling change")
    entropies = [direct_entropy(row) for row in LOGITS]
    weights = [math.exp(MARGIN * math.log(len(LOGITS[0])) - h) for h in entropies]
    found = report["changes"]["entropy_scaling"]["below"]
    assert found["weights"] == pytest.approx(weights, rel=1e-5)
    assert found["objective"] == pytest.approx(sum(w * h for w, h in zip(weights, entropies, strict=True)) / 4, rel=1e-5)
    assert max(weights) > 1.0 > min(weights)  # the case separates confident from uncertain rows


def test_entropy_threshold_matches_direct_computation(report):
    if "entropy_threshold" not in report["changes"]:
        pytest.skip("this package has no entropy_threshold change")
    entropies = [direct_entropy(row) for row in LOGITS]
    threshold = MARGIN * math.log(len(LOGITS[0]))
    for side, keep in (("below", [h < threshold for h in entropies]), ("above", [h > threshold for h in entropies])):
        found = report["changes"]["entropy_threshold"][side]
        assert found["weights"] == [1.0 if k else 0.0 for k in keep]
        kept = [h for h, k in zip(entropies, keep, strict=True) if k]
        assert 0 < len(kept) < len(entropies)
        assert found["objective"] == pytest.approx(sum(kept) / len(kept), rel=1e-5)


def test_nothing_selected_means_no_update(report):
    if "entropy_threshold" not in report["changes"]:
        pytest.skip("only a threshold can leave a batch without samples")
    assert report["nothing_selected_changes"] == []


def test_bn_adaptation_uses_test_batch_statistics(report):
    assert report["bn"]["max_error"] < 1e-4
    assert report["bn"]["differs_from_source"] > 1e-2  # the source's running statistics are not used
    assert report["bn"]["source_unchanged"]


def test_tent_updates_only_batch_norm_affine_parameters(report):
    tent = report["tent"]
    assert tent["trainable"] == tent["affine"]
    assert tent["changed"] and set(tent["changed"]) <= set(tent["affine"])
    assert tent["prediction_error"] < 1e-5  # predictions from the forward pass before the step
    assert tent["entropy_after"] < tent["entropy_before"]
    assert tent["update_share"] == 1.0


def test_corruptions_are_seeded(report):
    for name, found in report["corruptions"].items():
        assert found["same_seed_equal"], name
        assert found["other_seed_equal"] is (name not in RANDOM_CORRUPTIONS), name


def test_corruptions_grow_with_severity(report):
    for name, found in report["corruptions"].items():
        distances = found["distances"]
        assert all(b >= a - 1e-9 for a, b in zip(distances, distances[1:], strict=False)), (name, distances)
        assert distances[-1] > distances[0] > 0, (name, distances)


@pytest.mark.slow
def test_smoke_run_of_the_package(tmp_path):
    """The whole smoke test: every variant once, results.json each, the comparison last, PDFs."""
    package = build("tta_entropy_threshold", tmp_path)
    results = tmp_path / "results"
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(results)],
                               cwd=package, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
                               env={**os.environ, "OMP_NUM_THREADS": "2"})
    elapsed = time.perf_counter() - started
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert elapsed < 120
    runs = yaml.safe_load((package / "config/smoke_test.yaml").read_text())["runs"]
    variants = {run["variant"] for run in runs}
    assert {"source", "bn_adapt", "tent", "ethresh"} <= variants
    for run in runs:
        result = json.loads((results / run["run_id"] / "results.json").read_text())
        assert result["family"] == "tta"
        assert result["best_test_accuracy"] == pytest.approx(result["mean_online_accuracy"])
        assert len(result["streams"]) == len(result["trajectory"]) == 6
        if result["adapt"] != "tent":
            assert result["update_share"] == 0.0
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    assert set(comparison["variants"]) == variants
    assert "ethresh" in comparison["wilcoxon"]
    assert sorted(p.name for p in (results / "images").iterdir()) == sorted(comparison["figures"])
