"""Named tabular datasets in the train contract's dict form, built inside driver processes.

Deterministic (seeded), and nothing heavy is imported at module level.
"""

from __future__ import annotations

import math


def _classification_blobs(sizes, n_features, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(len(sizes), n_features))
    X = np.concatenate([rng.normal(size=(n, n_features)) + centres[k] for k, n in enumerate(sizes)])
    y = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
    order = rng.permutation(len(y))
    return X[order], y[order]


def _mixed_frame(n_rows, seed):
    """Numeric columns with NaN, object / category / bool / nullable-int columns with gaps."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    size = rng.normal(size=n_rows)
    size[rng.random(n_rows) < 0.15] = np.nan
    colour = rng.choice(np.array(["red", "green", "blue", None], dtype=object), n_rows)
    city = pd.Categorical(rng.choice(["a", "b", "c"], n_rows))
    city[rng.random(n_rows) < 0.1] = np.nan
    count = pd.array(rng.integers(0, 9, n_rows), dtype="Int64")
    count[rng.random(n_rows) < 0.1] = pd.NA
    frame = pd.DataFrame(
        {
            "size": size,
            "colour": colour,
            "city": city,
            "flag": rng.random(n_rows) < 0.5,
            "count": count,
        },
        index=np.arange(n_rows) + 1000,
    )
    signal = np.nan_to_num(size) + (colour == "red") * 1.5 + (frame["flag"].to_numpy() * 0.5)
    return frame, signal


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def _blobs(sizes, n_features, seed):
    X, y = _classification_blobs(sizes, n_features, seed)
    return {"X": X, "y": y}


def _slices(*parts):
    """breast_cancer rows cut into the contract's parts: (key, start, stop) for X/y pairs."""
    X, y = _breast_cancer()
    dataset = {}
    for suffix, start, stop in parts:
        dataset["X" + suffix], dataset["y" + suffix] = X[start:stop], y[start:stop]
    return dataset


def _flipped_val():
    # validation labels inverted: the better the fit, the worse the validation loss
    dataset = _slices(("", 0, 300), ("_val", 300, 400), ("_test", 400, None))
    dataset["y_val"] = 1 - dataset["y_val"]
    return dataset


def _diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return {"X": X, "y": y}


def _single_feature():
    X, y = _breast_cancer()
    return {"X": X[:, 0], "y": y}


def _string_labels():
    import numpy as np
    import pandas as pd

    X, y = _classification_blobs([30, 25, 20], 4, seed=5)
    return {"X": X, "y": pd.Series(np.array(["cat", "dog", "bird"])[y])}


def _mixed(regression):
    import numpy as np
    import pandas as pd

    frame, signal = _mixed_frame(200, seed=6)
    test, test_signal = _mixed_frame(60, seed=7)
    test.loc[test.index[:5], "colour"] = "purple"  # unseen at training time
    if regression:
        return {"X": frame, "y": pd.Series(signal * 10), "X_test": test, "y_test": test_signal * 10}
    y = np.where(signal > 0.3, "yes", "no")
    return {"X": frame, "y": pd.Series(y), "X_test": test, "y_test": np.where(test_signal > 0.3, "yes", "no")}


def _mixed_no_test():
    import numpy as np

    frame, signal = _mixed_frame(200, seed=6)
    return {"X": frame, "y": np.where(signal > 0.3, "yes", "no")}


def _numpy_object():
    import numpy as np

    frame, signal = _mixed_frame(150, seed=8)
    X = np.empty((150, 3), dtype=object)
    X[:, 0] = [None if math.isnan(v) else str(v) for v in frame["size"]]  # numbers as text
    X[:, 1] = frame["colour"].to_numpy()
    X[:, 2] = np.arange(150) % 7
    return {"X": X, "y": (signal > 0.3).astype(int)}


def _constant_target():
    import numpy as np

    X, _ = _classification_blobs([40, 40], 3, seed=9)
    return {"X": X, "y": np.full(80, 3.5)}


# The column kinds of _kinds_frame, as `hpogen generate --data` records them in the spec.
KINDS = {
    "name": "text",
    "sold": "datetime",
    "city": "high_cardinality",
    "used": "boolean",
    "body": "categorical",
    "row": "id",
    "source": "constant",
}
MAKERS = ["ford", "fiat", "audi", "opel", "seat", "kia"]


def _kinds_frame(n_rows=240, seed=5, regression=True, without=()):
    """A table of every column kind: the target follows the maker word inside the free-text
    name, the month of the date and the city (60 values), so each kind's features matter."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    maker = rng.integers(0, len(MAKERS), n_rows)
    models = np.array(["gt", "sport", "estate", "city", "van", "coupe", "base", "plus"])
    names = [f"{MAKERS[m]} {models[rng.integers(0, 8)]} {rng.integers(1, 40)}" for m in maker]
    days = rng.integers(0, 3 * 365, n_rows)
    sold = pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")
    city = rng.integers(0, 60, n_rows)
    frame = pd.DataFrame({
        "name": names,
        "sold": sold.strftime("%Y-%m-%d"),
        "city": [f"town{c:02d}" for c in city],
        "used": rng.choice(["yes", "no"], n_rows),
        "body": rng.choice(["suv", "sedan", "hatch"], n_rows),
        "row": np.arange(n_rows),
        "source": "dealer",
        "km": rng.normal(50, 10, n_rows),
    })
    frame.loc[rng.random(n_rows) < 0.1, "name"] = None
    frame.loc[rng.random(n_rows) < 0.02, "sold"] = "not a date"
    signal = 3.0 * maker + 2.0 * (sold.month.to_numpy() > 6) + (city % 5) + rng.normal(0, 0.3, n_rows)
    frame = frame.drop(columns=list(without))
    if regression:
        return {"X": frame, "y": signal}
    return {"X": frame, "y": np.where(signal > np.median(signal), "dear", "cheap")}


DATASETS = {
    "kinds_regression": _kinds_frame,
    "kinds_classification": lambda: _kinds_frame(regression=False),
    "kinds_without_name": lambda: _kinds_frame(without=("name",)),
    "breast_cancer": lambda: _slices(("", 0, None)),
    "breast_cancer_with_test": lambda: _slices(("", 0, 400), ("_test", 400, None)),
    # what `hpogen run` hands train() for the final evaluation: fit, validation and test parts
    "breast_cancer_val_and_test": lambda: _slices(("", 0, 300), ("_val", 300, 400), ("_test", 400, None)),
    "breast_cancer_flipped_val": _flipped_val,
    "breast_cancer_fit_and_test": lambda: _slices(("", 0, 300), ("_test", 400, None)),
    "diabetes": _diabetes,
    "single_feature": _single_feature,
    "two_classes": lambda: _blobs([70, 50], 4, seed=1),
    "ten_unbalanced": lambda: _blobs([60, 30, 20, 12, 8, 6, 5, 4, 3, 2], 6, seed=2),
    "one_sample_class": lambda: _blobs([40, 40, 1], 3, seed=3),
    "tiny": lambda: _blobs([15, 15], 3, seed=4),
    "string_labels": _string_labels,
    "mixed_classification": lambda: _mixed(regression=False),
    "mixed_regression": lambda: _mixed(regression=True),
    "mixed_no_test": _mixed_no_test,
    "numpy_object": _numpy_object,
    "constant_target": _constant_target,
}


def build_dataset(name: str) -> dict:
    """A named dataset as the contract's dict (X, y, optionally X_val / y_val, X_test / y_test)."""
    return DATASETS[name]()
