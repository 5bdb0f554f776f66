"""Forecasting end to end: `hpogen run` on a shipped set and on a long CSV, and the standalone
driver, with real SMAC, statsforecast, LightGBM and torch; the test horizon stays unseen."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from run_support import RUN_TIMEOUT_S, hpogen

from hpogen.dataset.bundle_forecast import embedded_forecast

pytestmark = pytest.mark.slow


def _check_results(out, horizon, n_series):
    results = json.loads((out / "results.json").read_text())
    metrics = results["test_metrics"]
    assert metrics is not None and metrics["mase"] == metrics["loss"]
    assert {"smape", "rmse", "snaive_mase", "snaive_smape", "snaive_rmse"} <= set(metrics)
    forecasts = results["forecasts"]
    assert len(forecasts) == n_series
    assert all(len(f["forecast"]) == horizon and len(f["time"]) == horizon for f in forecasts)
    assert results["data"]["test_split"] == f"the last {horizon} points of every series"
    for name in ("forecast.png", "forecast.pdf", "trajectory.png"):
        assert (out / name).stat().st_size > 0
    return results


def test_hpogen_run_forecasts_the_held_out_year_of_airline(tmp_path):
    bundle = tmp_path / "airline"
    assert hpogen("generate", "--dataset", "Airline", "--out", bundle).returncode == 0
    out = tmp_path / "run"
    result = hpogen("run", bundle, "--n-trials", 4, "--walltime", 300, "--out", out)
    assert result.returncode == 0, result.stderr
    results = _check_results(out, 12, 1)
    truth = embedded_forecast("Airline")["y"][0, -12:]
    assert results["forecasts"][0]["truth"] == pytest.approx(truth.tolist())
    assert results["forecasts"][0]["time"][0] == "1960-01-01"
    assert results["incumbent"]["algorithm"] in ("statistical", "boosting", "neural")
    # the refit: each family's best configuration, then its default unless the best is it; each
    # family's members averaged, the median over families
    summary = json.loads((out / "model" / "ensemble.json").read_text())
    families = [member["algorithm"] for member in summary["members"]]
    assert families == [member["config"]["algorithm"] for member in results["final_fit"]["members"]]
    for family in set(families):
        flags = [member["default"] for member in summary["members"] if member["algorithm"] == family]
        assert flags in ([False, True], [True]), (family, flags)
    record = json.loads((out / "model" / "forecast.json").read_text())
    means = [np.mean([m for m, f in zip(record["members"], families, strict=True) if f == family], axis=0)
             for family in dict.fromkeys(families)]
    assert results["forecasts"][0]["forecast"] == pytest.approx(np.median(means, axis=0)[0].tolist())
    # every final forecast has 80% and 95% intervals (conformal, or a lone statistical model's own), drawn and scored
    entry = results["forecasts"][0]
    assert set(entry["intervals"]) == {"80", "95"}
    forecast = np.array(entry["forecast"])
    for level, band in entry["intervals"].items():
        assert np.all(np.array(band["lower"]) <= forecast + 1e-9) and np.all(forecast <= np.array(band["upper"]) + 1e-9)
        inside = (np.array(entry["truth"]) >= band["lower"]) & (np.array(entry["truth"]) <= band["upper"])
        assert results["test_metrics"][f"coverage_{level}"] == pytest.approx(np.mean(inside))


def test_a_long_csv_with_covariates_runs_and_the_driver_agrees(tmp_path):
    rng = np.random.default_rng(1)
    frames = []
    for i in range(3):
        n = 80 - 10 * i
        price = rng.uniform(1, 2, n)
        frames.append(pd.DataFrame({
            "item": f"i{i}", "week": pd.date_range("2022-01-02", periods=n, freq="W-SUN").strftime("%Y-%m-%d"),
            "units": 100 - 30 * price + rng.normal(0, 1, n) + 5 * i, "price": price,
        }))
    csv = tmp_path / "units.csv"
    pd.concat(frames).to_csv(csv, index=False)
    bundle = tmp_path / "units"
    made = hpogen("generate", "--data", csv, "--dataset-type", "time_series", "--task", "forecasting", "--time-column",
                  "week", "--target", "units", "--id-column", "item", "--known-covariates", "price", "--horizon", 4,
                  "--season-length", 1, "--out", bundle)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "run"
    result = hpogen("run", bundle, "--data", csv, "--n-trials", 3, "--walltime", 300, "--out", out)
    assert result.returncode == 0, result.stderr
    results = _check_results(out, 4, 3)
    assert [f["id"] for f in results["forecasts"]] == ["i0", "i1", "i2"]
    driver = subprocess.run([sys.executable, "run_hpo.py", "--data", str(csv), "--n-trials", "3", "--out",
                             str(tmp_path / "driver")], cwd=bundle, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert driver.returncode == 0, driver.stderr
    standalone = json.loads((tmp_path / "driver" / "results.json").read_text())
    assert standalone["test_metrics"]["snaive_mase"] == pytest.approx(results["test_metrics"]["snaive_mase"])
    assert json.loads((tmp_path / "driver" / "model" / "forecast.json").read_text())["ids"] == ["i0", "i1", "i2"]
