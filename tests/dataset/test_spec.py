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
    (569, "HyperparameterOptimizationFacade", {"lightgbm", "hist_gradient_boosting", "random_forest", "svm", "linear"}),
    # medium data is multi-fidelity (HPG-TAB-FACADE): 60 s on 20k rows must explore
    (50000, "MultiFidelityFacade", {"lightgbm", "hist_gradient_boosting", "linear", "mlp"}),
    (500000, "MultiFidelityFacade", {"lightgbm", "hist_gradient_boosting", "linear", "mlp"}),
])
def test_tabular_size_rules(n, facade, families):
    d = decide(DatasetSpec.from_dict({**BASE, "n_samples": n}))
    assert d.facade == facade and set(d.hyperparameter("algorithm").choices) == families
    fidelity_hps = {"hgb_max_iter", "rf_n_estimators", "mlp_epochs"} & set(d.defaults)
    assert bool(fidelity_hps) != d.multi_fidelity


KINDS = {"city": "categorical", "vip": "boolean", "age": "numeric"}
TABLE = {**BASE, "n_features": 3, "column_kinds": KINDS, "n_target_values": 2}
IMAGE = {"type": "image", "n_samples": 10, "n_classes": 2, "image_shape": [1, 4, 4]}


def test_column_kinds_keep_their_order_and_give_n_categorical():
    spec = DatasetSpec.from_dict(TABLE)
    assert spec.column_kinds == (("city", "categorical"), ("vip", "boolean"), ("age", "numeric"))
    assert spec.n_categorical == 2 and spec.n_target_values == 2
    data = spec.to_dict()
    assert list(data["column_kinds"].items()) == list(KINDS.items()) and data["n_target_values"] == 2
    assert DatasetSpec.from_dict(data) == spec and hash(spec) == hash(DatasetSpec.from_dict(data))
    assert spec.bundle_facts()["column_kinds"] == KINDS
    assert DatasetSpec.from_dict({**TABLE, "n_categorical": 2}) == spec


def test_table_keys_are_left_out_when_unknown():
    spec = DatasetSpec.from_dict(BASE)
    assert spec.column_kinds is None and spec.n_target_values is None
    assert not {"column_kinds", "n_target_values"} & (set(spec.to_dict()) | set(spec.bundle_facts()))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({**TABLE, "column_kinds": ["city", "age", "vip"]}, "column_kinds must map column names to kinds"),
        ({**TABLE, "column_kinds": {}}, "column_kinds must map column names to kinds"),
        ({**TABLE, "column_kinds": {**KINDS, "age": "colour"}}, "column_kinds['age'] must be one of numeric, "),
        ({**TABLE, "column_kinds": {"city": "categorical", "vip": "boolean", " ": "numeric"}}, "names must be non-empty"),
        ({**TABLE, "column_kinds": {"city": "categorical", "vip": "boolean", 3: "numeric"}}, "names must be non-empty"),
        ({**TABLE, "column_kinds": {**KINDS, "extra": "id"}}, "column_kinds names 4 columns, but n_features is 3"),
        ({**TABLE, "n_categorical": 1}, "n_categorical must be 2, the categorical and boolean columns"),
        ({**IMAGE, "column_kinds": {"a": "numeric"}}, "column_kinds applies to tabular data only"),
        ({**TABLE, "n_target_values": 0}, "n_target_values must be positive"),
        ({**TABLE, "n_target_values": 2.5}, "n_target_values must be an integer"),
        ({**TABLE, "n_target_values": True}, "n_target_values must be an integer"),
        ({**TABLE, "n_target_values": 3}, "n_target_values (3) must equal n_classes (2)"),
        ({**TABLE, "task": "regression", "n_classes": None, "n_target_values": 101}, "cannot exceed n_samples"),
        ({**IMAGE, "n_target_values": 2}, "n_target_values applies to tabular data only"),
    ],
)
def test_bad_table_keys_are_one_line_errors(raw, message):
    with pytest.raises(HpogenError) as caught:
        DatasetSpec.from_dict(raw)
    assert str(caught.value).startswith("spec: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


SERIES = {"type": "time_series", "task": "classification", "n_samples": 50, "n_classes": 2, "n_channels": 1,
          "min_length": 150, "max_length": 150}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"n_channels": None}, "n_channels"),
        ({"n_channels": 0}, "n_channels"),
        ({"min_length": 2, "max_length": 10}, "too short"),
        ({"min_length": 20, "max_length": 10}, "exceeds max_length"),
        ({"image_shape": [1, 8, 8]}, "image_shape"),
        ({"n_features": 150}, "n_features"),
        ({"class_counts": {"a": 10, "b": 10}}, "class_counts"),
        ({"class_counts": {"a": 50}}, "class_counts"),
        ({"target_range": [0, 1]}, "target_range"),
        ({"task": "regression", "n_classes": None, "target_range": [1, 1]}, "target_range"),
    ],
)
def test_bad_series_facts_are_named(change, field):
    with pytest.raises(HpogenError, match=field):
        DatasetSpec.from_dict({k: v for k, v in {**SERIES, **change}.items() if v is not None})


def test_series_keys_belong_to_series_and_round_trip():
    spec = DatasetSpec.from_dict({**SERIES, "min_length": 30, "class_counts": {"a": 20, "b": 30}})
    assert not spec.equal_length and spec.n_values == 50 * 150
    assert DatasetSpec.from_dict(spec.to_dict()) == spec
    assert "n_channels" not in DatasetSpec.from_dict(BASE).to_dict()
    with pytest.raises(HpogenError, match="time series only"):
        DatasetSpec.from_dict({**BASE, "n_channels": 3})
