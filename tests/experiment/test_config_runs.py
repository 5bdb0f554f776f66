"""derive's runs list: copying each variation's dumped run per seed writes the bytes that dumping
every run writes, whatever the variation names, settings, dataset and data root hold."""

from __future__ import annotations

import copy

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hpogen.experiment.configs import SEED_MARK, derived_config_text, dump_yaml

NAMES = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
SETTINGS = st.dictionaries(st.text(min_size=1, max_size=12), st.one_of(SCALARS, st.lists(SCALARS, max_size=3)),
                           max_size=5)


def every_run_dumped(experiment, dataset, model, data_root):
    runs = [{"run_id": f"{v['variant']}-s{seed}", "variant": v["variant"], "dataset": dataset, "model": model,
             "data_root": data_root, "seed": seed, "training": copy.deepcopy(v["training"])}
            for seed in experiment["seeds"] for v in experiment["variants"]]
    return dump_yaml({"experiment": experiment, "runs": runs})


@settings(max_examples=150, deadline=None)
@given(names=st.lists(NAMES, min_size=1, max_size=5, unique=True), trainings=st.lists(SETTINGS, min_size=5, max_size=5),
       seeds=st.lists(st.integers(0, 10**5), min_size=1, max_size=4, unique=True),
       dataset=st.text(min_size=1, max_size=15), data_root=st.one_of(st.none(), st.text(max_size=40)))
def test_copied_runs_are_the_dumped_runs(names, trainings, seeds, dataset, data_root):
    experiment = {"name": "x", "seeds": seeds,
                  "variants": [{"variant": n, "training": t} for n, t in zip(names, trainings, strict=False)]}
    text = derived_config_text("# header\n", experiment, dataset, "small_cnn", data_root, "where")
    assert text == "# header\n" + every_run_dumped(experiment, dataset, "small_cnn", data_root)
    loaded = yaml.safe_load(text)
    assert [r["seed"] for r in loaded["runs"]] == [s for s in seeds for _ in names]


def test_a_setting_holding_the_seed_mark_still_dumps_every_run():
    experiment = {"seeds": [0, 7], "variants": [{"variant": "a", "training": {"note": f"s{SEED_MARK}", "n": SEED_MARK}}]}
    text = derived_config_text("", experiment, "digits", "mlp", None, "where")
    assert text == every_run_dumped(experiment, "digits", "mlp", None)
    assert [r["run_id"] for r in yaml.safe_load(text)["runs"]] == ["a-s0", "a-s7"]
