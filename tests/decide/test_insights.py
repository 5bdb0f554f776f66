"""OpenML suggestions move defaults, widen ranges, and the plan lists what was ignored."""

import pytest

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.insights import parse_insights
from hpogen.decide.planner import decide
from hpogen.errors import HpogenError
from hpogen.render.plan_text import planner_json

CIFAR = DatasetSpec.from_dict({"name": "c", "type": "image", "n_samples": 50000, "n_classes": 10, "image_shape": [3, 32, 32]})
CANCER = DatasetSpec.from_dict({"name": "b", "type": "tabular", "n_samples": 569, "n_classes": 2, "n_features": 30})


def test_list_of_configurations_moves_default_and_widens_range():
    d = decide(CIFAR, parse_insights([{"lr": 0.2}, {"learning_rate": 0.4}, {"lr": 0.3}]))
    lr = d.hyperparameter("learning_rate")
    assert lr.default == pytest.approx(0.3)
    assert lr.upper == pytest.approx(0.4) and lr.lower == pytest.approx(1e-5)
    assert lr.rule == "HPG-INSIGHTS"


def test_map_form_and_categorical_aliases():
    d = decide(CANCER, parse_insights({"classifier": ["xgboost", "ranger", "xgboost"], "C": [0.001, 2.0]}))
    assert d.hyperparameter("algorithm").default == "hist_gradient_boosting"
    svm_c = d.hyperparameter("svm_C")
    assert svm_c.lower == pytest.approx(0.001) and svm_c.default == pytest.approx(1.0005)


def test_ignored_suggestions_are_listed_with_reasons():
    d = decide(CIFAR, parse_insights({"max_depth": [6], "activation": ["gelu"], "weight_decay": [-1.0], "dropout": [0.99]}))
    reasons = {i.name: i.reason for i in d.ignored_insights}
    assert set(reasons) == {"max_depth", "activation", "weight_decay", "dropout"}
    assert "log scale" in reasons["weight_decay"] and "safe range" in reasons["dropout"]
    plan = planner_json(d)["configuration_plan"]
    assert "Ignored OpenML suggestions" in plan and "max_depth" in plan
    assert d.hyperparameter("dropout").default == 0.2  # unchanged


def test_batch_size_suggestion_adds_a_power_of_two():
    d = decide(CIFAR, parse_insights({"batch_size": [512]}))
    assert 512 in d.hyperparameter("batch_size").choices and d.hyperparameter("batch_size").default == 512
    assert decide(CIFAR, parse_insights({"batch_size": [100]})).ignored_insights


@pytest.mark.parametrize("raw", [[1, 2], "text", {"lr": []}, {"lr": [None]}, [{"lr": [1, 2]}]])
def test_malformed_insights_raise(raw):
    with pytest.raises(HpogenError):
        parse_insights(raw)
