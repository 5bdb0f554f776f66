"""Each column of a table is read as one kind ([columns]), and a table's facts follow from them:
n_categorical, n_target_values, and the task ([task], AutoGluon's problem-type inference)."""


import numpy as np
import pandas as pd
import pytest

from hpogen.dataset import columns
from hpogen.dataset.bundle_data import read_csv
from hpogen.dataset.columns import column_kind, column_kinds
from hpogen.dataset.facts import facts_from_data, infer_task
from hpogen.dataset.loaded import LoadedData
from hpogen.errors import HpogenError
from hpogen.tables import table

LIMITS = table("tabular")["columns"]
# how strings come: pandas' own inference (pandas 3: the "str" dtype) and Python objects
# (pandas 2's object dtype, or an in-memory frame)
STRINGS = {"inferred": lambda values: pd.Series(values), "object": lambda values: pd.Series(values, dtype=object)}
WORDS = "red green blue cyan gold grey pink teal lime navy".split()


def kind(values, make=pd.Series):
    return column_kind(make(values), LIMITS)


def _dates(n, start="2012-01-01"):
    return [str(day.date()) for day in pd.date_range(start, periods=n, freq="D")]


STRING_CASES = {
    "one value": (["a"] * 5, "constant"),
    "one value and missing": (["a", None, "a", np.nan], "constant"),
    "all missing": ([None] * 4, "constant"),
    "two values": (["yes", "no", None, "yes"], "boolean"),
    "few values": (["a", "b", "c", "a"], "categorical"),
    "few values, mostly missing": (["a", "b", "c"] + [None] * 97, "categorical"),
    "short keys": ([f"k{i}" for i in range(10)], "id"),
    "short keys, one missing": ([f"k{i}" for i in range(10)] + [None], "categorical"),
    "many single words, repeated": ([f"w{i % 40}" for i in range(80)], "high_cardinality"),
    "many distinct single words": ([f"w{i}" for i in range(80)], "id"),
    "many phrases": ([f"{WORDS[i % 10]} {WORDS[i // 10]} car" for i in range(60)], "text"),
    "iso dates": (_dates(30), "datetime"),
    "slash dates": ([d.replace("-", "/") for d in _dates(30)], "datetime"),
    "dates, a few bad strings": (_dates(97) + ["unknown", "n/a?", "soon"], "datetime"),
    "dates, too many bad strings": (_dates(90) + [f"bad{i}" for i in range(10)], "id"),
    "date times": ([f"{d} {h:02d}:30" for d in _dates(5) for h in range(8)], "datetime"),
    "many dates": (_dates(400), "datetime"),
    "many dates, a few bad": (_dates(390) + ["?"] * 10, "datetime"),
    "many junk strings with digits": ([f"{i}x" for i in range(400)], "id"),
    "years as strings stay numbers": ([str(1970 + i % 12) for i in range(40)], "categorical"),
    "month names are no dates": (["Jan", "Feb", "Mar", "Apr"] * 5, "categorical"),
}


@pytest.mark.parametrize("make", STRINGS.values(), ids=STRINGS.keys())
@pytest.mark.parametrize(("values", "expected"), STRING_CASES.values(), ids=STRING_CASES.keys())
def test_string_columns(values, expected, make):
    assert kind(values, make) == expected


NUMERIC_CASES = {
    "bool dtype": (pd.Series([True, False, True]), "boolean"),
    "0/1 stays numeric": (pd.Series([0, 1, 0, 1]), "numeric"),
    "floats": (pd.Series([1.5, 2.5, np.nan, 0.5]), "numeric"),
    "one number": (pd.Series([3.0, np.nan, 3.0]), "constant"),
    "row counter from 0": (pd.Series(np.arange(50)), "id"),
    "row counter from 1, as floats": (pd.Series(np.arange(1, 51, dtype=float)), "id"),
    "integers with gaps": (pd.Series([1, 2, 4, 5, 6]), "numeric"),
    "distinct integers, unsorted": (pd.Series([3, 1, 2, 0]), "numeric"),
    "row counter with a missing value": (pd.Series([0, 1, np.nan, 3]), "numeric"),
    "nullable integers counting rows": (pd.Series([1, 2, 3, 4], dtype="Int64"), "id"),
    "numbers as Python objects": (pd.Series([1.5, 2.5, 3.5], dtype=object), "numeric"),
    "row counter as Python objects": (pd.Series([0, 1, 2, 3], dtype=object), "id"),
    "mostly missing numbers": (pd.Series([1.0, 2.0] + [np.nan] * 98), "numeric"),
    "datetime dtype": (pd.Series(pd.date_range("2020-01-01", periods=5)), "datetime"),
    "category dtype with unused categories": (pd.Series(pd.Categorical(["a", "a"], categories=["a", "b"])), "constant"),
}


@pytest.mark.parametrize(("column", "expected"), NUMERIC_CASES.values(), ids=NUMERIC_CASES.keys())
def test_other_columns(column, expected):
    assert column_kind(column, LIMITS) == expected


def test_every_column_in_order_keyed_by_its_name_as_text():
    frame = pd.DataFrame({2: ["a", "b", "c", "a"], "x": [1.0, 2.0, 3.5, 1.0], 0.5: [7, 7, 7, 7]})
    kinds = column_kinds(frame, table("tabular"))
    assert list(kinds.items()) == [("2", "categorical"), ("x", "numeric"), ("0.5", "constant")]
    assert set(kinds.values()) <= set(LIMITS["kinds"])


def test_thresholds_come_from_the_rules():
    phrases = [f"{WORDS[i % 10]} {WORDS[i // 10]}" for i in range(40)]
    assert kind(phrases) == "text"
    stricter = {**table("tabular"), "columns": {**LIMITS, "text_min_words": 3.0, "max_categories": 50}}
    assert column_kinds(pd.DataFrame({"p": phrases}), stricter) == {"p": "id"}


def test_only_date_columns_are_parsed_whole_on_fifty_thousand_rows(monkeypatch):
    """Columns that are not dates are rejected on an even sample of their rows: parsing every
    junk value as a date once took 5 s of the 0.5 s this reading takes."""
    parsed = []

    def counting(values):
        parsed.append(len(values))
        return real(values)

    real = columns._parses_as_date
    monkeypatch.setattr(columns, "_parses_as_date", counting)
    n, rng = 50_000, np.random.default_rng(0)
    frame = pd.DataFrame({
        "counter": np.arange(n), "number": rng.normal(size=n), "code": rng.choice(list("abcdef"), n),
        "key": [f"k{i}" for i in range(n)], "often": [f"v{i % 5000}" for i in range(n)],
        "junk": [f"{i}x" for i in range(n)], "junk2": [f"x{i}-{i % 7}" for i in range(n)],
        "text": [f"{WORDS[i % 10]} {WORDS[i % 7]} {i}" for i in range(n)],
        "date": pd.date_range("2000-01-01", periods=n, freq="h").astype(str),
        "us_date": pd.date_range("2000-01-01", periods=n, freq="h").strftime("%m/%d/%Y %H:%M"),
    })
    kinds = column_kinds(frame)
    whole = [size for size in parsed if size > columns.DATE_SAMPLE]
    assert len(whole) == 2, parsed  # date and us_date, each parsed whole once; the rest sampled
    assert kinds == {"counter": "id", "number": "numeric", "code": "categorical", "key": "id",
                     "often": "high_cardinality", "junk": "id", "junk2": "id", "text": "text",
                     "date": "datetime", "us_date": "datetime"}


# excerpts of real tables: vega_datasets' cars.json (every 10th row, as a CSV), plotnine's mpg.csv
# and vega_datasets' seattle-weather.csv
CARS = """Name,Horsepower,Year,Origin,Miles_per_Gallon
chevrolet chevelle malibu,130.0,1970-01-01,USA,18.0
citroen ds-21 pallas,115.0,1970-01-01,Europe,
toyota corona mark ii,95.0,1970-01-01,Japan,24.0
amc gremlin,90.0,1970-01-01,USA,21.0
amc gremlin,100.0,1971-01-01,USA,19.0
ford country squire (sw),170.0,1971-01-01,USA,13.0
toyota corolla 1200,65.0,1971-01-01,Japan,31.0
pontiac catalina,175.0,1972-01-01,USA,14.0
chevrolet chevelle concours (sw),130.0,1972-01-01,USA,13.0
dodge colt (sw),80.0,1972-01-01,USA,28.0
plymouth fury gran sedan,150.0,1973-01-01,USA,14.0
chevrolet impala,150.0,1973-01-01,USA,11.0
mercury capri v6,107.0,1973-01-01,USA,21.0
toyota mark ii,122.0,1973-01-01,Japan,20.0
chevrolet chevelle malibu classic,100.0,1974-01-01,USA,16.0
opel manta,78.0,1974-01-01,Europe,26.0
chevrolet nova,105.0,1975-01-01,USA,18.0
plymouth fury,95.0,1975-01-01,USA,18.0
datsun 710,97.0,1975-01-01,Japan,24.0
opel 1900,81.0,1976-01-01,Europe,25.0
ford maverick,81.0,1976-01-01,USA,24.0
volkswagen rabbit,71.0,1976-01-01,Europe,29.5
chevy c10,145.0,1976-01-01,USA,13.0
dodge monaco brougham,145.0,1977-01-01,USA,15.5
volkswagen rabbit custom,78.0,1977-01-01,Europe,29.0
mazda rx-4,110.0,1977-01-01,Japan,21.5
chevrolet malibu,95.0,1978-01-01,USA,20.5
buick regal sport coupe (turbo),165.0,1978-01-01,USA,17.7
datsun 200-sx,97.0,1978-01-01,Japan,23.9
amc concord dl 6,90.0,1979-01-01,USA,20.2
vw rabbit custom,71.0,1979-01-01,Europe,31.9
datsun 210,65.0,1979-01-01,Japan,31.8
chevrolet citation,90.0,1980-01-01,USA,28.0
dodge colt,105.0,1980-01-01,USA,27.9
datsun 280-zx,132.0,1980-01-01,Japan,32.7
toyota starlet,58.0,,Japan,39.1
volkswagen jetta,74.0,1982-01-01,Europe,33.0
datsun 810 maxima,120.0,1982-01-01,Japan,24.2
pontiac phoenix,,1982-01-01,USA,27.0
toyota corolla,70.0,1982-01-01,Japan,34.0
chevrolet camaro,90.0,1982-01-01,USA,27.0
"""
MPG_MODELS = [
    "4runner 4wd", "a4", "a4 quattro", "a6 quattro", "altima", "c1500 suburban 2wd", "camry", "camry solara",
    "caravan 2wd", "civic", "corolla", "corvette", "dakota pickup 4wd", "durango 4wd", "expedition 2wd",
    "explorer 4wd", "f150 pickup 4wd", "forester awd", "grand cherokee 4wd", "grand prix", "gti", "impreza awd",
    "jetta", "k1500 tahoe 4wd", "land cruiser wagon 4wd", "malibu", "maxima", "mountaineer 4wd", "mustang",
    "navigator 2wd", "new beetle", "passat", "pathfinder 4wd", "ram 1500 pickup 4wd", "range rover", "sonata",
    "tiburon", "toyota tacoma 4wd",
]


def test_real_tables(tmp_path):
    (tmp_path / "cars.csv").write_text(CARS)
    cars = read_csv(tmp_path / "cars.csv", "Miles_per_Gallon")
    assert column_kinds(cars["X"]) == {"Name": "text", "Horsepower": "numeric", "Year": "datetime", "Origin": "categorical"}
    assert len(cars["y"]) == 40 and cars["notes"] == [f"{tmp_path / 'cars.csv'}: dropped 1 of 41 rows: target missing"]
    mpg = pd.DataFrame({"model": MPG_MODELS * 3, "year": [1999, 2008] * 57, "drv": ["f", "4", "r"] * 38})
    assert column_kinds(mpg) == {"model": "high_cardinality", "year": "numeric", "drv": "categorical"}
    days = pd.date_range("2012-01-01", periods=60, freq="D").strftime("%Y/%m/%d")
    weather = pd.DataFrame({"date": days, "temp_max": np.linspace(2, 30, 60), "weather": ["rain", "sun", "fog"] * 20})
    assert column_kinds(weather) == {"date": "datetime", "temp_max": "numeric", "weather": "categorical"}


def _loaded(X, y):
    return LoadedData("t", "tabular", X, pd.Series(y))


def test_table_facts():
    X = pd.DataFrame({"city": ["a", "b", "c"] * 10, "vip": ["y", "n"] * 15, "age": np.arange(30) % 7,
                      "row": np.arange(30), "income": [np.nan] + list(range(29))})
    facts = facts_from_data(_loaded(X, ["no", "yes", "maybe"] * 10), None)
    assert facts["column_kinds"] == {"city": "categorical", "vip": "boolean", "age": "numeric",
                                     "row": "id", "income": "numeric"}
    assert facts["n_features"] == 5 and facts["n_categorical"] == 2 and facts["has_missing"] is True
    assert facts["task"] == "classification" and facts["n_classes"] == facts["n_target_values"] == 3


def test_numeric_arrays_keep_their_facts():
    facts = facts_from_data(LoadedData("t", "tabular", np.eye(40), np.arange(40) * 0.5), None)
    assert "column_kinds" not in facts and facts["n_features"] == 40 and facts["n_categorical"] == 0
    assert facts["task"] == "regression" and facts["n_target_values"] == 40


def test_a_table_of_keys_has_nothing_to_learn_from():
    X = pd.DataFrame({"key": [f"k{i}" for i in range(10)], "same": ["a"] * 10})
    with pytest.raises(HpogenError, match=r"^t: no column varies \(all 2 feature columns are constant or IDs\)"):
        facts_from_data(_loaded(X, [0, 1] * 5), None)


def test_task_flag_overrides_the_inference():
    X = pd.DataFrame({"x": np.linspace(0, 1, 20)})
    assert facts_from_data(_loaded(X, np.arange(20) * 0.5), None)["task"] == "regression"
    facts = facts_from_data(_loaded(X, [0, 1, 2, 3] * 5), "regression")
    assert facts["task"] == "regression" and facts["n_target_values"] == 4 and "n_classes" not in facts


TASK_CASES = {
    "strings": (["a", "b", "c"] * 100, "classification"),
    "booleans": ([True, False] * 5, "classification"),
    "fractions": ([0.5, 1.5, 2.0] * 10, "regression"),
    "two integers in many rows": ([0, 7] * 5000, "classification"),
    "10 integers in 100 rows (share 0.1)": (list(range(10)) * 10, "classification"),
    "11 integers in 110 rows (share 0.1)": (list(range(11)) * 10, "classification"),
    "11 integers in 100 rows": (list(range(11)) * 9 + [0], "regression"),
    "100 integers in 2000 rows (share 0.05)": (list(range(100)) * 20, "classification"),
    "101 integers in 2000 rows": (list(range(101)) * 19 + [0] * 81, "regression"),
    "1001 integers in 50000 rows": ([i % 1001 for i in range(50_000)], "regression"),
    "whole floats": ([1.0, 2.0, 3.0] * 10, "classification"),
}


@pytest.mark.parametrize(("y", "expected"), TASK_CASES.values(), ids=TASK_CASES.keys())
def test_task_inference(y, expected):
    assert infer_task(np.array(y)) == expected


def test_task_inference_reads_pandas_columns():
    assert infer_task(pd.Series([1, 2, None, 1, 2, 1], dtype="Int64")) == "classification"
    assert infer_task(pd.Series(["x", "y", "z"], dtype=object)) == "classification"
    assert infer_task(pd.Series(np.linspace(0, 1, 30))) == "regression"
