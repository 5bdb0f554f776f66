"""Checking a table before it is searched: columns that mix numbers and text, two columns of
one name, nothing that varies; and the row-counter test hpogen's column reading shares.

Copied unchanged into every bundle beside bundle_data.py, like the other bundle_*.py readers: it
must never import hpogen. Tables that no model can read raise DataError with one line.
"""

try:  # hpogen.dataset.bundle_tables
    from .bundle_images import DataError
except ImportError:  # a bundle's bundle_tables.py, beside its bundle_images.py
    from bundle_images import DataError

# A text column mixes numbers and text when it holds placeholders for missing values and at least
# this share of its other values are numbers: '?' in a numeric column, not '?' among labels.
MIXED_NUMBER_SHARE = 0.5
# Words for a missing value that pandas' read_csv does not read as missing itself.
MISSING_WORDS = frozenset({"unknown", "missing", "none", "nil", "na", "n.a.", "undefined"})


def check_table(X, where: str) -> None:
    """Refuse a table no model can read: no feature column, two of one name, a column that mixes
    numbers and text, or no column that varies."""
    if X.shape[1] == 0:
        raise DataError(f"{where}: no feature columns besides the target")
    seen = set()
    for position, name in enumerate(map(str, X.columns)):
        if name in seen:
            raise DataError(f"{where}: two columns are named {name!r}")
        seen.add(name)
        mixed = mixed_types(X.iloc[:, position])
        if mixed is not None:
            raise DataError(
                f"{where}: column {name!r} mixes numbers ({mixed[0]}) and text "
                f"({mixed[1]}, e.g. {mixed[2]!r}): make it one type or mark missing values as empty"
            )
    check_varies(X, where)


def mixed_types(column):
    """(numbers, texts, an example text) of a column that mixes them, else None: Python numbers
    beside strings (no encoder takes both), or strings that are numbers (at least
    MIXED_NUMBER_SHARE of those that are not placeholders) beside placeholders such as '?'."""
    import numbers

    import pandas as pd

    inferred = pd.api.types.infer_dtype(column, skipna=True)
    if inferred not in ("string", "mixed", "mixed-integer"):
        return None
    counts = column.value_counts(dropna=True)
    values = pd.Series(counts.index, dtype=object)
    if inferred == "string":
        number = pd.to_numeric(values, errors="coerce").notna().to_numpy(bool)
        text = ~number
        example = text & values.map(_placeholder).to_numpy(bool)  # stands for a missing number
    else:  # Python values of several types: any string is out of place beside numbers
        number = values.map(lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool))
        number = number.to_numpy(bool)
        text = example = values.map(lambda v: isinstance(v, str)).to_numpy(bool)
    n_number, n_text, n_example = (int(counts[rows].sum()) for rows in (number, text, example))
    labels = n_text - n_example  # text that is a value of its own ('rotary', '136A')
    if not n_number or not n_example or n_number < MIXED_NUMBER_SHARE * (n_number + labels):
        return None
    return n_number, n_text, values[example].iloc[0]


def _placeholder(value) -> bool:
    """Whether a text stands for a missing number: no letter or digit ('?', '-'), or a word for it."""
    text = str(value).strip()
    return not any(c.isalnum() for c in text) or text.lower() in MISSING_WORDS


def check_varies(X, where: str, kinds=None) -> None:
    """Refuse a table whose every feature column is constant or an ID: nothing to learn from.

    `kinds` (column name -> kind) is hpogen's reading of the columns; without it a column is
    constant with at most one distinct present value, and an ID when it counts rows.
    """
    for position, name in enumerate(X.columns):
        column = X.iloc[:, position]
        if kinds is not None and kinds.get(str(name)) not in ("constant", "id"):
            return
        if kinds is None and column.nunique(dropna=True) > 1 and not is_row_counter(column):
            return
    raise DataError(
        f"{where}: no column varies (all {X.shape[1]} feature columns are constant or IDs): "
        "nothing to learn from"
    )


def is_row_counter(column) -> bool:
    """Whether a numeric column counts rows: whole numbers rising by exactly 1 (a saved index)."""
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    return len(values) > 1 and float(values[0]).is_integer() and bool(np.all(np.diff(values) == 1))
