"""How each column of a table is read: one kind per column (numeric, categorical, text, ...).

The kinds and their thresholds are rules/bundle/tabular.toml's [columns] (HPG-TAB-COLUMNS, after
AutoGluon-Tabular's feature generators); train.py turns each kind into features its own way.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..tables import table
from .bundle_tables import is_row_counter

# a column with more distinct values than this is first tried as dates on an even sample of its
# rows, so that a column that is clearly not dates is never parsed whole
DATE_SAMPLE = 256
# how far below datetime_min_share the sample may fall before the whole column is tried anyway
# (at a true share of 0.95, a 256-row sample's share has a standard deviation of 0.014)
DATE_SAMPLE_SLACK = 0.15
# what a date or date-time holds besides words: a four-digit year, or three numbers (1/2/12)
DATE_LIKE = r"\d{4}|\d+\D+\d+\D+\d"


def column_kinds(frame: Any, rules: dict[str, Any] | None = None) -> dict[str, str]:
    """Every column's kind, in the frame's order, keyed by str(name).

    `rules` is the tabular decision table (table("tabular")); its [columns] section is used.
    """
    limits = (rules or table("tabular"))["columns"]
    return {str(name): column_kind(frame.iloc[:, i], limits) for i, name in enumerate(frame.columns)}


def column_kind(column: Any, limits: dict[str, Any]) -> str:
    """One column's kind, tried in [columns]' order: constant, boolean, numeric or ID, datetime,
    text, ID, high-cardinality, categorical. `limits` is the [columns] section."""
    import pandas as pd

    counts = column.value_counts(dropna=True)  # distinct present values, commonest first
    counts = counts[counts > 0]  # a categorical dtype also counts its unused categories
    if len(counts) <= 1:
        return "constant"
    if column.dtype == object:  # Python values in an in-memory frame: numbers read as numbers
        inferred = pd.api.types.infer_dtype(column, skipna=True)
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            column = pd.to_numeric(column, errors="coerce")
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "id" if is_row_counter(column) else "numeric"
    if len(counts) == 2:
        return "boolean"
    if _is_datetime(column, counts, limits["datetime_min_share"]):
        return "datetime"
    many = len(counts) > limits["max_categories"]
    if many and _mean_words(counts) >= limits["text_min_words"]:
        return "text"
    if len(counts) == len(column):  # every value distinct, none missing
        return "id"
    return "high_cardinality" if many else "categorical"


def _is_datetime(column: Any, counts: Any, min_share: float) -> bool:
    """Whether at least min_share of the present values read as dates or times."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    if len(counts) > DATE_SAMPLE:  # an even sample of the rows rejects most columns quickly
        present = column.dropna()
        sample = present.iloc[np.linspace(0, len(present) - 1, DATE_SAMPLE).astype(int)]
        if _date_share(sample.to_numpy(dtype=object), np.ones(DATE_SAMPLE)) < min_share - DATE_SAMPLE_SLACK:
            return False
    return _date_share(counts.index.to_numpy(dtype=object), counts.to_numpy()) >= min_share


def _date_share(values: Any, weights: Any) -> float:
    """The weighted share of values that parse as dates and are not plain numbers (a year such as
    '1970' stays a number). A date holds a year or three numbers: codes such as '2/2', 'M1' or
    'May', which pandas also reads as dates of this year, are not dates."""
    import numpy as np
    import pandas as pd

    values = pd.Series(values, dtype=object)
    dated = values.astype(str).str.contains(DATE_LIKE, regex=True).to_numpy(dtype=bool)
    candidate = dated & pd.to_numeric(values, errors="coerce").isna().to_numpy()
    dates = np.zeros(len(values), dtype=bool)
    if candidate.any():
        dates[candidate] = _parses_as_date(values[candidate])
    return float(np.asarray(weights)[dates].sum() / np.asarray(weights).sum())


def _parses_as_date(values: Any) -> Any:
    """Which values pandas reads as dates: one inferred format first (fast), then each value
    that failed it on its own (format="mixed")."""
    import numpy as np
    import pandas as pd

    with warnings.catch_warnings():  # "could not infer format": expected of non-dates
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, errors="coerce", utc=True).notna().to_numpy()
            if not parsed.all():
                rest = pd.to_datetime(values[~parsed], errors="coerce", utc=True, format="mixed")
                parsed[~parsed] = rest.notna().to_numpy()
        except (ValueError, TypeError, OverflowError):
            return np.zeros(len(values), dtype=bool)
    return parsed


def _mean_words(counts: Any) -> float:
    """The mean number of whitespace-separated words per present value."""
    import pandas as pd

    words = pd.Series(counts.index, dtype=object).astype(str).str.split().str.len().to_numpy()
    return float((words * counts.to_numpy()).sum() / counts.to_numpy().sum())
