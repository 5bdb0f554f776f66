"""bundle_forecast: aeon's forecasting sets and long-format CSVs on one regular grid, gaps and
duplicates reported, bad data refused in one line, and the test horizon taken from each series'
own end."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from aeon.datasets import load_from_tsf_file

from hpogen.dataset import bundle_forecast as bf
from hpogen.dataset import bundle_series as bs
from hpogen.dataset.bundle_forecast import ForecastDataError

M1 = "m1_yearly_dataset/m1_yearly_dataset.tsf"


def _csv(folder, text, name="data.csv"):
    path = folder / name
    path.write_text(text)
    return path


def _times(*texts) -> np.ndarray:
    return np.array(texts, dtype="datetime64[ns]")


def _refusal(call, *args, **kwargs) -> str:
    """The one-line message of the ForecastDataError that call(*args, **kwargs) raises."""
    with pytest.raises(ForecastDataError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def _long(folder):
    """Three interleaved series of unequal lengths, a numeric and a text extra column."""
    rows = ["date,shop,sales,price,note"]
    for month in range(1, 13):
        for shop, start, stop in (("b", 1, 12), ("a", 3, 10), ("c", 1, 6)):
            if start <= month <= stop:
                rows.append(f"2020-{month:02d}-01,{shop},{month * 10 + ord(shop)},{month},x")
    return _csv(folder, "\n".join(rows) + "\n")


# --- aeon's shipped sets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, length, frequency, n_covariates",
    [
        ("Airline", 144, "MS", 0),
        ("Lynx", 114, "YS-JAN", 0),
        ("ShampooSales", 36, "MS", 0),
        ("Uschange", 187, "QS-OCT", 4),
        ("solar", 289, "30min", 0),
    ],
)
def test_each_embedded_csv_reads_as_one_regular_series(name, length, frequency, n_covariates):
    data = bf.embedded_forecast(name)
    relative, time_column, target_column, _ = bf.EMBEDDED_FORECASTS[name]
    frame = pd.read_csv(bs.aeon_data_dir() / relative)
    assert data["y"].shape == (1, length) and data["y"].dtype == np.float64
    assert data["X"].shape == (1, n_covariates, length) and data["X"].dtype == np.float64
    assert data["time"].dtype == np.dtype("datetime64[ns]") and data["lengths"].tolist() == [length]
    assert data["frequency"] == frequency and data["notes"] == []
    assert data["ids"].tolist() == [target_column] and data["tsf_horizon"] is None
    assert (data["kind"], data["task"]) == ("time_series", "forecasting")
    np.testing.assert_array_equal(data["y"][0], frame[target_column].to_numpy(float))
    for channel, (covariate, kind) in enumerate(data["covariates"]):
        assert kind == "past"
        np.testing.assert_array_equal(data["X"][0, channel], frame[covariate].to_numpy(float))
    assert pd.infer_freq(pd.DatetimeIndex(data["time"][0])) == frequency


def test_the_embedded_times_are_read_as_written():
    assert bf.embedded_forecast("Lynx")["time"][0, 0] == np.datetime64("1821-01-01")
    uschange = bf.embedded_forecast("uschange")  # names are case-insensitive
    np.testing.assert_array_equal(uschange["time"][0, :2], _times("1970-01-01", "1970-04-01"))
    assert [name for name, _ in uschange["covariates"]] == [
        "Income", "Production", "Savings", "Unemployment"
    ]
    solar = bf.embedded_forecast("solar")  # "+00:00" times: UTC, the zone dropped
    assert solar["time"][0, 1] == np.datetime64("2021-05-01T00:30")


def test_m1_yearly_reads_181_series_as_aeons_tsf_loader_does():
    data = bf.embedded_forecast("m1_yearly")
    facts = bf.forecast_facts(data)
    assert facts["n_series"] == 181 and (facts["min_length"], facts["max_length"]) == (15, 58)
    assert facts["frequency"] == "YS-JAN" and facts["has_missing"] is False
    assert data["tsf_horizon"] == 6 and data["X"].shape == (181, 0, 58)
    frame, meta = load_from_tsf_file(str(bs.aeon_data_dir() / M1))
    assert data["ids"].tolist() == frame["series_name"].tolist() and meta["forecast_horizon"] == 6
    for i, row in frame.iterrows():
        values = np.asarray(row["series_value"], dtype=float)
        assert data["lengths"][i] == len(values)
        np.testing.assert_array_equal(data["y"][i, : len(values)], values)
        assert np.isnan(data["y"][i, len(values) :]).all()
        assert data["time"][i, 0] == row["start_timestamp"].to_datetime64()
        assert np.isnat(data["time"][i, len(values) :]).all()
    assert facts["n_samples"] == int(data["lengths"].sum())


def test_an_unknown_embedded_name_lists_the_shipped_ones():
    message = _refusal(bf.embedded_forecast, "NoSuchSet")
    assert "NoSuchSet" in message and all(name in message for name in bf.EMBEDDED_FORECASTS)


# --- long-format CSVs --------------------------------------------------------------------------


def test_a_long_csv_holds_series_of_unequal_lengths_in_order_of_appearance(tmp_path):
    data = bf.read_forecast(_long(tmp_path), "date", "sales", "shop")
    assert data["ids"].tolist() == ["b", "c", "a"] and data["lengths"].tolist() == [12, 6, 8]
    assert data["frequency"] == "MS" and data["y"].shape == (3, 12)
    assert data["covariates"] == [["price", "past"]] and data["X"].shape == (3, 1, 12)
    assert any("note" in line and "ignored" in line for line in data["notes"])
    np.testing.assert_array_equal(data["y"][2, :8], [m * 10 + ord("a") for m in range(3, 11)])
    np.testing.assert_array_equal(data["X"][2, 0, :8], np.arange(3, 11))
    assert np.isnan(data["y"][2, 8:]).all() and np.isnan(data["X"][1, 0, 6:]).all()
    assert data["time"][2, 0] == np.datetime64("2020-03-01") and np.isnat(data["time"][1, 6:]).all()
    assert bf.forecast_facts(data) == {
        "n_series": 3, "n_samples": 26, "min_length": 6, "max_length": 12, "frequency": "MS",
        "has_missing": False, "covariates": [["price", "past"]],
    }


def test_named_covariates_keep_their_kind_and_order(tmp_path):
    path = _csv(tmp_path, "t,y,a,b\n1,1,5,7\n2,3,6,8\n3,2,7,9\n4,5,8,1\n")
    data = bf.read_forecast(path, "t", "y", covariates=[["b", "known"], ["a", "past"]])
    assert data["covariates"] == [["b", "known"], ["a", "past"]]
    np.testing.assert_array_equal(data["X"][0], [[7, 8, 9, 1], [5, 6, 7, 8]])
    assert bf.read_forecast(path, "t", "y", covariates=[])["X"].shape == (1, 0, 4)


def test_gaps_are_nan_and_duplicates_averaged_and_both_reported(tmp_path):
    text = (
        "day,id,value,x\n"
        "2024-01-01,A,1,10\n2024-01-02,A,2,20\n2024-01-02,A,4,40\n2024-01-05,A,5,50\n"
        "2024-01-06,A,7,60\n2024-01-01,B,1,1\n2024-01-03,B,3,3\n2024-01-04,B,2,2\n"
        "2024-01-04,B,,9\n2024-01-04,B,6,6\n2024-01-05,B,8,8\n"
    )
    data = bf.read_forecast(_csv(tmp_path, text), "day", "value", "id")
    assert data["frequency"] == "D" and data["lengths"].tolist() == [6, 5]
    np.testing.assert_array_equal(data["y"][0], [1, 3, np.nan, np.nan, 5, 7])
    np.testing.assert_array_equal(data["y"][1], [1, np.nan, 3, 4, 8, np.nan])
    np.testing.assert_array_equal(data["X"][0, 0, :2], [10, 30])
    assert data["X"][1, 0, 3] == pytest.approx(17 / 3)  # an empty target does not empty x
    assert sorted(data["notes"]) == [
        "3 duplicate (series, time) rows averaged",
        "3 gaps (grid times without a row) in 2 series, left missing",
    ]
    assert bf.forecast_facts(data)["has_missing"] is True


def test_monthly_data_with_gaps_keeps_its_calendar_frequency(tmp_path):
    months = ["1949-01", "1949-02", "1949-04", "1949-05", "1949-07", "1949-08", "1949-10"]
    text = "month,y\n" + "".join(f"{m},{i * i}\n" for i, m in enumerate(months))
    data = bf.read_forecast(_csv(tmp_path, text), "month", "y")
    assert data["frequency"] == "MS" and data["lengths"].tolist() == [10]
    assert np.isnan(data["y"][0, [2, 5, 8]]).all() and data["y"][0, 9] == 36
    ends = "end,y\n2001-01-31,1\n2001-02-28,2\n2001-03-31,4\n2001-05-31,3\n2001-06-30,5\n"
    assert bf.read_forecast(_csv(tmp_path, ends, "ends.csv"), "end", "y")["frequency"] == "ME"


def test_a_multiple_frequency_puts_each_series_on_its_own_phase(tmp_path):
    rows = [f"2020-{m:02d}-01,A,{m * m % 7}" for m in (1, 3, 5, 7, 9, 11)]
    rows += [f"2020-{m:02d}-01,B,{m}" for m in (2, 4, 8)]
    data = bf.read_forecast(_csv(tmp_path, "t,id,y\n" + "\n".join(rows)), "t", "y", "id")
    assert data["frequency"] == "2MS" and data["lengths"].tolist() == [6, 4]
    expected = _times("2020-02", "2020-04", "2020-06", "2020-08")
    np.testing.assert_array_equal(data["time"][1, :4], expected)
    np.testing.assert_array_equal(data["y"][1], [2, 4, np.nan, 8, np.nan, np.nan])


@pytest.mark.parametrize("spelling", ["{y} Q{q}", "{y}Q{q}", "{y}-Q{q}"])
def test_quarters_in_any_spelling_start_their_quarter(tmp_path, spelling):
    quarters = [(1999, 3), (1999, 4), (2000, 1), (2000, 2)]
    text = "q,v\n" + "".join(spelling.format(y=y, q=q) + f",{q}\n" for y, q in quarters)
    data = bf.read_forecast(_csv(tmp_path, text), "q", "v")
    assert data["frequency"] == "QS-OCT"
    np.testing.assert_array_equal(data["time"][0], _times("1999-07", "1999-10", "2000", "2000-04"))


def test_integer_steps_and_integer_years(tmp_path):
    steps = bf.read_forecast(_csv(tmp_path, "t,y\n0,1\n2,4\n4,3\n8,9\n"), "t", "y")
    assert steps["frequency"] is None and steps["lengths"].tolist() == [5]
    assert steps["time"][0].view(np.int64).tolist() == [0, 2, 4, 6, 8]
    assert np.isnan(steps["y"][0, 3]) and steps["y"][0, 4] == 9
    years = bf.read_forecast(_csv(tmp_path, "yr,y\n1990,1\n1991,4\n1993,3\n", "y.csv"), "yr", "y")
    assert years["frequency"] == "YS-JAN" and years["time"][0, 3] == np.datetime64("1993-01-01")


def test_zoned_times_become_utc(tmp_path):
    text = "at,y\n2021-05-01 02:00+02:00,1\n2021-05-01 01:00+00:00,2\n2021-05-01 02:00Z,5\n"
    data = bf.read_forecast(_csv(tmp_path, text), "at", "y")
    assert data["frequency"] == "h" and data["time"][0, 0] == np.datetime64("2021-05-01T00:00")


# --- .tsf files ---------------------------------------------------------------------------------


def test_a_tsf_file_with_missing_values_and_month_ends(tmp_path):
    text = (
        "# a comment\n@relation toy\n@attribute series_name string\n"
        "@attribute start_timestamp date\n@frequency monthly\n@horizon 2\n@missing true\n@data\n"
        "S1:2001-01-31 00-00-00:1,2,?,4\nS2:2001-03-31 00-00-00:5,6,8\n"
    )
    data = bf.read_forecast(_csv(tmp_path, text, "toy.tsf"))
    assert data["ids"].tolist() == ["S1", "S2"] and data["frequency"] == "ME"
    assert data["tsf_horizon"] == 2 and data["lengths"].tolist() == [4, 3]
    assert data["time"][0, 1] == np.datetime64("2001-02-28") and np.isnan(data["y"][0, 2])
    assert bf.forecast_facts(data)["has_missing"] is True


def test_a_tsf_file_without_start_times_has_integer_steps():
    data = bf.read_forecast(
        bs.aeon_data_dir() / "UnitTest" / "UnitTest_Tsf_Loader_no_start_timestamp.tsf"
    )
    assert data["frequency"] is None and data["lengths"].tolist() == [7, 3, 5]
    assert data["time"][1, :3].view(np.int64).tolist() == [0, 1, 2]


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kwargs, expected",
    [
        ("d,y\n2020-01-01,1\n", {"time_column": "date", "target_column": "y"},
         "no time column 'date' (columns: d, y)"),
        ("d,y\n2020-01-01,1\n", {"time_column": "d", "target_column": "sales"},
         "no target column 'sales' (columns: d, y)"),
        ("d,y,a\n2020-01-01,1,2\n", {"time_column": "d", "target_column": "y",
                                     "covariates": [["b", "past"]]},
         "no covariate column 'b' (columns: d, y, a)"),
        ("d,y\n2020-01-01,1\n2020-01-02,2\nsoon,3\n", {"time_column": "d", "target_column": "y"},
         "time column 'd' row 3: cannot read 'soon' as a time"),
        ("d,y\n1,1\n2,2\n3.5,3\n", {"time_column": "d", "target_column": "y"},
         "time column 'd' row 3: cannot read '3.5' as a time"),
        ("d,y\n2020-01-01,1\n2020-01-03,2\n2020-01-02,3\n2020-01-04,4\n",
         {"time_column": "d", "target_column": "y"},
         "time column 'd' is not in time order within series 'y' (row 3: 2020-01-02 after "
         "2020-01-03)"),
        ("d,y\n2020-01-01,5\n2020-01-02,5\n2020-01-04,\n2020-01-03,5\n",
         {"time_column": "d", "target_column": "y"},
         "is not in time order within series 'y' (row 4: 2020-01-03 after 2020-01-04)"),
        ("d,y\n2020-01-01,5\n2020-01-02,5\n2020-01-03,\n2020-01-04,5\n",
         {"time_column": "d", "target_column": "y"},
         "series 'y' is constant (5): nothing to forecast"),
        ("d,y\n2020-01-01,1\n2020-01-02,two\n2020-01-03,3\n",
         {"time_column": "d", "target_column": "y"},
         "target column 'y' is not numeric (row 2: 'two')"),
        ("d,y,a\n2020-01-01,1,u\n2020-01-02,2,v\n2020-01-03,3,w\n",
         {"time_column": "d", "target_column": "y", "covariates": [["a", "known"]]},
         "covariate column 'a' is not numeric (row 1: 'u')"),
        ("d,y\n2020-01-01,1\n2020-01-02,inf\n2020-01-03,3\n",
         {"time_column": "d", "target_column": "y"}, "target column 'y' row 2: an infinite value"),
        ("d,k,y\n2020-01-01,A,1\n2020-01-02,A,2\n2020-01-03,A,3\n2020-01-01,B,1\n2020-01-02,B,\n",
         {"time_column": "d", "target_column": "y", "id_column": "k"},
         "series 'B' has 1 observed values; at least 3 are needed"),
        ("d,y\n" + "".join(f"2020-01-{d:02d},{d % 4}\n" for d in range(1, 9))
         + "2020-01-09 12:00,1\n",
         {"time_column": "d", "target_column": "y"},
         "series 'y': 2020-01-09 12:00:00 is not on the 'D' grid from 2020-01-01"),
        ("d,y\n2020-01-01,1\n2020-02-01,2\n2020-02-15,3\n2020-03-01,4\n2020-04-01,2\n",
         {"time_column": "d", "target_column": "y"},
         "series 'y': 2020-02-15 is not on the 'MS' grid from 2020-01-01"),
        ("d,y\n", {"time_column": "d", "target_column": "y"}, "no data rows"),
        ("", {"time_column": "d", "target_column": "y"}, "the file is empty"),
        ("d,y\n2020-01-01,1\n", {}, "a CSV needs a time column and a target column"),
    ],
)
def test_data_that_cannot_be_read_or_learnt_from_is_refused(tmp_path, text, kwargs, expected):
    path = _csv(tmp_path, text)
    message = _refusal(bf.read_forecast, path, **kwargs)
    assert message.startswith(str(path)) and message.endswith(expected)


def test_a_missing_file_and_a_bad_tsf_are_refused(tmp_path):
    assert _refusal(bf.read_forecast, tmp_path / "none.csv").endswith("no such file")
    bad = ("@attribute series_name string\n@attribute start_timestamp date\n"
           "@frequency fortnightly\n@data\nA:2001-01-01 00-00-00:1,2,3\n")
    message = _refusal(bf.read_forecast, _csv(tmp_path, bad, "bad.tsf"))
    assert "@frequency 'fortnightly'" in message
    assert _refusal(bf.read_forecast, _csv(tmp_path, "@frequency yearly\n", "no.tsf")).endswith(
        "no @data tag: not a .tsf file"
    )


# --- the held-out horizon ----------------------------------------------------------------------


def test_the_horizon_is_each_series_own_last_points_and_the_input_is_unchanged(tmp_path):
    data = bf.read_forecast(_long(tmp_path), "date", "sales", "shop")
    before = {key: np.array(data[key], copy=True) for key in ("y", "X", "time", "lengths")}
    trainval, test = bf.hold_out_horizon(data, 2)
    for key, array in before.items():
        np.testing.assert_array_equal(data[key], array)
    assert trainval["lengths"].tolist() == [10, 4, 6] and trainval["y"].shape == (3, 10)
    assert test["y"].shape == test["time"].shape == (3, 2) and test["X"].shape == (3, 1, 2)
    for i, length in enumerate(data["lengths"]):
        np.testing.assert_array_equal(test["y"][i], data["y"][i, length - 2 : length])
        np.testing.assert_array_equal(test["X"][i], data["X"][i, :, length - 2 : length])
        np.testing.assert_array_equal(test["time"][i], data["time"][i, length - 2 : length])
        np.testing.assert_array_equal(trainval["y"][i, : length - 2], data["y"][i, : length - 2])
        assert np.isnan(trainval["y"][i, length - 2 :]).all()
        assert np.isnan(trainval["X"][i, :, length - 2 :]).all()
        assert np.isnat(trainval["time"][i, length - 2 :]).all()
    np.testing.assert_array_equal(test["time"][1], _times("2020-05-01", "2020-06-01"))
    assert trainval["ids"].tolist() == ["b", "c", "a"] and trainval["frequency"] == "MS"
    assert trainval["covariates"] == data["covariates"]


def test_a_horizon_must_be_positive_and_shorter_than_every_series(tmp_path):
    data = bf.read_forecast(_long(tmp_path), "date", "sales", "shop")
    assert _refusal(bf.hold_out_horizon, data, 6) == (
        "horizon 6 is not shorter than the shortest series (6 points, 'c')"
    )
    assert "not a positive whole number" in _refusal(bf.hold_out_horizon, data, 0)
    assert "not a positive whole number" in _refusal(bf.hold_out_horizon, data, 1.5)
    trainval, test = bf.hold_out_horizon(bf.embedded_forecast("m1_yearly"), 6)
    assert trainval["lengths"].min() == 9 and test["y"].shape == (181, 6)
    assert not np.isnan(test["y"]).any()


# --- the module as a bundle holds it -------------------------------------------------------------


def test_the_module_imports_only_the_standard_library_numpy_and_pandas():
    tree = ast.parse(open(bf.__file__).read())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or ".").split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    allowed = {"__future__", "re", "warnings", "collections", "datetime", "pathlib", "numpy",
               "pandas", "bundle_series", ""}
    assert imported <= allowed


def test_a_bundle_copy_reads_beside_bundle_series(tmp_path):
    shutil.copy(bf.__file__, tmp_path / "bundle_forecast.py")
    shutil.copy(bs.__file__, tmp_path / "bundle_series.py")
    script = (
        "import sys, bundle_forecast as bf; d = bf.embedded_forecast('Airline'); "
        "assert 'hpogen' not in sys.modules and 'aeon' not in sys.modules; "
        "print(d['frequency'], d['y'].shape[1])"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["MS", "144"]
