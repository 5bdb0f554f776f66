"""Real tables for bench_peers.py, read from files that ship inside public Python packages.

Each table is chosen for something a tabular AutoML tool has to get right on real data (mixed
types, missing values, string labels, free text, dates, high-cardinality categories, a skewed or
count target), so that a comparison with AutoGluon and FLAML is not only about clean numeric
matrices. The files are read straight from the installed packages' folders with pandas: importing
plotnine or statsmodels only to find a CSV would cost seconds and memory in every process.

Every loader returns the table as it ships, with rows whose target is missing dropped (hpogen
drops them too, with a warning; the peers would refuse them). Columns are left alone so that each
tool sees the same raw table, with one exception said in its note (mpg's 'cty').
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Table:
    """One benchmark table: how to load it and why it is in the set."""

    name: str
    load: Callable[[], pd.DataFrame]
    target: str
    task: str  # "classification" or "regression"
    covers: str
    package: str  # what `pip install` makes it available


class MissingTable(RuntimeError):
    """The package that ships the table is not installed, or no longer ships that file."""


def package_file(package: str, relative: str) -> Path:
    """A data file inside an installed package, located without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingTable(f"package {package!r} is not installed (pip install {package})")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise MissingTable(f"{package} ships no {relative} (looked at {path})")
    return path


def _with_target(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """Rows with a target only, renumbered: the hold-out is drawn over row positions."""
    return frame.dropna(subset=[target]).reset_index(drop=True)


def _sklearn(loader: str, target: str = "target") -> Callable[[], pd.DataFrame]:
    """scikit-learn's embedded sets are small and ship with it: load them as frames."""

    def load() -> pd.DataFrame:
        from sklearn import datasets

        frame = getattr(datasets, loader)(as_frame=True).frame
        return _with_target(frame, target)

    return load


def _csv(package: str, relative: str, target: str, drop: tuple[str, ...] = ()) -> Callable[[], pd.DataFrame]:
    """A CSV shipped by a package, optionally without columns that leak the target."""

    def load() -> pd.DataFrame:
        frame = pd.read_csv(package_file(package, relative))
        return _with_target(frame.drop(columns=list(drop)), target)

    return load


def _cars() -> pd.DataFrame:
    """vega_datasets' cars.json; dates stay strings, as a CSV export would give them."""
    frame = pd.read_json(package_file("vega_datasets", "_data/cars.json"), convert_dates=False)
    return _with_target(frame, "Miles_per_Gallon")


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table("breast_cancer", _sklearn("load_breast_cancer"), "target", "classification",
              "binary, all numeric (sklearn's embedded copy)", "scikit-learn"),
        Table("diabetes", _sklearn("load_diabetes"), "target", "regression",
              "small numeric regression (sklearn's embedded copy)", "scikit-learn"),
        Table("penguins", _csv("palmerpenguins", "data/penguins.csv", "species"), "species",
              "classification", "mixed types, missing values, string labels", "palmerpenguins"),
        Table("cars", _cars, "Miles_per_Gallon", "regression",
              "free-text Name (car models), Year as a date string, missing values "
              "(8 rows without a target dropped)", "vega_datasets"),
        Table("seattle_weather", _csv("vega_datasets", "_data/seattle-weather.csv", "weather"),
              "weather", "classification", "a date column, string labels, imbalanced classes",
              "vega_datasets"),
        Table("mpg", _csv("plotnine", "data/mpg.csv", "hwy", drop=("cty",)), "hwy", "regression",
              "high-cardinality 'model'; 'cty' dropped (it is hwy under another name)", "plotnine"),
        Table("diamonds", _csv("plotnine", "data/diamonds.csv", "price"), "price", "regression",
              "53,940 rows, ordinal strings, skewed target", "plotnine"),
        Table("randhie", _csv("statsmodels", "datasets/randhie/randhie.csv", "mdvis"), "mdvis",
              "regression", "integer counts with many values (20,190 rows)", "statsmodels"),
    )
}


def select(names: str | None) -> list[Table]:
    """The tables named in a comma-separated list (all when None), in the registry's order."""
    if not names:
        return list(TABLES.values())
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in TABLES]
    if unknown:
        raise SystemExit(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
    return [table for name, table in TABLES.items() if name in wanted]


def describe(table: Table, frame: pd.DataFrame) -> str:
    """One line about a loaded table, for the benchmark's preamble."""
    missing = int(frame.drop(columns=[table.target]).isna().sum().sum())
    features = [column for column in frame.columns if column != table.target]
    text = sum(1 for column in features if not pd.api.types.is_numeric_dtype(frame[column]))
    # an unnamed column is a saved index: kept, since hpogen is expected to spot ID columns itself
    unnamed = [str(column) for column in features if str(column).startswith("Unnamed")]
    index = f"; kept index column(s) {', '.join(unnamed)}" if unnamed else ""
    return (f"{table.name}: {len(frame)} rows x {len(features)} features ({text} non-numeric, "
            f"{missing} missing cells), {table.task} on {table.target!r}: {table.covers}{index}")
