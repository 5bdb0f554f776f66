"""Property tests of the rules engine over random valid specs."""

import json

from bundles import bundle_files
from ConfigSpace import ConfigurationSpace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.planner import decide
from hpogen.render.plan_text import planner_json
from hpogen.render.space import configspace_dict
from hpogen.render.write import write_bundle

image_specs = st.builds(
    lambda n, classes, channels, side, test: {
        "name": "prop_image", "type": "image", "task": "classification", "n_samples": n,
        "n_classes": min(classes, n), "image_shape": [channels, side, side], "has_test_split": test,
    },
    st.integers(2, 5_000_000), st.integers(2, 2000), st.sampled_from([1, 3]), st.integers(1, 512), st.booleans(),
)
tabular_specs = st.builds(
    lambda n, task, classes, features, cat, missing: {
        "name": "prop_tabular", "type": "tabular", "task": task, "n_samples": n,
        **({"n_classes": min(classes, n)} if task == "classification" else {}),
        "n_features": features, "n_categorical": min(cat, features), "has_missing": missing,
    },
    st.integers(2, 10_000_000), st.sampled_from(["classification", "regression"]), st.integers(2, 500),
    st.integers(1, 5000), st.integers(0, 50), st.booleans(),
)
series_specs = st.builds(
    lambda n, task, classes, channels, lengths, missing, test: {
        "name": "prop_series", "type": "time_series", "task": task, "n_samples": n,
        **({"n_classes": min(classes, n)} if task == "classification" else {}),
        "n_channels": channels, "min_length": min(lengths), "max_length": max(lengths), "has_missing": missing,
        "has_test_split": test,
    },
    st.integers(2, 2_000_000), st.sampled_from(["classification", "regression"]), st.integers(2, 60),
    st.integers(1, 64), st.tuples(st.integers(3, 20_000), st.integers(3, 20_000)), st.booleans(), st.booleans(),
)
specs = st.one_of(image_specs, tabular_specs, series_specs).map(DatasetSpec.from_dict)


@settings(max_examples=150, deadline=None)
@given(specs)
def test_budgets_trials_and_steps(spec):
    d = decide(spec)
    assert d.crash_cost < float("inf")
    assert d.n_trials > 0 and d.walltime_limit > 0
    if spec.type == "image":
        assert d.multi_fidelity
        assert 10 <= d.min_budget < d.max_budget
        assert 300 <= d.n_trials <= 600
    if d.multi_fidelity:
        assert 0 < d.min_budget < d.max_budget
    plan = planner_json(d)
    assert 8 <= len(plan["configuration_plan"].splitlines()) <= 10
    assert 6 <= len(plan["scenario_plan"].splitlines()) <= 8
    assert 12 <= len(plan["train_function_plan"].splitlines()) <= 15
    assert plan["suggested_facade"] == d.facade


@settings(max_examples=60, deadline=None)
@given(tabular_specs.map(DatasetSpec.from_dict))
def test_nets_are_capped_where_the_size_band_makes_them_slow(spec):
    d = decide(spec)
    space = {hp.name: hp for hp in d.hyperparameters}
    if "mlp_units" not in space:
        assert d.extra["band"] == "small"  # the small band has no net to cap
        return
    units, batch, layers = space["mlp_units"], space["mlp_batch_size"], space["mlp_n_layers"]
    assert d.extra["band"] in ("medium", "large") and units.rule == "HPG-TAB-CAPS"
    assert units.upper <= 256 and layers.upper <= 3 and batch.lower >= 128
    for hp in (units, batch, layers):  # a cap only narrows the prior, and keeps its default inside
        assert hp.lower <= hp.default <= hp.upper and "capped to" in hp.reason


@settings(max_examples=150, deadline=None)
@given(spec=specs)
def test_space_is_valid_configspace(tmp_path_factory, spec):
    d = decide(spec)
    path = tmp_path_factory.mktemp("cs") / "configspace.json"
    path.write_text(json.dumps(configspace_dict(d)))
    cs = ConfigurationSpace.from_json(path)
    assert len(list(cs.values())) == len(d.hyperparameters)
    default = cs.get_default_configuration()
    for hp in d.hyperparameters:
        if hp.numeric:
            assert hp.lower <= hp.default <= hp.upper
            assert hp.lower < hp.upper
        else:
            assert hp.default in hp.choices
    cs.sample_configuration(3)
    assert dict(default)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(spec=specs)
def test_two_runs_write_identical_bytes(tmp_path, spec):
    first = write_bundle(decide(spec), tmp_path / "one", force=True)
    second = write_bundle(decide(DatasetSpec.from_dict(spec.to_dict())), tmp_path / "two", force=True)
    assert bundle_files(first) == bundle_files(second)


def test_every_facade_the_rules_choose_is_imported_by_the_scenario_template():
    """The scenario template imports every facade; generation prunes the unused ones."""
    import ast

    from bundles import ROOT

    from hpogen.tables import table

    tree = ast.parse((ROOT / "templates" / "bundle" / "scenario.py").read_text())
    imported = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "smac"
                for alias in node.names}
    chosen = {table(name)["facade"][side] for name in ("image", "tabular", "time_series") for side in ("below", "at_or_above")}
    assert chosen <= imported, chosen - imported


@settings(max_examples=100, deadline=None)
@given(series_specs.map(DatasetSpec.from_dict))
def test_series_bands_facade_and_length_rule_follow_the_values(spec):
    d = decide(spec)
    values = spec.n_samples * spec.max_length * spec.n_channels
    assert d.multi_fidelity == (values >= 1_000_000)
    assert (d.facade == "MultiFidelityFacade") == d.multi_fidelity
    assert d.extra["band"] == ("small" if values <= 1_000_000 else "medium" if values <= 100_000_000 else "large")
    length = d.decision("series_length")
    assert length.value == max(spec.max_length, 9)
    assert ("padded" in length.reason) == (spec.equal_length and spec.max_length < 9)
    assert ("length_rule" in length.reason) == (not spec.equal_length)
    names = {hp.name for hp in d.hyperparameters}
    assert ("length_rule" in names) == (not spec.equal_length)  # searched only where lengths differ
    for hp in d.hyperparameters:  # a family's dimensions exist only under its own branch
        if hp.name not in ("algorithm", "normalise", "length_rule"):
            assert hp.parent == "algorithm" and hp.values[0] in d.extra["families"]
            assert hp.name.startswith(hp.values[0] + "_")
