"""IMG-RESOLUTION: the final model trains at the images' own size capped at 224 on the longer side,
the search at that capped at 64; both are Decisions steps, extra values and a train-plan step."""

import json
import tomllib
from pathlib import Path

import pytest

from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.image import decide_image, resolutions
from hpogen.render.plan_text import planner_json
from hpogen.render.write import decisions_record

RULES = Path(__file__).resolve().parents[2] / "rules" / "bundle" / "image.toml"


def rule() -> dict:
    with RULES.open("rb") as handle:
        return tomllib.load(handle)["resolution"]


def spec(height: int, width: int, channels: int = 3, n_samples: int = 20000) -> DatasetSpec:
    return DatasetSpec.from_dict({
        "name": f"img_{height}x{width}", "type": "image", "n_samples": n_samples, "n_classes": 10,
        "image_shape": [channels, height, width],
    })


@pytest.mark.parametrize(("height", "width", "search", "final"), [
    (28, 28, (28, 28), (28, 28)),
    (32, 32, (32, 32), (32, 32)),
    (64, 64, (64, 64), (64, 64)),
    (96, 96, (64, 64), (96, 96)),
    (500, 375, (64, 48), (224, 168)),
    (375, 500, (48, 64), (168, 224)),
    (1024, 1024, (64, 64), (224, 224)),
    (224, 224, (64, 64), (224, 224)),
    (300, 200, (64, 43), (224, 149)),  # 149.33 -> 149, then 42.57 -> 43: nearest, not floor
    (2000, 10, (64, 1), (224, 1)),
    (10, 2000, (1, 64), (1, 224)),
])
def test_search_and_final_sizes(height, width, search, final):
    search_hw, final_hw, _, _ = resolutions(spec(height, width), rule())
    assert (search_hw, final_hw) == (search, final)
    assert all(isinstance(side, int) and side >= 1 for side in (*search_hw, *final_hw))


def test_reasons_state_the_numbers():
    search_hw, final_hw, search_reason, final_reason = resolutions(spec(500, 375), rule())
    assert "500x375" in final_reason and "224x168" in final_reason and "224" in final_reason
    assert "64x48" in search_reason and "224x168" in search_reason
    _, _, small_search, small_final = resolutions(spec(28, 28, channels=1), rule())
    assert small_search.startswith("28x28 images are searched at their own resolution")
    assert "own resolution" in small_final


def test_numbers_come_from_the_table():
    table = rule()
    assert table["id"] == "IMG-RESOLUTION" and "1707.08819" in table["source"]
    assert (table["final_max_side"], table["search_max_side"]) == (224, 64)
    other = {**table, "final_max_side": 100, "search_max_side": 20}
    assert resolutions(spec(500, 375), other)[:2] == ((20, 15), (100, 75))
    for height, width in [(28, 28), (96, 96), (500, 375), (2000, 10)]:
        d = decide_image(spec(height, width))
        search_hw, final_hw, _, _ = resolutions(d.spec, table)
        assert d.extra["search_size"] == search_hw and d.extra["final_size"] == final_hw
        assert isinstance(d.extra["search_size"], tuple) and isinstance(d.extra["final_size"], tuple)


def test_decide_image_adds_both_steps():
    d = decide_image(spec(500, 375))
    final, search = d.decision("final_resolution"), d.decision("search_resolution")
    assert (final.value, final.rule) == ([224, 168], "IMG-RESOLUTION")
    assert (search.value, search.rule) == ([64, 48], "IMG-RESOLUTION")
    assert "224x168" in final.reason and "64x48" in search.reason
    record = json.loads(json.dumps(decisions_record(d)))
    rows = {row["decision"]: row for row in record["decisions"]}
    assert rows["final_resolution"]["value"] == "[224, 168]"
    assert rows["search_resolution"]["rule"] == "IMG-RESOLUTION"


@pytest.mark.parametrize(("height", "width", "search", "final"), [
    (500, 375, "64x48", "224x168"),
    (28, 28, "28x28", "28x28"),
])
def test_train_plan_states_both_resolutions(height, width, search, final):
    plan = planner_json(decide_image(spec(height, width)))["train_function_plan"]
    (line,) = [line for line in plan.splitlines() if "IMG-RESOLUTION" in line]
    assert f"search resolution {search}" in line and f"final resolution {final}" in line
    assert "dataset['resolution'] = 'search'" in line and "antialiased bilinear" in line
    assert 12 <= len(plan.splitlines()) <= 15
