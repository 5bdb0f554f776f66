"""--mode defaults from what the folder holds."""

from review_support import GOOD, lay_over

from hpogen.review.package import ReviewedPackage


def mode_of(folder) -> str:
    return ReviewedPackage.open(folder).mode


def test_each_golden_kind_is_recognised():
    assert [mode_of(GOOD[m]) for m in ("base", "derived", "train")] == ["base", "derived", "train"]


def test_written_runs_make_a_package_derived_even_with_a_placeholder_like_name(tmp_path):
    """A real derived package named its synthetic smoke dataset RANDOM_PLACEHOLDER: its configs
    hold concrete runs, so it is reviewed as derived, not as a base package."""
    preprocess = (GOOD["derived"] / "src" / "preprocess.py").read_text()
    folder = lay_over(GOOD["derived"], tmp_path / "p", {
        "src/preprocess.py": preprocess + '\nSMOKE_DATASET = "RANDOM_PLACEHOLDER"\n'})
    assert mode_of(folder) == "derived"


def test_a_config_placeholder_makes_a_package_base(tmp_path):
    smoke = (GOOD["derived"] / "config" / "smoke_test.yaml").read_text()
    folder = lay_over(GOOD["derived"], tmp_path / "p", {
        "config/smoke_test.yaml": smoke.replace("model: resnet20", "model: MODEL_PLACEHOLDER", 1)})
    assert mode_of(folder) == "base"


def test_without_readable_configs_the_code_decides(tmp_path):
    folder = lay_over(GOOD["base"], tmp_path / "p", {"config/smoke_test.yaml": None,
                                                      "config/full_experiment.yaml": None})
    assert mode_of(folder) == "base"
    folder = lay_over(GOOD["derived"], tmp_path / "q", {"config/smoke_test.yaml": "runs: [\n"})
    assert mode_of(folder) == "derived"
