"""The rendered forecasting train.py (templates/bundle/train_forecast.py), run for real.

Bundles come from `hpogen generate` on aeon's shipped forecasting sets (and two specs with a
synthetic covariate); one driver process (generated code never runs in the test process) runs
the jobs below and prints one JSON line per job. The test process checks the numbers against
statsforecast called directly and against metrics computed by hand.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest
from bundles import generate

from hpogen.dataset.bundle_forecast import embedded_forecast, hold_out_horizon
from hpogen.tables import table

SUPPORT_DIR = Path(__file__).resolve().parents[1] / "support"
METRIC_KEYS = {"loss", "mase", "smape", "rmse", "snaive_mase", "snaive_smape", "snaive_rmse", "epochs_completed",
               "best_epoch", "fallbacks", "scored_series", "training_time", "past_deadline"}
BACKTEST_KEYS = METRIC_KEYS | {"loss_std", "cv_folds"}
SWEEP_BUDGET = 0.05  # 50 boosting rounds, 10 epochs: every configuration, not its full fit
NN_SEEDS = table("forecasting")["neural_seeds"]["seeds"]["small"]  # networks averaged in a neural fit of Airline
SWEEP = {"Airline": 10, "Uschange": 8, "Lynx": 6, "m1_yearly": 6, "solar": 4}

DRIVER = r'''
import importlib.util
import json
import math
import sys
import time
import traceback

import numpy as np

jobs = json.loads(sys.argv[1])
sys.path.insert(0, jobs["support_dir"])
from configs import corners  # noqa: E402


def load(folder, name):
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"{name}_{abs(hash(folder))}", f"{folder}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.path.remove(folder)
    return module


def data(bundle, name, train):
    forecast = load(bundle, "bundle_forecast")
    if name.startswith("synthetic"):
        rng = np.random.default_rng(0)
        x = rng.uniform(0, 10, (1, 240))
        y = 20 + 5 * x + rng.normal(0, 0.1, (1, 240))
        full = {"y": y, "X": x[:, None, :], "lengths": np.array([240]), "ids": np.array(["s"]),
                "time": (np.datetime64("2020-01-01") + np.arange(240).astype("timedelta64[D]"))[None, :].astype("datetime64[ns]"),
                "covariates": [["x", train.COVARIATES["x"]]], "frequency": "D"}
    else:
        full = forecast.embedded_forecast(name.removesuffix("_missing"))
    if name == "m1_yearly":  # the first 40 series keep the sweep short
        full = {**full, **{k: full[k][:40] for k in ("y", "X", "lengths", "time", "ids")}}
    if name == "Airline_missing":
        full = {**full, "y": full["y"].copy()}
        full["y"][0, [20, 21, 22, 70, 100]] = np.nan
    trainval, test = forecast.hold_out_horizon(full, train.HORIZON)
    return trainval, test


def run(job):
    train = load(job["bundle"], "train")
    space = load(job["bundle"], "config_space").get_configspace()
    trainval, test = data(job["bundle"], job["data"], train)
    if job["kind"] == "sweep":
        space.seed(0)
        # every family at least once: all corners on one set, each family's lower corner on the others
        ends = corners(space) if job["corners"] else corners(space, sides=(0,), vary=["algorithm"])
        configs = list(space.sample_configuration(job["samples"])) + ends
        out = []
        for config in configs:
            entry = {"config": {k: str(v) for k, v in dict(config).items()}}
            try:
                metrics = train.train(config, dict(trainval), 0, job["budget"])
                entry.update(keys=sorted(metrics), loss=metrics["loss"],
                             finite=all(math.isfinite(float(v)) for v in metrics.values()))
            except Exception:
                entry["error"] = traceback.format_exc()[-2000:]
            out.append(entry)
        return out
    if job["kind"] == "phases":  # which steps structural zeros hold at 0, on crafted histories
        m = train.SEASON_LENGTH
        day = np.linspace(1.0, 2.0, m)
        day[:10] = 0.0
        three = np.tile(day, 3)
        broken = three.copy()
        broken[m] = 0.5  # phase 0 of the middle season is not 0
        gap = three.copy()
        gap[[0, m]] = np.nan  # phase 0 observed once only
        cases = {"three": three, "broken": broken, "one_season": np.concatenate([day[5:], day]), "gap": gap,
                 "offset": np.concatenate([day[-7:], three])}
        return {name: train.zero_phases(values, 2 * m).tolist() for name, values in cases.items()}
    if job["kind"] == "members":  # each family's best trial, from crafted trials
        def trial(config, loss, folds=3, budget=None, best_epoch=0):
            return (config, budget, loss, {"cv_folds": folds, "best_epoch": best_epoch, "past_deadline": 0})

        stat_a, stat_b = {"algorithm": "statistical", "stat_model": "ets"}, {"algorithm": "statistical", "stat_model": "theta"}
        cut, boost = {"algorithm": "boosting", "lgbm_lookback": 1}, {"algorithm": "boosting", "lgbm_lookback": 3}
        net = {"algorithm": "neural", "nn_epochs": 100}
        full = [trial(stat_a, 1.0), trial(stat_b, 0.8), trial(stat_b, 0.8), trial(cut, 0.5, folds=1),
                trial(boost, 0.7), trial(boost, 1.3), trial(net, 0.9, best_epoch=30)]
        staged = [trial(stat_a, 0.6, budget=0.33), trial(stat_b, 0.9, budget=1.0), trial(net, 0.2, budget=0.33),
                  trial(net, 1.5, budget=1.0, best_epoch=12)]
        return {"full": [[c, b] for c, b in train.ensemble_members(full)],
                "staged": [[c, b] for c, b in train.ensemble_members(staged, 1.0)],
                "defaults": {family: train.default_config(family) for family in train.FIDELITY},
                "refit_budget": train.refit_budget(net, 30), "staged_budget": train.refit_budget(net, 12)}
    if job["kind"] == "ensemble":
        members = [(config, job["budget"]) for config in job["members"]]
        dataset = {**trainval, "y_test": test["y"], "X_test": test["X"], "time_test": test["time"]}
        metrics = train.refit_ensemble(members, dataset, 0, job["model_dir"])
        again = train.predict(job["model_dir"], {**trainval, "X_test": test["X"], "time_test": test["time"]})
        return {"metrics": metrics, "test": test["y"].tolist(), "predicted": again.tolist()}
    config = dict(space.get_default_configuration())
    config.update(job.get("config", {}))
    config = {k: v for k, v in config.items() if k in job.get("keep", config)}
    dataset = dict(trainval)
    if job["kind"] == "deadline":
        dataset["deadline"] = time.time() - 1
    if job["kind"] == "refit":
        dataset.update(y_test=test["y"], X_test=test["X"], time_test=test["time"])
        metrics = train.train(config, dataset, 0, job.get("budget"), model_dir=job["model_dir"])
        again = train.predict(job["model_dir"], {**trainval, "X_test": test["X"], "time_test": test["time"]})
        members = []
        if config["algorithm"] == "neural":  # each saved network's own forecast
            import torch

            lookback = train._lookback(config, "nn_lookback", train.HORIZON)
            history = [train.fill_missing(s.values) for s in train.read_history(trainval)]
            for k in range(train.NN_SEEDS):
                network = train._network(config, lookback, train.HORIZON)
                network.load_state_dict(torch.load(f"{job['model_dir']}/model_seed{k}.pt", weights_only=True))
                members.append(train._neural_forecast(network, history, train.HORIZON, lookback).tolist())
        return {"metrics": metrics, "test": test["y"].tolist(), "predicted": again.tolist(), "members": members}
    return train.train(config, dataset, 0, job.get("budget"))


results = {}
for name, job in jobs["jobs"].items():
    try:
        results[name] = run(job)
    except Exception:
        results[name] = {"error": traceback.format_exc()[-3000:]}
print("RESULT " + json.dumps(results))
'''


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    environment["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "hpogen-tests-pycache")
    return environment


def _covariate_spec(kind: str) -> dict:
    return {"name": f"synthetic_{kind}", "type": "time_series", "task": "forecasting", "n_samples": 240,
            "n_series": 1, "min_length": 240, "max_length": 240, "frequency": "D", "horizon": 7,
            "covariates": {"x": kind}}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("forecast_bundles")
    made = {name: generate(["--dataset", name], root / name) for name in SWEEP}
    for kind in ("known", "past"):
        spec = root / f"spec_{kind}.json"
        spec.write_text(json.dumps(_covariate_spec(kind)))
        made[f"synthetic_{kind}"] = generate(["--spec", str(spec)], root / f"synthetic_{kind}")
    return made


@pytest.fixture(scope="module")
def runs(bundles, tmp_path_factory) -> dict:
    """Every job in two driver processes side by side; their results by job name."""
    root = tmp_path_factory.mktemp("forecast_runs")
    driver = root / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    airline, solar = str(bundles["Airline"]), str(bundles["solar"])
    jobs = {f"sweep_{name}": {"kind": "sweep", "bundle": str(bundles[name]), "data": name, "samples": samples,
                              "corners": name == "Airline", "budget": SWEEP_BUDGET}
            for name, samples in SWEEP.items()}
    jobs.update({
        "ets_backtest": {"kind": "backtest", "bundle": airline, "data": "Airline", "config": {"stat_model": "ets"}},
        "deadline": {"kind": "deadline", "bundle": airline, "data": "Airline",
                     "config": {"algorithm": "statistical", "stat_model": "theta"}},
        "deadline_neural": {"kind": "deadline", "bundle": airline, "data": "Airline", "config": {"algorithm": "neural"}},
        "missing": {"kind": "backtest", "bundle": airline, "data": "Airline_missing", "config": {"stat_model": "theta"}},
        "known": {"kind": "backtest", "bundle": str(bundles["synthetic_known"]), "data": "synthetic_known",
                  "config": {"algorithm": "boosting"}, "budget": 0.2},
        "past": {"kind": "backtest", "bundle": str(bundles["synthetic_past"]), "data": "synthetic_past",
                 "config": {"algorithm": "boosting"}, "budget": 0.2},
    })
    for kind in ("known", "past"):
        for model in ("arima", "ets"):
            jobs[f"{kind}_{model}"] = {"kind": "backtest", "bundle": str(bundles[f"synthetic_{kind}"]),
                                       "data": f"synthetic_{kind}", "config": {"algorithm": "statistical", "stat_model": model}}
    for family, extra in (("statistical", {"stat_model": "arima"}), ("boosting", {}), ("neural", {})):
        jobs[f"refit_{family}"] = {"kind": "refit", "bundle": airline, "data": "Airline", "budget": 0.1,
                                   "config": {"algorithm": family, **extra}, "model_dir": str(root / f"model_{family}")}
    jobs["members"] = {"kind": "members", "bundle": airline, "data": "Airline"}
    jobs["ensemble"] = {"kind": "ensemble", "bundle": airline, "data": "Airline", "budget": 0.05,
                        "members": [{"algorithm": "statistical", "stat_model": "theta"}, {"algorithm": "statistical"},
                                    {"algorithm": "boosting"}, {"algorithm": "neural"}], "model_dir": str(root / "ensemble")}
    jobs["ensemble_stat"] = {"kind": "ensemble", "bundle": airline, "data": "Airline", "budget": None,
                             "members": [{"algorithm": "statistical", "stat_model": "theta"},
                                         {"algorithm": "statistical", "stat_model": "ets"}],
                             "model_dir": str(root / "ensemble_stat")}
    jobs["ensemble_solar"] = {"kind": "ensemble", "bundle": solar, "data": "solar", "budget": 0.05,
                              "members": [{"algorithm": "statistical"}, {"algorithm": "neural"}],
                              "model_dir": str(root / "ensemble_solar")}
    jobs["ensemble_lone"] = {"kind": "ensemble", "bundle": airline, "data": "Airline", "budget": None,
                             "members": [{"algorithm": "statistical", "stat_model": "theta"}],
                             "model_dir": str(root / "ensemble_lone")}
    jobs["phases"] = {"kind": "phases", "bundle": solar, "data": "solar"}
    for family, budget in (("statistical", None), ("boosting", None), ("neural", 0.05)):
        jobs[f"zeros_{family}"] = {"kind": "refit", "bundle": solar, "data": "solar", "budget": budget,
                                   "config": {"algorithm": family}, "model_dir": str(root / f"zeros_{family}")}
    for job in jobs.values():
        job.setdefault("keep", None)
        if job["keep"] is None:
            del job["keep"]
    names = sorted(jobs)
    halves = [names[0::2], names[1::2]]
    processes = [subprocess.Popen([sys.executable, str(driver), json.dumps(
        {"support_dir": str(SUPPORT_DIR), "jobs": {n: jobs[n] for n in half}})], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=root, env=_environment()) for half in halves]
    results = {}
    for process in processes:
        stdout, stderr = process.communicate(timeout=1800)
        assert process.returncode == 0, stderr[-4000:]
        results.update(json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:]))
    results["_root"] = str(root)
    return results


def _ok(result):
    assert "error" not in result, result.get("error")
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SWEEP))
def test_every_sampled_configuration_trains_on_real_series(runs, name):
    outcomes = runs[f"sweep_{name}"]
    assert len(outcomes) >= SWEEP[name]
    failed = [o for o in outcomes if "error" in o]
    assert not failed, failed[0]["config"] | {"error": failed[0]["error"]}
    for outcome in outcomes:
        assert set(outcome["keys"]) == BACKTEST_KEYS and outcome["finite"], outcome
    families = {o["config"]["algorithm"] for o in outcomes}
    assert families == {"statistical", "boosting", "neural"}, families


def _mase(history: np.ndarray, truth: np.ndarray, forecast: np.ndarray, season: int) -> float:
    lag = season if len(history) > season else 1
    return float(np.mean(np.abs(truth - forecast)) / np.mean(np.abs(history[lag:] - history[:-lag])))


@pytest.mark.slow
def test_backtest_is_rolling_origin_autoets_as_statsforecast_fits_it(runs):
    """Three origins, one horizon apart, fit only on what came before each: the loss is the mean
    MASE of statsforecast's own AutoETS at each origin (computed here, independently), every
    origin scaled by the whole history's in-sample seasonal naive error."""
    from statsforecast.models import AutoETS

    result = _ok(runs["ets_backtest"])
    trainval, _ = hold_out_horizon(embedded_forecast("Airline"), 12)
    y = trainval["y"][0, : trainval["lengths"][0]]
    scores, naive = [], []
    for fold in (1, 2, 3):
        fit, truth = y[: len(y) - 12 * fold], y[len(y) - 12 * fold:][:12]
        forecast = AutoETS(season_length=12).forecast(y=fit, h=12)["mean"]
        scores.append(_mase(y, truth, forecast, 12))
        naive.append(_mase(y, truth, np.resize(fit[-12:], 12), 12))
    assert result["cv_folds"] == 3
    assert result["loss"] == pytest.approx(np.mean(scores), rel=1e-9)
    assert result["snaive_mase"] == pytest.approx(np.mean(naive), rel=1e-9)
    assert set(result) == BACKTEST_KEYS


@pytest.mark.slow
def test_a_past_deadline_ends_the_backtest_after_one_origin(runs):
    result = _ok(runs["deadline"])
    assert result["cv_folds"] == 1 and result["past_deadline"] == 1
    # the neural family: one epoch of the first network, and no further network starts
    neural = _ok(runs["deadline_neural"])
    assert neural["cv_folds"] == 1 and neural["epochs_completed"] == 1


@pytest.mark.slow
def test_missing_values_are_interpolated_and_never_scored(runs):
    result = _ok(runs["missing"])
    assert math.isfinite(result["loss"]) and result["cv_folds"] == 3


@pytest.mark.slow
def test_known_covariates_reach_the_boosting_model(runs):
    """y = 20 + 5 x + noise with x random: knowing x at the forecast times makes the forecast
    nearly exact; seeing x only up to the origin cannot."""
    known, past = _ok(runs["known"]), _ok(runs["past"])
    assert known["loss"] < 0.5 * past["loss"], (known["loss"], past["loss"])


def test_known_covariates_are_autoarimas_regressors_and_no_other_statistical_models(runs):
    """The same series: AutoARIMA given x at the forecast times (a regression with ARIMA errors)
    is nearly exact, without them it cannot be; AutoETS reads no covariate, known or not."""
    known, past = _ok(runs["known_arima"]), _ok(runs["past_arima"])
    assert known["loss"] < 0.2 * past["loss"], (known["loss"], past["loss"])
    assert known["fallbacks"] == 0
    assert _ok(runs["known_ets"])["loss"] == pytest.approx(_ok(runs["past_ets"])["loss"], rel=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("family", ["statistical", "boosting", "neural"])
def test_refit_scores_the_test_horizon_and_saves_the_forecast(runs, family):
    result = _ok(runs[f"refit_{family}"])
    metrics, truth = result["metrics"], np.array(result["test"])
    assert set(metrics) == METRIC_KEYS
    folder = Path(runs["_root"]) / f"model_{family}"
    record = json.loads((folder / "forecast.json").read_text())
    forecast = np.array(record["forecast"])
    assert forecast.shape == (1, 12) and np.all(np.isfinite(forecast))
    assert np.array(record["truth"]) == pytest.approx(truth)
    trainval, _ = hold_out_horizon(embedded_forecast("Airline"), 12)
    history = trainval["y"][0, : trainval["lengths"][0]]
    assert metrics["mase"] == pytest.approx(_mase(history, truth[0], forecast[0], 12), rel=1e-9)
    smape = np.mean(200 * np.abs(truth[0] - forecast[0]) / (np.abs(truth[0]) + np.abs(forecast[0])))
    assert metrics["smape"] == pytest.approx(smape, rel=1e-9)
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((truth[0] - forecast[0]) ** 2)), rel=1e-9)
    assert {"config.json", "metadata.json"} <= {p.name for p in folder.iterdir()}
    # the saved model forecasts the same history again: refit (statistical) or loaded (the others)
    assert np.array(result["predicted"]) == pytest.approx(forecast, rel=1e-6)
    if family == "statistical":
        low, high = (np.array(band) for band in record["intervals"]["95"])
        assert np.all(low <= forecast) and np.all(forecast <= high) and np.all(high - low > 0)
    else:
        assert record["intervals"] == {}
        saved = ["lightgbm_step1.txt"] if family == "boosting" else [f"model_seed{k}.pt" for k in range(NN_SEEDS)]
        assert all((folder / name).exists() for name in saved)
    if family == "neural":  # the forecast is the mean of NN_SEEDS networks from different seeds
        members = np.array(result["members"])
        assert members.shape == (NN_SEEDS, 1, 12) and not np.allclose(members[0], members[1])
        assert forecast == pytest.approx(members.mean(axis=0), rel=1e-6)
        assert metrics["epochs_completed"] >= NN_SEEDS


def test_structural_zeros_are_found_only_where_every_whole_season_is_zero(runs):
    m = 48  # solar's season
    result = _ok(runs["phases"])
    steps = np.arange(2 * m)
    night = (steps % m) < 10
    assert result["three"] == night.tolist()
    assert result["broken"] == (night & (steps % m != 0)).tolist()
    assert result["gap"] == (night & (steps % m != 0)).tolist()
    assert not any(result["one_season"])  # two whole seasons are needed
    # seasons are counted back from the end: 7 leading points shift nothing
    assert result["offset"] == night.tolist()


@pytest.mark.slow
@pytest.mark.parametrize("family", ["statistical", "boosting", "neural"])
def test_solar_nights_are_forecast_zero_by_every_family(runs, family):
    """Solar power is exactly 0 at the same half-hours of every night; the refit's forecast, its
    intervals and predict() hold those steps at 0 (a fitted model alone leaves small values)."""
    result = _ok(runs[f"zeros_{family}"])
    trainval, _ = hold_out_horizon(embedded_forecast("solar"), 48)
    history = trainval["y"][0, : trainval["lengths"][0]]
    whole = len(history) // 48
    night = np.all(history[len(history) - whole * 48:].reshape(whole, 48) == 0, axis=0)
    assert 0 < night.sum() < 48
    record = json.loads((Path(runs["_root"]) / f"zeros_{family}" / "forecast.json").read_text())
    forecast = np.array(record["forecast"])[0]
    assert np.all(forecast[night] == 0.0) and np.all(np.array(result["predicted"])[0][night] == 0.0)
    assert np.all(forecast[~night] != 0.0)
    for low, high in record["intervals"].values():
        assert np.all(np.array(low)[0][night] == 0.0) and np.all(np.array(high)[0][night] == 0.0)
    assert np.array(result["predicted"]) == pytest.approx(np.array(record["forecast"]), rel=1e-6)


@pytest.mark.slow
def test_a_horizon_beyond_max_direct_is_forecast_by_one_pooled_boosting_model(runs):
    """Solar's horizon 48 is above HPG-FC-STRATEGY's max_direct: one LightGBM model for every step,
    fed no forecast of its own, reloaded by predict() to the same forecast; its day follows the
    history's days rather than drifting the way a one-step model fed its own forecasts did."""
    folder = Path(runs["_root"]) / "zeros_boosting"
    assert json.loads((folder / "metadata.json").read_text())["strategy"] == "pooled"
    assert sorted(p.name for p in folder.glob("lightgbm_step*.txt")) == ["lightgbm_step0.txt"]
    forecast = np.array(json.loads((folder / "forecast.json").read_text())["forecast"])[0]
    trainval, _ = hold_out_horizon(embedded_forecast("solar"), 48)
    history = trainval["y"][0, : trainval["lengths"][0]]
    days = history[len(history) - 4 * 48:].reshape(4, 48)
    assert forecast.max() <= 1.5 * days.max() and forecast.min() >= 0.0
    assert np.argmax(forecast) in range(int(np.argmax(days.mean(axis=0))) - 6, int(np.argmax(days.mean(axis=0))) + 7)


def _default_config(family: str, season_length: int) -> dict:
    """A family's default configuration as the rules' full-fidelity space gives it."""
    space = table("forecasting")["space"]
    return {"algorithm": family, **{name: spec["default"] for name, spec in space.items()
                                    if spec.get("family") == family and (season_length > 1 or not spec.get("seasonal_only"))}}


def test_the_ensemble_takes_each_familys_best_configuration_and_its_default(runs):
    result = _ok(runs["members"])
    stat, boost = _default_config("statistical", 12), _default_config("boosting", 12)
    assert result["defaults"]["statistical"] == stat and result["defaults"]["boosting"] == boost
    assert stat["stat_model"] == "ets" and boost["lgbm_lookback"] != 3
    # theta beats ets; the boosting trial cut to one origin is left out, the other's mean is 1.0;
    # each searched best is followed by its family's default unless it is that default (the
    # network, nn_epochs 100, is); the network is refit for the epochs early stopping chose
    assert result["full"] == [[{"algorithm": "statistical", "stat_model": "theta"}, None], [stat, None],
                              [{"algorithm": "boosting", "lgbm_lookback": 3}, None], [boost, None],
                              [{"algorithm": "neural", "nn_epochs": 100}, result["refit_budget"]]]
    assert result["refit_budget"] == pytest.approx(30 / table("forecasting")["fidelity"]["neural"][1])
    # multi-fidelity: only the top budget's trials count; the statistical members get that budget
    assert result["staged"] == [[{"algorithm": "statistical", "stat_model": "theta"}, 1.0], [stat, 1.0],
                                [{"algorithm": "neural", "nn_epochs": 100}, result["staged_budget"]]]


@pytest.mark.slow
def test_the_refit_forecast_is_the_median_of_the_members_forecasts(runs):
    result = _ok(runs["ensemble"])
    folder = Path(runs["_root"]) / "ensemble"
    record = json.loads((folder / "forecast.json").read_text())
    members, forecast = np.array(record["members"]), np.array(record["forecast"])
    assert members.shape == (4, 1, 12) and not np.allclose(members[0], members[1])
    # the two statistical members are averaged, then the median over the three families
    expected = np.median([(members[0] + members[1]) / 2, members[2], members[3]], axis=0)
    assert forecast == pytest.approx(expected, rel=1e-12)
    assert not np.allclose(forecast, np.median(members, axis=0))
    # conformal intervals around the combination (HPG-FC-CONFORMAL), nested, and their coverage reported
    assert record["interval_method"] == "conformal" and summary_method(folder) == "conformal"
    bands = {lv: np.array(band) for lv, band in record["intervals"].items()}
    assert set(bands) == {"80", "95"}
    assert np.all(bands["95"][0] <= bands["80"][0]) and np.all(bands["80"][0] <= forecast)
    assert np.all(forecast <= bands["80"][1]) and np.all(bands["80"][1] <= bands["95"][1])
    assert np.any(bands["95"][1] - bands["95"][0] > 0)
    truth_all = np.array(result["test"])
    for lv, (low, high) in bands.items():
        assert result["metrics"][f"coverage_{lv}"] == pytest.approx(np.mean((truth_all >= low) & (truth_all <= high)))
    summary = json.loads((folder / "ensemble.json").read_text())
    assert [m["algorithm"] for m in summary["members"]] == ["statistical", "statistical", "boosting", "neural"]
    assert [m["default"] for m in summary["members"]] == [False, True, True, True]
    for k, member in enumerate(summary["members"]):
        saved = json.loads((folder / member["folder"] / "forecast.json").read_text())
        assert np.array(saved["forecast"]) == pytest.approx(members[k], rel=1e-12)
    truth = np.array(result["test"])[0]
    trainval, _ = hold_out_horizon(embedded_forecast("Airline"), 12)
    history = trainval["y"][0, : trainval["lengths"][0]]
    assert result["metrics"]["mase"] == pytest.approx(_mase(history, truth, forecast[0], 12), rel=1e-9)
    assert set(result["metrics"]) == METRIC_KEYS | {"coverage_80", "coverage_95"}
    # predict() refits or loads every member and takes the same median
    assert np.array(result["predicted"]) == pytest.approx(forecast, rel=1e-6)


def summary_method(folder: Path) -> str:
    return json.loads((folder / "ensemble.json").read_text())["intervals"]


@pytest.mark.slow
def test_conformal_intervals_are_the_quantiles_of_the_combinations_backtest_errors(runs):
    """Theta and ETS combined (two members: their mean): at each of the 3 origins both are fit
    here by statsforecast directly, and the interval at each step is the forecast plus the
    central quantiles of {-e, +e} over that step's errors e, in units of the MASE scale."""
    from statsforecast.models import AutoETS, AutoTheta

    result = _ok(runs["ensemble_stat"])
    folder = Path(runs["_root"]) / "ensemble_stat"
    record = json.loads((folder / "forecast.json").read_text())
    trainval, _ = hold_out_horizon(embedded_forecast("Airline"), 12)
    y = trainval["y"][0, : trainval["lengths"][0]]
    scale = np.mean(np.abs(y[12:] - y[:-12]))
    errors = []
    for fold in (1, 2, 3):
        fit, truth = y[: len(y) - 12 * fold], y[len(y) - 12 * fold:][:12]
        mean = np.mean([model.forecast(y=fit, h=12)["mean"] for model in (AutoTheta(season_length=12), AutoETS(season_length=12))], axis=0)
        errors.append(np.abs(truth - mean) / scale)
    errors = np.array(errors)
    forecast = np.array(record["forecast"])[0]
    assert record["interval_method"] == "conformal"
    for level in (80, 95):
        alpha = (100 - level) / 200
        low, high = np.quantile(np.concatenate([-errors, errors]), [alpha, 1 - alpha], axis=0)
        assert np.array(record["intervals"][str(level)][0])[0] == pytest.approx(forecast + scale * low, rel=1e-6)
        assert np.array(record["intervals"][str(level)][1])[0] == pytest.approx(forecast + scale * high, rel=1e-6)
    # with 3 origins, the 95% interval reaches nearly the largest error seen at that step
    assert np.all(np.array(record["intervals"]["95"][1])[0] - forecast >= scale * np.sort(errors, axis=0)[1])
    assert 0.0 <= result["metrics"]["coverage_95"] <= 1.0


@pytest.mark.slow
def test_conformal_intervals_hold_solar_nights_at_zero_and_never_go_below_zero(runs):
    _ok(runs["ensemble_solar"])
    record = json.loads((Path(runs["_root"]) / "ensemble_solar" / "forecast.json").read_text())
    trainval, _ = hold_out_horizon(embedded_forecast("solar"), 48)
    history = trainval["y"][0, : trainval["lengths"][0]]
    whole = len(history) // 48
    night = np.all(history[len(history) - whole * 48:].reshape(whole, 48) == 0, axis=0)
    assert record["interval_method"] == "conformal" and set(record["intervals"]) == {"80", "95"}
    for low, high in record["intervals"].values():
        low, high = np.array(low)[0], np.array(high)[0]
        assert np.all(low[night] == 0.0) and np.all(high[night] == 0.0)
        assert np.all(low >= 0.0) and np.any(high[~night] > low[~night])


def test_a_lone_member_keeps_its_own_forecast_and_intervals(runs):
    _ok(runs["ensemble_lone"])
    folder = Path(runs["_root"]) / "ensemble_lone"
    record = json.loads((folder / "forecast.json").read_text())
    member = json.loads((folder / "member0" / "forecast.json").read_text())
    assert np.array(record["forecast"]) == pytest.approx(np.array(member["forecast"]), rel=1e-12)
    assert record["intervals"] == member["intervals"] and set(record["intervals"]) == {"80", "95"}
    assert record["interval_method"] == "model" and summary_method(folder) == "model"
