"""Research methods as LLM pipelines write them (tests/experiment/methods/*.json): each gets its own
family and catalogue changes, a stand-in for what cannot run here, a METHOD_PLACEHOLDER for a change
the catalogue lacks, or a one-line refusal; never a plain package that silently drops the method."""

import json
import subprocess
import sys

import pytest
from packages import ROOT, invoke

from hpogen.experiment.families import family_names

METHODS = ROOT / "tests" / "experiment" / "methods"

# method file -> (family, changes, placeholder hook or None, stand-ins as "named->stand_in")
EXPECTED = {
    "hpo_boil_penalty": ("hpo_scheduler", ["curve_penalty"], None, []),
    "hpo_slope_stop": ("hpo_scheduler", ["slope_stop"], None, ["a tabulated HPO benchmark->digits"]),
    "hpo_surrogate_rank": ("hpo_scheduler", ["surrogate_rank"], None, []),
    "hpo_placeholder_sharpness": ("hpo_scheduler", [], "curve_score", []),
    "objective_brier": ("objective", ["brier_mix"], None, []),
    "objective_label_smoothing": ("objective", ["label_smoothing"], None, []),
    "objective_distillation": ("objective", ["distillation"], None, []),
    "objective_consistency": ("objective", ["consistency"], None, []),
    "objective_sample_weight": ("objective", ["sample_weight"], None, []),
    "objective_token_brier": ("objective", ["brier_mix"], None,
                              ["a large text corpus->wikitext2", "a pretrained language model->causal_transformer"]),
    "objective_margin_penalty": ("objective", [], "loss", []),
    "tta_entropy_scaling": ("tta", ["entropy_scaling"], None, []),
    "tta_entropy_threshold": ("tta", ["entropy_threshold"], None, ["a deep or pretrained ResNet->resnet20"]),
    "tta_imagenet_c": ("tta", ["entropy_threshold"], None,
                       ["ImageNet-C->cifar10", "a deep or pretrained ResNet->resnet20"]),
    "tta_prototype_ot": ("tta", [], "adapt_loss", []),
}
REFUSED = ["refused_diffusion_early_exit", "refused_graph_rewiring", "refused_rl_exploration"]


def hpogen(*args):
    return subprocess.run([sys.executable, "-m", "hpogen", *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_every_method_text_has_an_expectation():
    assert sorted(p.stem for p in METHODS.glob("*.json")) == sorted([*EXPECTED, *REFUSED])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_family_changes_placeholders_and_stand_ins(name):
    family, changes, hook, stand_ins = EXPECTED[name]
    result = hpogen("basecode", METHODS / f"{name}.json", "--explain", "--format", "json")
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    assert {"family", "modifications", "stand_ins", "placeholders"} <= set(reading)
    assert reading["family"] == family
    assert [m["name"] for m in reading["modifications"]] == changes
    for modification in reading["modifications"]:
        for parameter in modification["parameters"].values():
            assert parameter["rule"] and parameter["source"]  # every value says where it came from
    assert [p["hook"] for p in reading["placeholders"]] == ([hook] if hook else [])
    assert [f"{s['named']}->{s['stand_in']}" for s in reading["stand_ins"]] == stand_ins
    warnings = [line for line in result.stderr.splitlines() if line.startswith("hpogen: warning:")]
    assert len(warnings) == (1 if hook else 0), result.stderr
    if hook:
        assert "METHOD_PLACEHOLDER" in warnings[0] and hook in warnings[0]


@pytest.mark.parametrize("name", REFUSED)
def test_methods_no_family_fits_are_refused_in_one_line(name, tmp_path):
    result = hpogen("basecode", METHODS / f"{name}.json", "--out", tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--method-family" in lines[0]
    assert all(family in lines[0] for family in family_names())
    assert not (tmp_path / "out").exists()


def test_a_proposing_method_never_falls_back_to_the_baseline():
    """The old rule gave any text with the word 'train' the supervised baseline."""
    for name, (family, *_) in EXPECTED.items():
        assert family != "baseline", name


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e[2] is None))
def test_derived_packages_pass_the_review(name, tmp_path):
    invoke("basecode", METHODS / f"{name}.json", "--out", tmp_path / "base")
    invoke("derive", tmp_path / "base", "--out", tmp_path / "package")
    result = hpogen("review", tmp_path / "package", "--base", tmp_path / "base", "--format", "json")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e[2] is not None))
def test_a_method_placeholder_is_reported_and_blocks_derive(name, tmp_path):
    hook = EXPECTED[name][2]
    written = hpogen("basecode", METHODS / f"{name}.json", "--out", tmp_path / "base")
    assert written.returncode == 0, written.stderr
    train = (tmp_path / "base" / "src" / "train.py").read_text()
    assert train.count("# PLACEHOLDER: METHOD_PLACEHOLDER") == 1
    method = json.loads((METHODS / f"{name}.json").read_text())["Methods"]
    first_words = " ".join(method.split()[:6])
    assert first_words in " ".join(line.lstrip("# ") for line in train.splitlines())  # the method's own words
    review = hpogen("review", tmp_path / "base", "--format", "json")
    assert review.returncode == 1
    verdict = json.loads(review.stdout)
    assert verdict["is_base_code_ready"] is False
    assert any(f["code"] == "HPG401" and "METHOD_PLACEHOLDER" in f["message"] for f in verdict["findings"])
    derived = hpogen("derive", tmp_path / "base", "--out", tmp_path / "package")
    assert derived.returncode == 2
    assert len(derived.stderr.strip().splitlines()) == 1 and f"at the {hook} hook" in derived.stderr
    assert not (tmp_path / "package").exists()
