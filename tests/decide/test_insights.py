"""OpenML insights in the shapes upstream tools emit: each value goes only to a hyperparameter of
the family its setup came from, duplicates are combined, and every unused value has a reason."""

import json
from pathlib import Path

import pytest

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.insights import parse_insights
from hpogen.decide.planner import decide
from hpogen.errors import HpogenError
from hpogen.render.plan_text import planner_json
from hpogen.render.write import decisions_record

FIXTURES = Path(__file__).parent / "fixtures"
CIFAR = DatasetSpec.from_dict(
    {"name": "c", "type": "image", "n_samples": 50000, "n_classes": 10, "image_shape": [3, 32, 32]}
)
CANCER = DatasetSpec.from_dict(
    {"name": "b", "type": "tabular", "n_samples": 569, "n_classes": 2, "n_features": 30}
)


def outcomes(d):
    """(setup, name) -> (family, applied, reason) for every value of the payload."""
    return {(r.setup, r.name): (r.family, r.applied, r.reason) for r in d.insights}


def reason_of(d, setup, name):
    return outcomes(d)[(setup, name)][2]


def test_image_setups_apply_only_the_network_values():
    d = decide(CIFAR, parse_insights((FIXTURES / "image_setups.txt").read_text()))
    applied = {(r.setup, r.name): r.target for r in d.insights if r.applied}
    assert applied == {
        (1, "batch_size"): "batch_size",
        (1, "optimizer"): "optimizer",
        (1, "learning_rate"): "learning_rate",
        (4, "lr"): "learning_rate",
        (4, "batch_size"): "batch_size",
        (4, "optimizer"): "optimizer",
        (4, "dropout"): "dropout",
        (4, "weight_decay"): "weight_decay",
    }
    # the boosting learning rate of setup 3 (0.1) does not move the CNN's: median of 0.05 and 0.01
    assert d.hyperparameter("learning_rate").default == pytest.approx(0.03)
    assert (
        d.hyperparameter("batch_size").default == 128
        and 256 in d.hyperparameter("batch_size").choices
    )
    assert d.hyperparameter("optimizer").default == "sgd"
    # batch-norm momentum (0.99 keras, 0.1 torch) never becomes SGD's
    assert d.hyperparameter("momentum").default == 0.9
    assert "batch normalisation" in reason_of(
        d, 1, "momentum"
    ) and "batch normalisation" in reason_of(d, 4, "momentum")
    assert "pooling" in reason_of(d, 4, "kernel_size")
    assert d.hyperparameter("kernel_size").default == 3
    assert all(
        family == "gradient_boosting" and not used and "image space" in why
        for (setup, _), (family, used, why) in outcomes(d).items()
        if setup == 3
    )
    assert outcomes(d)[(5, "C")][:2] == ("weka", False) and outcomes(d)[(6, "C")][:2] == (
        "svm",
        False,
    )
    assert all(
        "repeats an earlier setup" in why
        for (setup, _), (_, _, why) in outcomes(d).items()
        if setup == 2
    )
    assert reason_of(d, 7, "batch_size") == "batch_size takes powers of two"
    assert reason_of(d, 7, "learning_rate").startswith("NaN")
    assert "safe range of dropout" in reason_of(d, 7, "dropout")
    assert reason_of(d, 1, "layer0").startswith("an object") and reason_of(
        d, 1, "kernel_size"
    ).startswith("an object")
    assert reason_of(d, 1, "build_fn").startswith("bookkeeping")


def test_tabular_setups_apply_each_family_to_its_own_branch():
    d = decide(CANCER, parse_insights((FIXTURES / "tabular_setups.txt").read_text()))
    defaults = {hp.name: hp.default for hp in d.hyperparameters if hp.rule == "HPG-INSIGHTS"}
    assert (
        defaults
        == pytest.approx(
            {
                "algorithm": "svm",  # 2 svm, 2 boosting, 2 linear, 1 forest: a tie without the default (lightgbm) goes to the first
                "svm_C": 5.0,  # median of 8 and 2; the Weka C (0.25) and the logistic C (1.0) are not SVM C values
                "svm_gamma": 0.01,
                "hgb_learning_rate": 0.175,
                "hgb_max_iter": 175,
                "hgb_max_leaf_nodes": 63,
                "hgb_l2_regularization": 1e-5,
                "rf_n_estimators": 500,
                "rf_min_samples_leaf": 2,
                "linear_alpha": 0.01,
                "linear_l1_ratio": 0.5,  # glmnet's lambda and alpha
            }
        )
    )
    o = outcomes(d)
    assert {name for (setup, name), (_, used, _) in o.items() if setup == 6 and not used} == {
        "C",
        "M",
        "batch-size",
        "num-decimal-places",
    }
    assert o[(6, "C")][0] == "weka" and "Weka flow" in o[(6, "C")][2]
    assert o[(11, "C")][:2] == ("linear", False)
    assert o[(3, "gamma")][2] == "svm_gamma is numeric and the value is not a number"
    assert o[(7, "max_features")][2] == "rf_max_features is numeric and the value is not a number"
    assert o[(8, "batch_size")][2].startswith("mlp_batch_size is not in this space")
    assert o[(9, "n_neighbors")][:2] == ("knn", False)
    assert o[(12, "learning_rate")] == ("", False, "setup matches no model family")
    assert o[(2, "C")][1:] == (False, "repeats an earlier setup apart from its seed")
    assert o[(1, "class_weight")][2].startswith("null") and o[(4, "missing_values")][2].startswith(
        "bookkeeping"
    )


def test_plan_groups_ignored_values_and_decisions_keep_all():
    d = decide(CIFAR, parse_insights((FIXTURES / "image_setups.txt").read_text()))
    plan = planner_json(d)["configuration_plan"]
    assert "OpenML suggestions: 8 of 64 values used" in plan
    assert (
        "repeats an earlier setup apart from its seed" in plan
        and plan.count("repeats an earlier") == 1
    )
    record = decisions_record(d)["insights"]
    assert len(record) == 64 and sum(r["applied"] for r in record) == 8
    assert {
        "setup",
        "family",
        "name",
        "value",
        "hyperparameter",
        "applied",
        "reason",
        "detail",
    } == set(record[0])


def test_plan_stays_small_for_a_large_payload():
    setup = {
        f"layer{i}": json.dumps({"class_name": "Conv2D", "config": {"filters": i}})
        for i in range(40)
    }
    setup |= {"batch_size": "64", "epochs": "20", "momentum": "0.99", "center": "true"}
    payload = [
        dict(setup, random_state=str(i), extra_key_with_a_long_name_number=str(i))
        for i in range(64)
    ]
    d = decide(CIFAR, parse_insights(repr(payload)))
    assert len(d.insights) > 64 * 40
    assert len(planner_json(d)["configuration_plan"]) < 4000


def test_explain_rows_name_setup_and_family_of_applied_values():
    d = decide(CIFAR, parse_insights((FIXTURES / "image_setups.txt").read_text()))
    rows = {row[0]: row for row in d.explain_rows() if row[0].startswith("insight.")}
    assert rows["insight.lr"][3].startswith("setup 4 (network): used for learning_rate")
    ignored = [row for row in d.explain_rows() if row[0] == "insights.ignored"]
    assert ignored and all(row[1].isdigit() for row in ignored)


def test_map_form_applies_by_name():
    d = decide(
        CANCER, parse_insights({"classifier": ["xgboost", "ranger", "xgboost"], "C": [0.001, 2.0]})
    )
    assert d.hyperparameter("algorithm").default == "hist_gradient_boosting"
    svm_c = d.hyperparameter("svm_C")
    assert svm_c.lower == pytest.approx(0.001) and svm_c.default == pytest.approx(1.0005)


def test_out_of_range_values_are_dropped_one_by_one():
    d = decide(
        CIFAR,
        parse_insights(
            {"weight_decay": [-1.0, 1e-4], "dropout": [0.99, 0.4], "max_depth": [6], "lr": [None]}
        ),
    )
    assert d.hyperparameter("weight_decay").default == pytest.approx(1e-4)
    assert d.hyperparameter("dropout").default == pytest.approx(0.4)
    reasons = {r.name: r.reason for r in d.insights if not r.applied}
    assert "log scale" in reasons["weight_decay"] and "safe range" in reasons["dropout"]
    assert reasons["max_depth"] == "no hyperparameter of this space has that name" and reasons[
        "lr"
    ].startswith("null")


def test_a_single_setup_object_and_the_empty_sentence():
    d = decide(CIFAR, parse_insights("{'lr': '0.02', 'batch_size': '32', 'epochs': '5'}"))
    assert d.hyperparameter("learning_rate").default == pytest.approx(0.02)
    empty = parse_insights("No OpenML meta-learning insights available for this dataset.\n")
    assert empty.form == "empty" and decide(CIFAR, empty).insights == ()


@pytest.mark.parametrize(
    "raw", [[1, 2], "text", {"lr": []}, "[{'lr': 1}", "[1, 2", "", "{'a': {1, 2}", "(" * 500]
)
def test_unreadable_shapes_raise(raw):
    with pytest.raises(HpogenError):
        parse_insights(raw)


@pytest.mark.parametrize("value", ["null", "NaN", "Infinity", '{"a": 1}', "[1, 2]", "", "[" * 3000])
def test_a_bad_value_is_skipped_not_fatal(value):
    d = decide(CIFAR, parse_insights([{"lr": value, "batch_size": "32", "optimizer": '"adam"'}]))
    assert d.hyperparameter("batch_size").default == 32
    assert [r.applied for r in d.insights if r.name == "lr"] == [False]


@pytest.mark.parametrize("n_samples", [300, 5000, 50000, 600000])
@pytest.mark.parametrize("kind", ["image", "tabular"])
def test_every_numeric_hyperparameter_has_a_safe_limit_inside_its_scale(kind, n_samples):
    from hpogen.tables import table

    facts = {"image_shape": [3, 64, 64]} if kind == "image" else {"n_features": 20}
    d = decide(
        DatasetSpec.from_dict(
            {"name": "x", "type": kind, "n_samples": n_samples, "n_classes": 10, **facts}
        )
    )
    safe = table("insights")["safe"]
    for hp in d.hyperparameters:
        if hp.kind == "categorical":
            continue
        lo, hi = safe[hp.name]
        assert lo < hi and (not hp.log or lo > 0), hp.name
        if hp.numeric:
            assert lo <= hp.lower and hp.upper <= hi, hp.name
