"""Forecasting through plan and generate: the embedded default, long-format CSVs (one series,
many, covariates), the season and horizon rules, and bad input refused in one line, exit 2."""

import json

import numpy as np
import pandas as pd
import pytest
from bundles import generate, run_cli

from hpogen.dataset.forecast_spec import horizon_rule, season_rule
from hpogen.dataset.spec import DatasetSpec
from hpogen.decide.planner import decide
from hpogen.errors import HpogenError


def _spec(bundle):
    return json.loads((bundle / "hpogen.lock.json").read_text())["spec"]


def _decisions(bundle):
    return {d["decision"]: d["value"] for d in json.loads((bundle / "decisions.json").read_text())["decisions"]}


def _long_csv(path, n_series=3, length=60, start="2024-01-01", freq="D", covariates=False, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        n = length - 5 * i  # unequal lengths
        times = pd.date_range(start, periods=n, freq=freq)
        value = 50 + 10 * np.sin(np.arange(n) * 2 * np.pi / 7) + rng.normal(0, 1, n) + i
        frame = pd.DataFrame({"store": f"s{i}", "day": times.strftime("%Y-%m-%d"), "sales": value})
        if covariates:
            frame["price"] = rng.uniform(1, 2, n)
            frame["footfall"] = rng.uniform(0, 100, n)
        frames.append(frame)
    pd.concat(frames).to_csv(path, index=False)
    return path


def test_the_default_is_airline_with_its_customary_horizon(tmp_path):
    bundle = generate(["--dataset-type", "time_series", "--task", "forecasting"], tmp_path / "b")
    spec = _spec(bundle)
    assert (spec["name"], spec["horizon"], spec["season_length"], spec["frequency"]) == ("Airline", 12, 12, "MS")
    assert _decisions(bundle)["strategy"] == "direct"


def test_a_long_csv_gives_series_lengths_frequency_and_the_rules(tmp_path):
    csv = _long_csv(tmp_path / "sales.csv")
    bundle = generate(["--data", str(csv), "--dataset-type", "time_series", "--task", "forecasting",
                       "--time-column", "day", "--target", "sales", "--id-column", "store"], tmp_path / "b")
    spec = _spec(bundle)
    assert (spec["n_series"], spec["min_length"], spec["max_length"], spec["n_samples"]) == (3, 50, 60, 165)
    assert (spec["frequency"], spec["season_length"], spec["horizon"]) == ("D", 7, 14)
    assert (spec["time_column"], spec["target_column"], spec["id_column"]) == ("day", "sales", "store")
    assert "covariates" not in spec or spec["covariates"] == {}


def test_covariates_are_past_only_unless_said_known(tmp_path):
    csv = _long_csv(tmp_path / "sales.csv", covariates=True)
    base = ["--data", str(csv), "--dataset-type", "time_series", "--task", "forecasting", "--time-column", "day",
            "--target", "sales", "--id-column", "store", "--horizon", "7"]
    default = _spec(generate(base, tmp_path / "a"))
    assert default["covariates"] == {"price": "past", "footfall": "past"}
    said = _spec(generate([*base, "--known-covariates", "price"], tmp_path / "b"))
    assert said["covariates"] == {"price": "known"}
    train = (tmp_path / "b" / "train.py").read_text()
    assert "COVARIATES = {\"price\": \"known\"}" in train


@pytest.mark.parametrize(("frequency", "season", "horizon"), [
    ("MS", 12, 18), ("QS-OCT", 4, 8), ("YS-JAN", 1, 6), ("W-SUN", 52, 13), ("D", 7, 14), ("B", 5, 5),
    ("h", 24, 48), ("30min", 48, 48), ("2h", 12, 48), (None, 1, 6),
])
def test_season_and_horizon_rules_by_frequency(frequency, season, horizon):
    assert season_rule(frequency)[0] == season
    assert horizon_rule(frequency, season)[0] == horizon


def _facts(**changes):
    facts = {"type": "time_series", "task": "forecasting", "n_samples": 100, "n_series": 1, "min_length": 100,
             "max_length": 100, "frequency": "MS"}
    return {**facts, **changes}


@pytest.mark.parametrize(("changes", "message"), [
    ({"horizon": 100}, "horizon 100 is not shorter than the shortest series"),
    ({"horizon": 80}, "fewer than 2 seasons of 12"),
    ({"frequency": "fortnightly"}, "not a pandas offset alias"),
    ({"n_channels": 2}, "one channel"),
    ({"covariates": {"x": "future"}}, "must be known or past"),
    ({"n_classes": 3}, "n_classes must be omitted"),
])
def test_bad_forecasting_specs_name_the_problem(changes, message):
    with pytest.raises(HpogenError, match=message):
        DatasetSpec.from_dict(_facts(**changes))


def test_forecasting_keys_belong_to_forecasting():
    with pytest.raises(HpogenError, match="applies to forecasting only"):
        DatasetSpec.from_dict({"type": "time_series", "task": "classification", "n_classes": 2, "n_samples": 10,
                               "n_channels": 1, "min_length": 10, "max_length": 10, "horizon": 3})
    with pytest.raises(HpogenError, match="forecasting is a task of time_series"):
        DatasetSpec.from_dict({"type": "tabular", "task": "forecasting", "n_samples": 10, "n_features": 2})


def test_season_length_one_lets_a_short_seasonal_series_through():
    spec = DatasetSpec.from_dict(_facts(horizon=80, season_length=1))
    names = {hp.name for hp in decide(spec).hyperparameters}
    assert "stat_seasonal" not in names and "lgbm_rounds" in names


def test_large_data_searches_on_budgets_and_forecasts_long_horizons_with_one_pooled_model():
    spec = DatasetSpec.from_dict(_facts(n_samples=5_000_000, n_series=50_000, frequency="h", horizon=48))
    d = decide(spec)
    names = {hp.name for hp in d.hyperparameters}
    assert d.multi_fidelity and "lgbm_rounds" not in names and "nn_epochs" not in names
    assert d.decision("strategy").value == "pooled"


def _refused(tmp_path, csv_text, *extra):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text)
    out = tmp_path / "out"
    result = run_cli("generate", "--data", str(path), "--dataset-type", "time_series", "--task", "forecasting",
                     "--time-column", "t", "--target", "v", *extra, "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()
    return result.stderr


def _monthly(n, values=None):
    times = pd.date_range("2020-01-01", periods=n, freq="MS").strftime("%Y-%m-%d")
    values = np.arange(n, dtype=float) % 7 + 1 if values is None else values
    return "t,v\n" + "".join(f"{t},{v}\n" for t, v in zip(times, values, strict=True))


def test_bad_csvs_are_refused_in_one_line(tmp_path):
    assert "not shorter than the shortest series" in _refused(tmp_path, _monthly(30), "--horizon", "30")
    assert "cannot read" in _refused(tmp_path, _monthly(30).replace("2020-03-01", "soon"))
    lines = _monthly(30).splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    assert "not in time order" in _refused(tmp_path, "\n".join(lines) + "\n")
    assert "constant" in _refused(tmp_path, _monthly(30, [5.0] * 30))
    assert "fewer than 2 seasons" in _refused(tmp_path, _monthly(30), "--horizon", "12")
    assert "no time column 'missing'" in _refused(tmp_path, _monthly(30), "--time-column", "missing")
