"""A table nothing can be learnt from is refused in one line, exit 2, no output folder; `hpogen run`
and a bundle's run_hpo.py refuse it alike, since the checks are bundle_data's."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hpogen.dataset import bundle_tables
from hpogen.dataset.bundle_data import DataError, check_fits, read_for_bundle
from hpogen.dataset.bundle_tables import check_table, mixed_types

HPOGEN = Path(sys.executable).with_name("hpogen")
MIXED_ROWS = [f"{i * 3},c{i % 3},{i % 2}" for i in range(1, 41)] + ["?,c1,0", "?,c2,1"]

BAD_TABLES = {
    "empty target": ("a,b,y\n1,x,\n2,y,\n3,z,\n", "target column 'y' is empty (all 3 values are missing)"),
    "one row": ("a,b,y\n1,x,0\n", "needs at least 2 rows (samples), found 1"),
    "no rows": ("a,b,y\n", "needs at least 2 rows (samples), found 0"),
    "only the target": ("y\n0\n1\n", "no feature columns besides the target"),
    "numbers with '?'": ("hp,c,y\n" + "\n".join(MIXED_ROWS) + "\n",
                         "column 'hp' mixes numbers (40) and text (2, e.g. '?'): "
                         "make it one type or mark missing values as empty"),
    "constant columns": ("a,b,y\n5,x,0\n5,x,1\n5,,0\n5,x,1\n",
                         "no column varies (all 2 feature columns are constant or IDs): nothing to learn from"),
    "a saved index beside constants": (",b,y\n0,x,0\n1,x,1\n2,x,0\n3,x,1\n",
                                       "no column varies (all 2 feature columns are constant or IDs): "
                                       "nothing to learn from"),
}
# refused once the columns' kinds are known (hpogen's rules), so by hpogen generate and run
KEYS_ONLY = ("key,same,y\n" + "".join(f"k{i},s,{i % 2}\n" for i in range(10)),
             "d: no column varies (all 2 feature columns are constant or IDs): nothing to learn from")


def generate(csv: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(HPOGEN), "generate", "--data", csv.name, "--target", "y", "--out", str(out)],
                          capture_output=True, text=True, cwd=csv.parent, timeout=120)


@pytest.mark.parametrize(("text", "message"), [*BAD_TABLES.values(), KEYS_ONLY], ids=[*BAD_TABLES, "keys only"])
def test_generate_refuses_in_one_line(tmp_path, text, message):
    (tmp_path / "d.csv").write_text(text)
    result = generate(tmp_path / "d.csv", tmp_path / "bundle")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"hpogen: error: {message}" if message.startswith("d:")
                                          else f"hpogen: error: d.csv: {message}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


@pytest.mark.parametrize(("text", "message"), BAD_TABLES.values(), ids=BAD_TABLES.keys())
def test_a_bundle_refuses_alike(tmp_path, text, message):
    (tmp_path / "d.csv").write_text(text)
    facts = {"name": "b", "type": "tabular", "task": "classification", "n_features": 2, "n_classes": 2}
    with pytest.raises(DataError) as caught:
        read_for_bundle(tmp_path / "d.csv", facts, "y")
    assert str(caught.value) == f"{tmp_path / 'd.csv'}: {message}"


def test_rows_without_a_target_are_dropped_with_a_warning(tmp_path):
    rows = [f"{i},{'abc'[i % 3]},{'' if i % 20 == 0 else i % 2}" for i in range(42)]
    (tmp_path / "d.csv").write_text("a,b,y\n" + "\n".join(rows) + "\n")
    result = generate(tmp_path / "d.csv", tmp_path / "bundle")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["hpogen: warning: d.csv: dropped 3 of 42 rows: target missing"]
    spec = json.loads((tmp_path / "bundle" / "hpogen.lock.json").read_text())["spec"]
    assert spec["n_samples"] == 39 and spec["n_classes"] == spec["n_target_values"] == 2
    assert spec["column_kinds"] == {"a": "numeric", "b": "categorical"} and spec["n_categorical"] == 1


def _strings(values):
    return pd.Series(values, dtype=object)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.5", "2", "?", None, "7"], (3, 1, "?")),  # numbers with a placeholder
        (["1", "2", "?", "?", "?", "?"], (2, 4, "?")),  # mostly placeholders: still numbers
        (["1", "2", "3", "Unknown", " "], (3, 2, "Unknown")),
        (["1", "2", "x", "y", "?"], (2, 3, "?")),  # numbers at least half of the rest
        (["1", "x", "y", "z", "?"], None),  # labels with a number-like code and a '?'
        (["a", "b", "c", "7"], None),  # one number-like code among labels
        (["4", "6", "8", "rotary", "rotary"], None),  # a word is a value (Cars93's cylinders)
        (["001", "002", "003", "136A"], None),  # codes (HistData's GaltonFamilies)
        (["1", "2", "3"], None),
        (["x", "y", None], None),
        ([1, "a", 2, 3, None], (3, 1, "a")),  # Python values of two types, any share
        ([1, "a", "b", "c"], (1, 3, "a")),
        ([1, 2.5, None], None),
        ([True, "a"], None),
    ],
)
def test_mixed_types(values, expected):
    assert mixed_types(_strings(values)) == expected


def test_in_memory_tables():
    with pytest.raises(DataError, match=r"^t: column 'x' mixes numbers \(3\) and text \(1, e.g. 'a'\)"):
        check_table(pd.DataFrame({"x": _strings([1, "a", 2, 3]), "z": [1.0, 2.0, 3.0, 4.0]}), "t")
    with pytest.raises(DataError, match="^t: two columns are named '1'"):
        check_table(pd.DataFrame([[1, 2], [3, 4]], columns=[1, "1"]), "t")
    with pytest.raises(DataError, match=r"^t: no column varies \(all 1 feature columns"):
        check_table(pd.DataFrame({0: [float("nan")] * 3}), "t")
    check_table(pd.DataFrame({0: [1, 2, 4], "b": ["x", "x", "x"]}), "t")  # integers with a gap vary


def test_row_counters():
    assert bundle_tables.is_row_counter(pd.Series([3, 4, 5, 6]))
    assert not bundle_tables.is_row_counter(pd.Series([3, 4, 6, 7]))
    assert not bundle_tables.is_row_counter(pd.Series([0.5, 1.5, 2.5]))
    assert not bundle_tables.is_row_counter(pd.Series(["0", "1", "2"]))
    assert not bundle_tables.is_row_counter(pd.Series([True, False]))


def test_a_bundle_needs_every_column_it_read():
    facts = {"name": "cars", "type": "tabular", "task": "regression", "n_features": 2,
             "column_kinds": {"Name": "text", "Year": "datetime"}}
    data = {"kind": "tabular", "X": pd.DataFrame({"Name": ["a b", "c d"], "year": ["1970", "1971"]}),
            "y": pd.Series([1.0, 2.0])}
    with pytest.raises(DataError, match="^d.csv: X has no column 'Year', which bundle 'cars' reads$"):
        check_fits(data, facts, "d.csv")
    data["X"] = data["X"].rename(columns={"year": "Year"})
    check_fits(data, facts, "d.csv")
