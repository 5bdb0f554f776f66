"""DatasetSpec is strict: unknown keys and impossible values name the field."""

import pytest

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.planner import decide
from hpogen.errors import HpogenError

BASE = {"name": "x", "type": "tabular", "task": "classification", "n_samples": 100, "n_classes": 2, "n_features": 5}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": 1}, "colour"),
        ({"type": "audio"}, "type"),
        ({"task": "ranking"}, "task"),
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": -3}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"n_classes": 1}, "n_classes"),
        ({"n_categorical": 9}, "n_categorical"),
        ({"has_missing": "yes"}, "has_missing"),
        ({"image_shape": [1, 8, 8]}, "image_shape"),
        ({"task": "regression"}, "n_classes"),
        ({"n_features": None}, "n_features"),
    ],
)
def test_invalid_fields_are_named(change, field):
    with pytest.raises(HpogenError, match=field):
        DatasetSpec.from_dict({**BASE, **change})


def test_image_needs_one_or_three_channels_and_gets_n_features():
    spec = DatasetSpec.from_dict({"type": "image", "n_samples": 10, "n_classes": 2, "image_shape": [3, 4, 5]})
    assert spec.n_features == 60 and spec.name == "custom_image"
    with pytest.raises(HpogenError, match="channels"):
        DatasetSpec.from_dict({"type": "image", "n_samples": 10, "n_classes": 2, "image_shape": [4, 4, 5]})


@pytest.mark.parametrize(
    ("n", "shape", "classes", "tier", "facade"),
    [
        (1797, [1, 8, 8], 10, "simple", "HyperbandFacade"),
        (60000, [1, 28, 28], 10, "simple", "MultiFidelityFacade"),
        (50000, [3, 32, 32], 10, "medium", "MultiFidelityFacade"),
        (50000, [3, 32, 32], 100, "medium", "MultiFidelityFacade"),
        (1281167, [3, 224, 224], 1000, "complex", "MultiFidelityFacade"),
        (9999, [3, 32, 32], 10, "medium", "HyperbandFacade"),
    ],
)
def test_seed_000_tiers_and_facades(n, shape, classes, tier, facade):
    d = decide(DatasetSpec.from_dict({"type": "image", "n_samples": n, "n_classes": classes, "image_shape": shape}))
    assert d.extra["tier"] == tier and d.facade == facade
    low_min, high_min = {"simple": (15, 25), "medium": (25, 40), "complex": (40, 60)}[tier]
    low_max, high_max = {"simple": (150, 300), "medium": (250, 500), "complex": (400, 800)}[tier]
    assert low_min <= d.min_budget <= high_min and low_max <= d.max_budget <= high_max
    layers = d.hyperparameter("n_conv_layers")
    assert (layers.lower, layers.upper) == {"simple": (2, 4), "medium": (3, 6), "complex": (4, 8)}[tier]
    assert ("color_jitter" in d.defaults) == (shape[0] == 3)


@pytest.mark.parametrize(("n", "facade", "families"), [
    (569, "HyperparameterOptimizationFacade", {"hist_gradient_boosting", "random_forest", "svm", "linear"}),
    (50000, "HyperparameterOptimizationFacade", {"hist_gradient_boosting", "random_forest", "linear", "mlp"}),
    (500000, "MultiFidelityFacade", {"hist_gradient_boosting", "linear", "mlp"}),
])
def test_tabular_size_rules(n, facade, families):
    d = decide(DatasetSpec.from_dict({**BASE, "n_samples": n}))
    assert d.facade == facade and set(d.hyperparameter("algorithm").choices) == families
    fidelity_hps = {"hgb_max_iter", "rf_n_estimators", "mlp_epochs"} & set(d.defaults)
    assert bool(fidelity_hps) != d.multi_fidelity
