"""--insights on the command line: standard input, the empty sentence, --explain, clean errors,
and a property test over payloads in the upstream grammar (Python literal or JSON, string values)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from bundles import HPOGEN, bundle_files, generate, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.insights import parse_insights
from hpogen.decide.planner import decide
from hpogen.errors import HpogenError
from hpogen.render.plan_text import planner_json
from hpogen.render.space import configspace_json
from hpogen.render.write import decisions_record
from hpogen.tables import table

FIXTURES = Path(__file__).parent / "fixtures"
EMPTY = "No OpenML meta-learning insights available for this dataset."


def piped(*args, text: str, hash_seed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [*HPOGEN, *args], input=text, capture_output=True, text=True, env=env, timeout=120
    )


def test_insights_from_standard_input_equal_the_file(tmp_path):
    fixture = FIXTURES / "tabular_setups.txt"
    from_file = generate(["--dataset", "breast_cancer", "--insights", str(fixture)], tmp_path / "a")
    result = piped(
        "generate",
        "--dataset",
        "breast_cancer",
        "--insights",
        "-",
        "--out",
        str(tmp_path / "b"),
        text=fixture.read_text(),
    )
    assert result.returncode == 0, result.stderr
    assert bundle_files(tmp_path / "b") == bundle_files(from_file)


@pytest.mark.parametrize(
    "spec",
    [
        '{"name": "s", "type": "image", "n_samples": 600, "n_classes": 3, "image_shape": [1, 8, 8]}',
        "name: s\ntype: image\nn_samples: 600\nn_classes: 3\nimage_shape: [1, 8, 8]\n",
    ],
)
def test_spec_from_standard_input(spec, tmp_path):
    result = piped("plan", "--spec", "-", text=spec)
    assert result.returncode == 0, result.stderr
    assert (
        "1x8x8 images with 3 classes (600 samples)"
        in json.loads(result.stdout)["configuration_plan"]
    )


def test_only_one_option_reads_standard_input(tmp_path):
    result = piped("plan", "--spec", "-", "--insights", "-", text="{}")
    assert (
        result.returncode == 2
        and result.stderr.count("\n") == 1
        and "standard input" in result.stderr
    )


def test_the_empty_sentence_changes_nothing(tmp_path):
    (tmp_path / "none.txt").write_text(EMPTY + "\n")
    plain = run_cli("plan", "--dataset", "digits")
    empty = run_cli("plan", "--dataset", "digits", "--insights", str(tmp_path / "none.txt"))
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == plain.stdout


def test_explain_names_the_setup_and_family(tmp_path):
    result = run_cli(
        "plan",
        "--dataset",
        "breast_cancer",
        "--insights",
        str(FIXTURES / "tabular_setups.txt"),
        "--explain",
    )
    assert result.returncode == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "setup 4 (gradient_boosting): used for hgb_learning_rate" in flat.replace("│ ", "")
    assert "insights.ignored" in flat


@pytest.mark.parametrize(
    "text", ["", "   \n", "[1, 2]", "[{'C': '1.0'}", "No insights at all", "{'a': }", "b'[]'"]
)
def test_unreadable_insights_are_one_line_and_exit_2(text, tmp_path):
    (tmp_path / "i.txt").write_text(text)
    out = tmp_path / "bundle"
    result = run_cli(
        "generate", "--dataset", "digits", "--insights", str(tmp_path / "i.txt"), "--out", str(out)
    )
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not out.exists()


def test_output_is_identical_across_processes():
    text = (FIXTURES / "image_setups.txt").read_text()
    runs = [
        piped(
            "plan", "--dataset", "digits", "--insights", "-", "--explain", text=text, hash_seed=seed
        )
        for seed in ("1", "2")
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout


# -- the property test: strings as OpenML stores them -------------------------------------------


def _known_keys() -> list[str]:
    families = table("insight_families")["family"].values()
    keys = {k for f in families for field in ("marks", "keys") for k in f.get(field, ())}
    keys |= {k for f in families for t in ("image", "tabular") for k in f.get(t, {})}
    return sorted(
        keys
        | {"C", "M", "I", "num-decimal-places", "num.trees", "layer0", "random_state", "momentum"}
    )


SCALAR = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(json.dumps),
    st.integers(-(10**6), 10**6).map(json.dumps),
    st.text(max_size=8).map(json.dumps),
    st.sampled_from(
        [
            "true",
            "false",
            "null",
            "NaN",
            "-Infinity",
            '"rbf"',
            '"sgd"',
            '"sqrt"',
            '"max"',
            "0.1",
            "64",
            "1e-3",
        ]
    ),
    st.text(max_size=6),  # not JSON at all (a Weka kernel spec, say)
)
OBJECT = st.recursive(
    st.one_of(st.integers(), st.text(max_size=5), st.just({"class_name": "BatchNormalization"})),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
).map(json.dumps)
KEY = st.one_of(
    st.sampled_from(_known_keys()), st.text(max_size=10).filter(lambda k: k != "(family)")
)  # (family) names the votes
SETUP = st.dictionaries(KEY, SCALAR | OBJECT, max_size=8)
SPECS = [
    DatasetSpec.from_dict(
        {
            "name": "c",
            "type": "image",
            "n_samples": 50000,
            "n_classes": 10,
            "image_shape": [3, 32, 32],
        }
    ),
    DatasetSpec.from_dict(
        {"name": "b", "type": "tabular", "n_samples": 20000, "n_classes": 2, "n_features": 30}
    ),
]


def _render(setups: list, as_json: bool) -> str:
    return json.dumps(setups) if as_json else repr(setups)


@settings(
    max_examples=int(os.environ.get("HPOGEN_INSIGHTS_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(SETUP, max_size=6), st.booleans(), st.sampled_from(SPECS))
def test_any_payload_in_the_grammar_plans_or_fails_cleanly(setups, as_json, spec):
    from ConfigSpace import ConfigurationSpace

    text = _render(setups, as_json)
    try:
        outputs = []
        for _ in range(2):
            d = decide(spec, parse_insights(text))
            outputs.append(
                json.dumps([planner_json(d), decisions_record(d)], sort_keys=True, allow_nan=False)
            )
    except HpogenError as exc:
        assert "\n" not in str(exc)
        return
    assert outputs[0] == outputs[1]
    assert len([r for r in d.insights if r.name != "(family)"]) == sum(len(s) for s in setups)
    space = ConfigurationSpace.from_serialized_dict(json.loads(configspace_json(d)))
    space.get_default_configuration().check_valid_configuration()
