"""The objective family's loss changes and calibration metrics compute what their sources define.

Each catalogue change is built into a real package (`hpogen basecode` on a method text, then
`hpogen derive`); a driver in a fresh process imports the package's src/train.py and applies
its functions to small fixed tensors. The expected values are computed here, independently,
with numpy (and, for label smoothing, by torch's own label_smoothing cross-entropy).
"""

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from packages import ROOT, invoke

METHODS = ROOT / "tests" / "experiment" / "methods"
CHANGE_TEXTS = {"brier_mix": "objective_brier", "label_smoothing": "objective_label_smoothing",
                "distillation": "objective_distillation", "consistency": "objective_consistency",
                "sample_weight": "objective_sample_weight"}

LOGITS = [[2.0, -1.0, 0.5, 0.0], [0.1, 0.2, 3.0, -2.0], [-0.5, 1.5, 0.3, 0.8]]
TARGETS = [0, 2, 3]
TEACHER = [[1.0, 0.0, -1.0, 0.5], [0.0, 0.0, 2.0, 0.0], [0.3, 0.3, 0.3, 1.2]]
SECOND_VIEW = [[1.5, -0.5, 0.5, 0.2], [0.0, 0.4, 2.0, -1.0], [0.0, 1.0, 0.0, 0.5]]
# a hand-made calibration case: the logits are the log of the probabilities the model predicts
PROBABILITIES = [[0.95, 0.05], [0.85, 0.15], [0.55, 0.45], [0.35, 0.65], [0.25, 0.75], [0.08, 0.92]]
LABELS = [0, 1, 0, 1, 0, 1]

DRIVER = textwrap.dedent('''
    import json, math, sys
    import torch

    cases = json.loads(sys.argv[1])
    packages = json.loads(sys.argv[2])
    report = {}


    def load(package):
        """src.train of one package (the previous package's src modules forgotten first)."""
        for name in [n for n in sys.modules if n == "src" or n.startswith("src.")]:
            del sys.modules[name]
        sys.path.insert(0, package)
        from src import train
        sys.path.remove(package)
        return train


    logits = torch.tensor(cases["logits"], dtype=torch.float64)
    targets = torch.tensor(cases["targets"])
    teacher = torch.tensor(cases["teacher"], dtype=torch.float64)
    second = torch.tensor(cases["second_view"], dtype=torch.float64)


    def context(progress):
        return {"progress": progress, "teacher_logits": lambda: teacher, "second_view_logits": lambda magnitude: second}


    for change, package in packages.items():
        train = load(package)
        ce = train.per_sample_cross_entropy(logits, targets)
        fn = train.CHANGES["loss"][change]
        found = {"registered": sorted(train.CHANGES["loss"]), "ce": ce.tolist()}
        if change == "brier_mix":
            for schedule in ("constant", "linear", "cosine"):
                training = {"brier_weight": 0.4, "brier_schedule": schedule}
                found[schedule] = {str(t): fn(logits, targets, ce, context(t), training).tolist() for t in (0.0, 0.25, 0.5, 0.9)}
            found["brier_score"] = train.brier_score(logits, targets).tolist()
            found["batch_loss"] = float(train.batch_loss(logits, targets, [fn], context(0.5),
                                                         {"brier_weight": 0.4, "brier_schedule": "cosine"}))
            state = train.StepContext(torch.nn.Identity(), {"num_classes": 4}, None, 8, torch.Generator())
            state.step = 2
            found["progress_at_step_2_of_8"] = state.for_batch(logits)["progress"]
        elif change == "label_smoothing":
            found["smoothed"] = fn(logits, targets, ce, context(0.0), {"label_smoothing": 0.2}).tolist()
            found["torch"] = torch.nn.functional.cross_entropy(logits, targets, label_smoothing=0.2,
                                                               reduction="none").tolist()
        elif change == "distillation":
            found["kd"] = fn(logits, targets, ce, context(0.0), {"distill_temperature": 3.0, "distill_alpha": 0.7}).tolist()
        elif change == "consistency":
            for divergence in ("mse", "kl"):
                training = {"consistency_weight": 2.0, "consistency_divergence": divergence}
                found[divergence] = fn(logits, targets, ce, context(0.0), training).tolist()
            first = logits.clone().requires_grad_(True)
            out = fn(first, targets, train.per_sample_cross_entropy(first, targets), context(0.0),
                     {"consistency_weight": 2.0, "consistency_divergence": "kl"})
            found["grad_first"] = torch.autograd.grad(out.sum(), first)[0].tolist()
            plain = logits.clone().requires_grad_(True)
            found["grad_ce"] = torch.autograd.grad(train.per_sample_cross_entropy(plain, targets).sum(), plain)[0].tolist()
            images = torch.zeros(5, 1, 4, 4)
            tokens = torch.arange(40).reshape(4, 10) % 7
            generator = torch.Generator().manual_seed(0)
            found["image_view_changed"] = bool((train.noised_view(images, 0.1, "images", 10, generator) != images).any())
            found["token_view_zero"] = bool((train.noised_view(tokens, 0.0, "tokens", 7, generator) == tokens).all())
            swapped = train.noised_view(tokens.repeat(50, 1), 0.5, "tokens", 7, generator) != tokens.repeat(50, 1)
            found["token_swap_share"] = float(swapped.double().mean())
        elif change == "sample_weight":
            for gamma in (0.0, 2.0):
                found[str(gamma)] = fn(logits, targets, ce, context(0.0), {"focal_gamma": gamma}).tolist()
        if change == "brier_mix":
            probabilities = torch.tensor(cases["probabilities"], dtype=torch.float64)
            labels = torch.tensor(cases["labels"])
            found["metrics"] = train.evaluate_split(torch.nn.Identity(), probabilities.log(), labels, 2, diagram=True)
            sequences = probabilities.log().reshape(2, 3, 2)
            found["token_metrics"] = train.evaluate_split(torch.nn.Identity(), sequences, labels.reshape(2, 3), 2)
        report[change] = found
    print("RESULT " + json.dumps(report))
''')


def _softmax(z, axis=1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ce(logits, targets):
    p = _softmax(logits)
    return -np.log(p[np.arange(len(targets)), targets])


def _brier(logits, targets):
    p = _softmax(logits)
    onehot = np.eye(p.shape[1])[targets]
    return ((p - onehot) ** 2).sum(axis=1)


def _build(method: str, work: Path) -> Path:
    invoke("basecode", METHODS / f"{method}.json", "--out", work / f"{method}-base")
    invoke("derive", work / f"{method}-base", "--dataset", "digits", "--model", "small_cnn", "--out", work / method)
    return work / method


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    work = tmp_path_factory.mktemp("objective")
    return {change: _build(method, work) for change, method in CHANGE_TEXTS.items()}


@pytest.fixture(scope="module")
def report(packages):
    cases = {"logits": LOGITS, "targets": TARGETS, "teacher": TEACHER, "second_view": SECOND_VIEW,
             "probabilities": PROBABILITIES, "labels": LABELS}
    completed = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(cases),
                                json.dumps({k: str(v) for k, v in packages.items()})],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_each_package_registers_its_change_at_the_loss_hook(report):
    for change, found in report.items():
        assert found["registered"] == [change]
        assert found["ce"] == pytest.approx(_ce(LOGITS, TARGETS).tolist(), rel=1e-12)


@pytest.mark.parametrize("schedule", ["constant", "linear", "cosine"])
def test_brier_mix_follows_its_schedule(report, schedule):
    ce, brier = _ce(LOGITS, TARGETS), _brier(LOGITS, TARGETS)
    weights = {"constant": lambda t: 0.4, "linear": lambda t: 0.4 * t,
               "cosine": lambda t: 0.4 * (1 - math.cos(math.pi * t)) / 2}[schedule]
    for t in (0.0, 0.25, 0.5, 0.9):
        w = weights(t)
        assert report["brier_mix"][schedule][str(t)] == pytest.approx(((1 - w) * ce + w * brier).tolist(), rel=1e-10)
    assert report["brier_mix"]["brier_score"] == pytest.approx(brier.tolist(), rel=1e-10)


def test_brier_schedules_at_known_steps(report):
    """cosine at progress 0.5 is half the weight, linear at 0.25 a quarter; constant never moves."""
    ce, brier = _ce(LOGITS, TARGETS), _brier(LOGITS, TARGETS)
    half = (0.8 * ce + 0.2 * brier).tolist()
    assert report["brier_mix"]["cosine"]["0.5"] == pytest.approx(half, rel=1e-10)
    assert report["brier_mix"]["linear"]["0.5"] == pytest.approx(half, rel=1e-10)
    assert report["brier_mix"]["cosine"]["0.0"] == pytest.approx(ce.tolist(), rel=1e-10)
    assert report["brier_mix"]["constant"]["0.0"] == pytest.approx((0.6 * ce + 0.4 * brier).tolist(), rel=1e-10)
    assert report["brier_mix"]["progress_at_step_2_of_8"] == 0.25


def test_batch_loss_is_the_mean_of_the_changed_per_sample_loss(report):
    ce, brier = _ce(LOGITS, TARGETS), _brier(LOGITS, TARGETS)
    assert report["brier_mix"]["batch_loss"] == pytest.approx(float((0.8 * ce + 0.2 * brier).mean()), rel=1e-10)


def test_label_smoothing_matches_the_smoothed_targets_cross_entropy(report):
    found = report["label_smoothing"]
    logp = np.log(_softmax(LOGITS))
    targets = (1 - 0.2) * np.eye(4)[TARGETS] + 0.2 / 4
    expected = -(targets * logp).sum(axis=1)
    assert found["smoothed"] == pytest.approx(expected.tolist(), rel=1e-10)
    assert found["smoothed"] == pytest.approx(found["torch"], rel=1e-10)


def test_distillation_is_hintons_mix_with_t_squared(report):
    temperature, alpha = 3.0, 0.7
    teacher, student = _softmax(np.array(TEACHER) / temperature), _softmax(np.array(LOGITS) / temperature)
    kl = (teacher * (np.log(teacher) - np.log(student))).sum(axis=1)
    expected = (1 - alpha) * _ce(LOGITS, TARGETS) + alpha * temperature**2 * kl
    assert report["distillation"]["kd"] == pytest.approx(expected.tolist(), rel=1e-10)


def test_consistency_terms_between_the_two_views(report):
    found = report["consistency"]
    first, second = _softmax(LOGITS), _softmax(SECOND_VIEW)
    ce = _ce(LOGITS, TARGETS)
    mse = ((second - first) ** 2).mean(axis=1)
    kl = (first * (np.log(first) - np.log(second))).sum(axis=1)
    assert found["mse"] == pytest.approx((ce + 2.0 * mse).tolist(), rel=1e-10)
    assert found["kl"] == pytest.approx((ce + 2.0 * kl).tolist(), rel=1e-10)


def test_consistency_target_view_gets_no_gradient(report):
    """The clean view is a fixed target: its logits' gradient is cross-entropy's alone."""
    found = report["consistency"]
    assert np.allclose(found["grad_first"], found["grad_ce"], atol=1e-12)


def test_second_views_are_noised_as_documented(report):
    found = report["consistency"]
    assert found["image_view_changed"]
    assert found["token_view_zero"]
    assert 0.4 < found["token_swap_share"] < 0.5  # half the tokens drawn again, 1 in 7 back to their own


def test_focal_weight_is_one_minus_p_to_the_gamma(report):
    found = report["sample_weight"]
    ce = _ce(LOGITS, TARGETS)
    p = _softmax(LOGITS)[np.arange(3), TARGETS]
    assert found["0.0"] == pytest.approx(ce.tolist(), rel=1e-12)
    assert found["2.0"] == pytest.approx(((1 - p) ** 2 * ce).tolist(), rel=1e-10)


def test_calibration_metrics_on_a_hand_made_case(report):
    """Six predictions: confidences 0.95, 0.85, 0.55, 0.65, 0.75, 0.92 (bins 9, 8, 5, 6, 7, 9),
    right, wrong, right, right, wrong, right."""
    metrics = report["brier_mix"]["metrics"]
    p = np.array(PROBABILITIES)
    y = np.array(LABELS)
    correct = p.argmax(1) == y
    confidence = p.max(1)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["nll"] == pytest.approx(float(-np.log(p[np.arange(6), y]).mean()))
    assert metrics["brier"] == pytest.approx(float(((p - np.eye(2)[y]) ** 2).sum(1).mean()))
    # bins (0.9, 1]: {0.95 right, 0.92 right}; (0.8, 0.9]: {0.85 wrong}; (0.7, 0.8]: {0.75 wrong};
    # (0.6, 0.7]: {0.65 right}; (0.5, 0.6]: {0.55 right}
    ece = (2 * abs(1 - (0.95 + 0.92) / 2) + abs(0 - 0.85) + abs(0 - 0.75) + abs(1 - 0.65) + abs(1 - 0.55)) / 6
    assert metrics["ece"] == pytest.approx(ece)
    bins = metrics["reliability"]
    assert len(bins) == 10 and [b["count"] for b in bins] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 2]
    assert bins[9]["confidence"] == pytest.approx(0.935) and bins[9]["accuracy"] == 1.0
    assert bins[8]["accuracy"] == 0.0 and bins[0]["confidence"] is None
    assert sum(b["count"] for b in bins) == len(y) and confidence.max() <= bins[9]["upper"]
    assert correct.sum() == 4


def test_token_sequences_are_scored_per_token(report):
    """The same six predictions as two sequences of three tokens give the same scores."""
    tokens, rows = report["brier_mix"]["token_metrics"], report["brier_mix"]["metrics"]
    for key in ("accuracy", "nll", "brier", "ece"):
        assert tokens[key] == pytest.approx(rows[key], rel=1e-12)


@pytest.mark.slow
def test_smoke_run_records_calibration(packages, tmp_path):
    """The distillation package's smoke test: a teacher, both variants, calibration records, PDFs."""
    package = packages["distillation"]
    results = tmp_path / "results"
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(results)],
                               cwd=package, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    runs = yaml.safe_load((package / "config" / "smoke_test.yaml").read_text())["runs"]
    assert [r["variant"] for r in runs] == ["ce", "kd"]
    for run in runs:
        result = json.loads((results / run["run_id"] / "results.json").read_text())
        assert {"test_accuracy", "test_nll", "test_brier", "test_ece", "reliability"} <= set(result)
        assert sum(b["count"] for b in result["reliability"]) == result["test_rows"]
        assert result["model_reload_test_accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-9)
        assert ("teacher_test_accuracy" in result) == (run["variant"] == "kd")
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    assert comparison["base_variant"] == "ce" and set(comparison["variants"]) == {"ce", "kd"}
    figures = sorted(p.name for p in (results / "images").iterdir())
    assert figures == sorted(comparison["figures"])
    assert {"reliability_ce.pdf", "reliability_kd.pdf", "calibration_pair1.pdf"} <= set(figures)


# Token-level stand-in: the GPT-2 / WikiText-103 method runs on the catalogue's causal transformer
# and WikiText-2 (tiny_corpus in smoke runs).

TOKEN_DRIVER = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    import torch

    sys.path.insert(0, sys.argv[1])
    from src import model as models, preprocess

    data = preprocess.load_dataset("tiny_corpus", None, 240, 0)
    again = preprocess.load_dataset("tiny_corpus", None, 240, 0)
    X, y = data["X_train"], data["y_train"]
    torch.manual_seed(0)
    net = models.build_model("causal_transformer", data["input_shape"], data["num_classes"]).eval()
    x = X[:3].clone()
    changed = x.clone()
    changed[:, 10] = (changed[:, 10] + 1) % data["num_classes"]
    with torch.no_grad():
        before, after = net(x), net(changed)
    models.save_model(net, Path(sys.argv[2]) / "lm.pt", "causal_transformer", data["input_shape"], data["num_classes"])
    reloaded = models.load_model(Path(sys.argv[2]) / "lm.pt").eval()
    with torch.no_grad():
        reload_gap = float((reloaded(x) - before).abs().max())
    folder = Path(sys.argv[2]) / "wikitext-2"
    folder.mkdir()
    for split, text in (("train", "abc abc abd " * 40), ("valid", "abd cab " * 40), ("test", "abz " * 40)):
        (folder / f"wiki.{split}.tokens").write_text(text, encoding="utf-8")
    wiki = preprocess.load_dataset("wikitext2", sys.argv[2], None, 0)
    print("RESULT " + json.dumps({
        "kind": data["kind"], "input_shape": list(data["input_shape"]), "num_classes": data["num_classes"],
        "shapes": [list(X.shape), list(y.shape)], "dtypes": [str(X.dtype), str(y.dtype)],
        "shifted": bool((y[:, :-1] == X[:, 1:]).all()), "max_id": int(max(X.max(), y.max())),
        "deterministic": all(bool((data[k] == again[k]).all()) for k in ("X_train", "X_val", "X_test")),
        "splits": [len(data[k]) for k in ("y_train", "y_val", "y_test")],
        "logit_shape": list(before.shape),
        "past_unchanged": float((before[:, :10] - after[:, :10]).abs().max()),
        "future_changed": float((before[:, 10:] - after[:, 10:]).abs().max()),
        "tied": net.head.weight.data_ptr() == net.embed.weight.data_ptr(),
        "reload_gap": reload_gap,
        "wiki_vocabulary": wiki["num_classes"], "wiki_test_ids": sorted(set(wiki["X_test"].flatten().tolist())),
    }))
''')


@pytest.fixture(scope="module")
def token_package(tmp_path_factory):
    work = tmp_path_factory.mktemp("tokens")
    invoke("basecode", METHODS / "objective_token_brier.json", "--out", work / "base")
    invoke("derive", work / "base", "--out", work / "package")
    return work / "package"


def test_token_method_maps_to_the_stand_ins(token_package):
    config = yaml.safe_load((token_package / "config" / "smoke_test.yaml").read_text())
    assert config["experiment"]["method_dataset"] == "wikitext2"
    assert {(r["dataset"], r["model"]) for r in config["runs"]} == {("tiny_corpus", "causal_transformer")}
    assert [r["variant"] for r in config["runs"]] == ["ce", "brier"]
    assert config["experiment"]["training"]["brier_weight"] == 0.3


def test_token_data_and_causal_transformer(token_package, tmp_path):
    completed = subprocess.run([sys.executable, "-c", TOKEN_DRIVER, str(token_package), str(tmp_path)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = json.loads(next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))[len("RESULT "):])
    assert found["kind"] == "tokens" and found["input_shape"] == [64]
    assert found["shapes"] == [[found["splits"][0], 64]] * 2 and found["dtypes"] == ["torch.int64"] * 2
    assert found["shifted"] and found["deterministic"] and found["max_id"] < found["num_classes"]
    assert found["splits"][0] == 240 and all(n > 0 for n in found["splits"])
    assert found["logit_shape"] == [3, 64, found["num_classes"]]
    assert found["past_unchanged"] == 0.0 and found["future_changed"] > 0.0  # causal attention
    assert found["tied"] and found["reload_gap"] == 0.0
    # the vocabulary is the training text's characters ("a", "b", "c", "d", " ") plus 0 for unseen ones ("z")
    assert found["wiki_vocabulary"] == 6 and 0 in found["wiki_test_ids"]


@pytest.mark.slow
def test_token_smoke_run_reports_perplexity(token_package, tmp_path):
    results = tmp_path / "results"
    completed = subprocess.run([sys.executable, "-m", "src.main", "--smoke-test", "--results-dir", str(results)],
                               cwd=token_package, capture_output=True, text=True, timeout=600,
                               stdin=subprocess.DEVNULL, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert completed.returncode == 0, completed.stderr[-3000:]
    for run_id in ("ce-s0", "brier-s0"):
        result = json.loads((results / run_id / "results.json").read_text())
        assert result["kind"] == "tokens"
        assert result["test_perplexity"] == pytest.approx(math.exp(result["test_nll"]))
        assert result["test_rows"] == sum(b["count"] for b in result["reliability"])
    comparison = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "median_test_perplexity" in comparison["variants"]["brier"]
