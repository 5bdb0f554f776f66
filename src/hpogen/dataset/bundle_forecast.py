"""Reading series to forecast: a long-format CSV or a .tsf file (the Monash forecasting
archive's format), put on one regular time grid, and the test horizon held out at the end.

hpogen reads forecasting data with this module, and copies it unchanged into every forecasting
bundle as bundle_forecast.py beside run_hpo.py and bundle_series.py (whose aeon_data_dir it
uses), so both read the same arrays from the same file. It must never import hpogen, aeon or
statsforecast: the standard library, numpy and pandas only.

A dataset is the dict of docs/forecasting.md: "y", float64 (n_series, max_length), NaN at a gap
and after a series' end; "X", float64 (n_series, n_covariates, max_length) on the same grid;
"lengths", int64, grid points from a series' first to its last row; "time", datetime64[ns], NaT
after the end (plain integer steps are stored as nanoseconds from 1970-01-01, with frequency
None); "ids", str, in order of first appearance; "covariates", [name, "known" or "past"] pairs in
X's channel order; "frequency", a pandas offset alias or None; "kind", "task", "notes" (one
line each) and "tsf_horizon" (a .tsf's @horizon, else None). CSV rows are counted from 1 after
the header line; "N duplicate rows" are the rows after the first of their series and time. Data
that cannot be read, or cannot be learnt from, raises ForecastDataError with one line.
"""

from __future__ import annotations

import re
import warnings as _warnings
from collections import namedtuple
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

try:
    from . import bundle_series
except ImportError:  # copied into a bundle: bundle_series.py lies beside this module
    import bundle_series

_PAST = [[name, "past"] for name in ("Income", "Production", "Savings", "Unemployment")]
# The forecasting sets aeon's wheel ships: name -> (file under aeon's datasets/data, time
# column, target column, covariates); a .tsf file needs no columns.
EMBEDDED_FORECASTS = {
    "Airline": ("Airline/Airline.csv", "Date", "Passengers", []),
    "Lynx": ("Lynx/Lynx.csv", "Unnamed: 0", "0", []),
    "ShampooSales": ("ShampooSales/ShampooSales.csv", "Time", "Sales", []),
    "Uschange": ("Uschange/Uschange.csv", "Quarter", "Consumption", _PAST),
    "solar": ("solar/solar.csv", "datetime_gmt", "solar_gen", []),
    "m1_yearly": ("m1_yearly_dataset/m1_yearly_dataset.tsf", None, None, None),
}
# An integer time column whose values all lie in this range holds years; other integers are steps.
YEARS = (1000, 2999)
# A series needs this many observed values: fewer leave nothing to fit and check a forecast on.
MIN_OBSERVED = 3
# More grid cells than this means a wrong frequency (or stray far-off times), not real data.
MAX_GRID_CELLS = 200_000_000
# .tsf @frequency words, as the step from one value to the next; "N_unit" ("10_minutes") too.
_TSF_STEPS = {
    "yearly": {"years": 1},
    "quarterly": {"months": 3},
    "monthly": {"months": 1},
    "weekly": {"weeks": 1},
    "daily": {"days": 1},
    "hourly": {"hours": 1},
    "half_hourly": {"minutes": 30},
    "minutely": {"minutes": 1},
}
_TSF_N_UNIT = re.compile(r"(\d+)_(seconds|minutes|hours|days|weeks|months|years)")
_QUARTER = r"(\d{4})\s*-?\s*[Qq]([1-4])"
_INTEGER = r"([+-]?\d+)"
_NAT = np.iinfo(np.int64).min
# A file's rows before the grid: series codes (into names), times (int64 ns, or integer steps),
# values (n_rows, 1 + n_covariates: the target first), notes (warnings so far), what (the time
# column, as messages name it) and the .tsf @horizon.
_Rows = namedtuple("_Rows", "names codes times integer values covariates notes what horizon")


class ForecastDataError(ValueError):
    """Series to forecast that cannot be read, or cannot be learnt from: a one-line message."""


def _fail(where, message):
    raise ForecastDataError(f"{where}: {message}".replace("\n", " "))


def _show(value, integer) -> str:
    """A time (int64 nanoseconds) as written in messages: the step, a date or a timestamp."""
    if integer:
        return str(int(value))
    stamp = pd.Timestamp(int(value))
    return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def read_forecast(
    path, time_column=None, target_column=None, id_column=None, covariates=None
) -> dict:
    """A CSV in long format (one row per series and time) or a .tsf file as a dataset (see the
    module docstring). For a CSV, time_column and target_column are required; without
    id_column the file is one series named after the target; covariates is a list of
    [name, "known" or "past"] pairs, or None for every other numeric column as a past-only
    covariate. A .tsf file names its series and times itself: the column arguments are ignored.
    """
    path = Path(path)
    if not path.is_file():
        _fail(path, "no such file")
    if path.suffix.lower() == ".tsf":
        rows = _read_tsf(path)
    else:
        rows = _read_csv(path, time_column, target_column, id_column, covariates)
    return {**_assemble(path, rows), "tsf_horizon": rows.horizon}


def _read_csv(path, time_column, target_column, id_column, covariates) -> _Rows:
    """The rows of a long-format CSV: series codes, times (int64 ns), target and covariates."""
    if time_column is None or target_column is None:
        _fail(path, "a CSV needs a time column and a target column")
    try:
        frame = pd.read_csv(
            path, dtype={time_column: str, **({id_column: str} if id_column else {})}
        )
    except pd.errors.EmptyDataError:
        _fail(path, "the file is empty")
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        _fail(path, f"not a readable CSV file ({str(exc).strip().splitlines()[0]})")
    columns = ", ".join(map(str, frame.columns))
    for role, name in (("time", time_column), ("target", target_column), ("id", id_column)):
        if name is not None and name not in frame.columns:
            _fail(path, f"no {role} column {name!r} (columns: {columns})")
    if frame.empty:
        _fail(path, "no data rows")
    notes = []
    chosen = _covariates(path, frame, (time_column, target_column, id_column), covariates, notes)
    names, codes = [str(target_column)], np.zeros(len(frame), dtype=np.int64)
    if id_column is not None:
        empty = np.flatnonzero(frame[id_column].isna().to_numpy())
        if empty.size:
            _fail(path, f"id column {id_column!r} row {empty[0] + 1} is empty")
        codes, uniques = pd.factorize(frame[id_column], sort=False)
        names = [str(name) for name in uniques]
    times, integer = _parse_times(path, time_column, frame[time_column])
    values = [_numbers(path, frame, target_column, "target")]
    values += [_numbers(path, frame, name, "covariate") for name, _ in chosen]
    what = f"time column {time_column!r}"
    codes = np.asarray(codes, dtype=np.int64)
    return _Rows(names, codes, times, integer, np.column_stack(values), chosen, notes, what, None)


def _covariates(path, frame, taken, covariates, notes) -> list:
    """The [name, kind] covariate pairs: as given (checked), or every other numeric column."""
    if covariates is None:
        others = [name for name in frame.columns if name not in taken]
        unnamed = [name for name in others if str(name).startswith("Unnamed: ")]
        text = [
            name for name in others if name not in unnamed and frame[name].dtype.kind not in "iuf"
        ]
        if unnamed:
            notes.append(f"unnamed columns ignored (a saved row index?): {', '.join(unnamed)}")
        if text:
            notes.append(
                f"non-numeric columns ignored, not covariates: {', '.join(map(str, text))}"
            )
        return [[name, "past"] for name in others if name not in unnamed and name not in text]
    chosen = []
    for pair in covariates:
        if len(pair) != 2 or pair[1] not in ("known", "past"):
            _fail(path, f"covariate {pair!r} is not a [name, 'known' or 'past'] pair")
        name = pair[0]
        if name not in frame.columns:
            _fail(
                path,
                f"no covariate column {name!r} (columns: {', '.join(map(str, frame.columns))})",
            )
        if name in taken or name in [c for c, _ in chosen]:
            _fail(path, f"covariate {name!r} is named twice, or is the time, target or id column")
        chosen.append([name, pair[1]])
    return chosen


def _numbers(path, frame, name, role) -> np.ndarray:
    """A numeric column as float64 (empty cells NaN); text or an infinite value is refused."""
    column = frame[name]
    if column.dtype.kind not in "iuf":
        bad = np.flatnonzero(pd.to_numeric(column, errors="coerce").isna() & column.notna())
        row = int(bad[0]) if bad.size else 0
        _fail(
            path,
            f"{role} column {name!r} is not numeric (row {row + 1}: {str(column.iloc[row])!r})",
        )
    values = column.to_numpy(dtype=np.float64)
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        _fail(path, f"{role} column {name!r} row {infinite[0] + 1}: an infinite value")
    return values


def _parse_times(path, name, column) -> tuple[np.ndarray, bool]:
    """The times as int64 nanoseconds, and whether they are plain integer steps. The first row
    decides the kind (integers, quarters "1970 Q1", or dates and datetimes, converted to UTC);
    the first row that does not read as that kind is the error."""
    text = column.fillna("").astype(str).str.strip().reset_index(drop=True)
    kind = next((k for k in (_INTEGER, _QUARTER) if re.fullmatch(k, text[0])), None)
    if kind is None:
        parsed = _datetimes(text)
        bad = np.flatnonzero(parsed.isna().to_numpy())
    else:
        parts = text.str.extract(f"^{kind}$")
        bad = np.flatnonzero(parts.isna().any(axis=1).to_numpy())
    if bad.size:
        where = f"time column {name!r} row {bad[0] + 1}"
        _fail(path, f"{where}: cannot read {text[bad[0]]!r} as a time")
    if kind is None:
        return parsed.dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64), False
    if kind == _INTEGER:
        steps = parts[0].astype(np.int64)
        if not steps.between(*YEARS).all():
            return steps.to_numpy(), True
        parts = {"year": steps, "month": 1, "day": 1}
    else:
        parts = {"year": parts[0].astype(int), "month": parts[1].astype(int) * 3 - 2, "day": 1}
    return pd.to_datetime(pd.DataFrame(parts)).to_numpy("datetime64[ns]").view(np.int64), False


def _datetimes(text) -> pd.Series:
    """Dates and datetimes as UTC (NaT where unreadable): in the format pandas infers from the
    first row, then any other row on its own."""
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # "could not infer format": the retry handles it
        parsed = pd.to_datetime(text, utc=True, errors="coerce")
        retry = parsed.isna() & (text != "")
        if retry.any():
            parsed[retry] = pd.to_datetime(text[retry], utc=True, errors="coerce", format="mixed")
    return parsed


def _read_tsf(path) -> _Rows:
    """The rows of a .tsf file: a series per data line, its times from its start timestamp and
    @frequency (plain integer steps from 0 when the file has no date attribute)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        _fail(path, "not a UTF-8 text file")
    except OSError as exc:
        _fail(path, f"cannot read the file ({exc.strerror or exc})")
    head, data_at = {"attributes": [], "frequency": None, "horizon": None}, 0
    while data_at < len(lines) and lines[data_at].strip().lower() != "@data":
        _tsf_tag(head, lines[data_at].strip(), f"{path}, line {data_at + 1}")
        data_at += 1
    if data_at == len(lines):
        _fail(path, "no @data tag: not a .tsf file")
    attributes = head["attributes"]
    dated = next((i for i, (_, kind) in enumerate(attributes) if kind == "date"), None)
    step = _tsf_step(head["frequency"], path) if dated is not None else None
    named = next((i for i, (name, _) in enumerate(attributes) if name == "series_name"), None)
    names, times, values, aliases = [], [], [], {}
    for number, line in enumerate(lines[data_at + 1 :], data_at + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}, line {number}"
        fields = line.strip().split(":", len(attributes))
        if len(fields) != len(attributes) + 1:
            _fail(where, f"not {len(attributes)} attribute fields and the values, split by ':'")
        try:
            series = np.array(fields[-1].replace("?", "nan").split(","), dtype=np.float64)
        except ValueError as exc:
            _fail(where, f"a value is not a number ({exc})")
        names.append(fields[named].strip() if named is not None else f"T{len(names) + 1}")
        times.append(np.arange(len(series), dtype=np.int64))
        if dated is not None:
            times[-1] = _tsf_times(fields[dated].strip(), step, len(series), aliases, where)
        values.append(series)
    if not names:
        _fail(path, "the @data section holds no series")
    if len(set(names)) < len(names):
        _fail(path, f"series name {next(n for n in names if names.count(n) > 1)!r} appears twice")
    codes = np.repeat(np.arange(len(names)), [len(v) for v in values])
    times, values = np.concatenate(times), np.concatenate(values)[:, None]
    return _Rows(names, codes, times, dated is None, values, [], [], "the times", head["horizon"])


def _tsf_tag(head, text, where):
    """Store one .tsf header line (@attribute, @frequency, @horizon; other tags are skipped)."""
    if not text or text.startswith("#"):
        return
    if not text.startswith("@"):
        _fail(where, "a data line before the @data tag")
    tokens = text.split()
    key = tokens[0][1:].lower()
    if key == "attribute":
        if len(tokens) != 3:
            _fail(where, "@attribute needs a name and a type")
        head["attributes"].append((tokens[1], tokens[2].lower()))
    elif key == "frequency" and len(tokens) > 1:
        head["frequency"] = tokens[1].lower()
    elif key == "horizon":
        if len(tokens) != 2 or not tokens[1].isdigit():
            _fail(where, "@horizon needs a whole number")
        head["horizon"] = int(tokens[1])


def _tsf_step(frequency, path) -> pd.DateOffset:
    """The step between two values of a .tsf series, from its @frequency word."""
    if frequency in _TSF_STEPS:
        return pd.DateOffset(**_TSF_STEPS[frequency])
    match = _TSF_N_UNIT.fullmatch(frequency or "")
    if match is None:
        _fail(
            path, f"@frequency {frequency!r} is not a known .tsf frequency (yearly, ..., 4_seconds)"
        )
    return pd.DateOffset(**{match[2]: int(match[1])})


def _tsf_times(text, step, length, aliases, where) -> np.ndarray:
    """A .tsf series' times (int64 ns) from its start timestamp ("1972-01-01 00-00-00")."""
    try:
        start = pd.Timestamp(datetime.strptime(text, "%Y-%m-%d %H-%M-%S"))
    except ValueError:
        _fail(where, f"start timestamp {text!r} is not YYYY-MM-DD HH-MM-SS")
    if start not in aliases:
        aliases[start] = _alias(start, step)
    if aliases[start] is None:
        _fail(where, f"no regular pandas frequency steps {step} from {start}")
    return pd.date_range(start, periods=length, freq=aliases[start]).asi8


def _alias(first, step) -> str | None:
    """pandas' offset alias for steps of `step` (a DateOffset or Timedelta) from `first`."""
    points = pd.DatetimeIndex([first + step * i for i in range(5)])
    try:
        return pd.infer_freq(points)
    except (TypeError, ValueError):
        return None


def _assemble(path, rows) -> dict:
    """The dataset dict from a file's rows: duplicates averaged, times placed on the grid."""
    _check_order(path, rows)
    order = np.argsort(rows.codes, kind="stable")  # within a series, already in time order
    codes, times, values = rows.codes[order], rows.times[order], rows.values[order]
    notes, names = list(rows.notes), rows.names
    starts = np.flatnonzero(np.r_[True, (codes[1:] != codes[:-1]) | (times[1:] != times[:-1])])
    if len(starts) < len(codes):
        notes.append(f"{len(codes) - len(starts)} duplicate (series, time) rows averaged")
        present = ~np.isnan(values)
        sums = np.add.reduceat(np.where(present, values, 0.0), starts, axis=0)
        counts = np.add.reduceat(present.astype(np.int64), starts, axis=0)
        values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        codes, times = codes[starts], times[starts]
    frequency, step = _frequency(path, codes, times, rows.integer)
    positions, lengths, grid = _place(path, codes, times, frequency, step, rows)
    table = np.full((len(names), values.shape[1], grid.shape[1]), np.nan)
    table[codes, :, positions] = values
    missing = lengths - np.bincount(codes, minlength=len(names))
    if missing.sum():
        notes.append(
            f"{missing.sum()} gaps (grid times without a row) in {np.count_nonzero(missing)} "
            "series, left missing"
        )
    y = np.ascontiguousarray(table[:, 0])
    _check_learnable(path, y, names)
    return {
        "y": y,
        "X": np.ascontiguousarray(table[:, 1:]),
        "lengths": lengths,
        "time": grid.view("datetime64[ns]"),
        "ids": np.array(names, dtype=str),
        "covariates": [list(pair) for pair in rows.covariates],
        "frequency": frequency,
        "kind": "time_series",
        "task": "forecasting",
        "notes": notes,
    }


def _check_order(path, rows):
    """Refuse a series whose times go back in file order (equal times are duplicates)."""
    order = np.argsort(rows.codes, kind="stable")
    codes, times = rows.codes[order], rows.times[order]
    back = np.flatnonzero((codes[1:] == codes[:-1]) & (times[1:] < times[:-1]))
    if back.size:
        k = back[np.argmin(order[back + 1])]
        later, earlier = _show(times[k + 1], rows.integer), _show(times[k], rows.integer)
        _fail(
            path,
            f"{rows.what} is not in time order within series {rows.names[codes[k]]!r} "
            f"(row {order[k + 1] + 1}: {later} after {earlier})",
        )


def _frequency(path, codes, times, integer) -> tuple[str | None, int | None]:
    """The file's frequency (None for integer steps) and its step in ns where it is fixed: pandas'
    inference on the longest series, else the most common step between neighbouring times (in
    calendar months where most times are month starts, or month ends, at midnight)."""
    same = codes[1:] == codes[:-1]
    diffs = (times[1:] - times[:-1])[same]
    if not diffs.size:
        _fail(path, "cannot infer a regular frequency: no series has two distinct times")
    if integer:
        return None, _most_common(diffs)
    longest = np.argmax(np.bincount(codes))
    stamps = pd.DatetimeIndex(times[codes == longest].view("datetime64[ns]"))
    try:
        alias = pd.infer_freq(stamps)
    except (TypeError, ValueError):  # fewer than 3 times
        alias = None
    if alias is None:
        every = pd.DatetimeIndex(times.view("datetime64[ns]"))
        step = pd.Timedelta(_most_common(diffs), "ns")
        midnight = every == every.normalize()
        if max(np.mean(midnight & (every.day == 1)), np.mean(midnight & every.is_month_end)) > 0.5:
            months = np.diff(every.year.to_numpy() * 12 + every.month.to_numpy())[same]
            step = pd.DateOffset(months=_most_common(months[months > 0]))
        alias = _alias(stamps[0], step)
        if alias is None:
            _fail(
                path, f"cannot infer a regular frequency from the times (most common step {step})"
            )
    offset = pd.tseries.frequencies.to_offset(alias)
    return alias, (int(offset.nanos) if isinstance(offset, pd.offsets.Tick) else None)


def _most_common(values) -> int:
    found, counts = np.unique(values, return_counts=True)
    return int(found[np.argmax(counts)])


def _place(path, codes, times, frequency, step, rows) -> tuple:
    """Each time's position in its series' grid, the series' lengths and their grid times
    (int64 ns, NaT after the end); a time off its series' grid is refused."""
    n = len(rows.names)
    begin = np.searchsorted(codes, np.arange(n))
    end = np.searchsorted(codes, np.arange(n), side="right")
    firsts, lasts = times[begin], times[end - 1]
    if step is not None:
        offsets = times - firsts[codes]
        off = np.flatnonzero(offsets % step)
        if off.size:
            _off_grid(path, rows, codes[off[0]], times[off[0]], firsts, frequency or step)
        positions, lengths = offsets // step, (lasts - firsts) // step + 1
    else:
        positions, grids = _calendar_grids(path, rows, times, frequency, begin, end)
        lengths = np.array([len(grid) for grid in grids], dtype=np.int64)
    width = int(lengths.max())
    if width * n > MAX_GRID_CELLS:
        _fail(path, f"{n} series of up to {width} grid points ({frequency or step}): a wrong time?")
    beyond = np.arange(width) >= lengths[:, None]
    if step is not None:
        grid = np.where(beyond, _NAT, firsts[:, None] + np.arange(width) * step)
    else:
        grid = np.full((n, width), _NAT, dtype=np.int64)
        for i, row in enumerate(grids):
            grid[i, : len(row)] = row
    return positions, lengths.astype(np.int64), grid


def _calendar_grids(path, rows, times, frequency, begin, end) -> tuple:
    """Each time's position in its series' grid of a calendar frequency, and the grids (int64
    ns). A series starting on the grid of the earliest one takes its part; another (a multiple
    such as "2MS" out of its phase, or a time off the grid) its own date_range."""
    firsts, lasts = times[begin], times[end - 1]
    span = pd.Timestamp(firsts.min()), pd.Timestamp(lasts.max())
    full = pd.date_range(*span, freq=frequency).asi8
    positions, grids = np.empty(len(times), dtype=np.int64), []
    for i in range(len(begin)):
        at = np.searchsorted(full, firsts[i])
        if at < len(full) and full[at] == firsts[i]:
            grid = full[at : np.searchsorted(full, lasts[i], side="right")]
        else:
            span = pd.Timestamp(firsts[i]), pd.Timestamp(lasts[i])
            grid = pd.date_range(*span, freq=frequency).asi8
        mine = times[begin[i] : end[i]]
        at = np.minimum(np.searchsorted(grid, mine), max(len(grid) - 1, 0))
        off = np.flatnonzero(grid[at] != mine) if len(grid) else [0]
        if len(off):
            _off_grid(path, rows, i, mine[off[0]], firsts, frequency)
        positions[begin[i] : end[i]] = at
        grids.append(grid)
    return positions, grids


def _off_grid(path, rows, code, time, firsts, grid):
    """Refuse a time that is not on its series' grid (grid: an alias, or an integer step)."""
    integer = rows.integer
    name = f"the {grid!r} grid" if isinstance(grid, str) else f"the grid of step {grid}"
    _fail(
        path,
        f"series {rows.names[code]!r}: {_show(time, integer)} is not on {name} from "
        f"{_show(firsts[code], integer)}",
    )


def _check_learnable(path, y, names):
    """Refuse a series with fewer than MIN_OBSERVED observed values, or a constant one."""
    observed = np.count_nonzero(~np.isnan(y), axis=1)
    few = np.flatnonzero(observed < MIN_OBSERVED)
    if few.size:
        _fail(
            path,
            f"series {names[few[0]]!r} has {observed[few[0]]} observed values; "
            f"at least {MIN_OBSERVED} are needed",
        )
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(y, axis=1), np.nanmax(y, axis=1)
    constant = np.flatnonzero(low == high)
    if constant.size:
        i = constant[0]
        _fail(path, f"series {names[i]!r} is constant ({low[i]:g}): nothing to forecast")


def forecast_facts(data) -> dict:
    """The facts a spec records of a read dataset; has_missing is a NaN inside a series' span."""
    lengths = np.asarray(data["lengths"], dtype=np.int64)
    inside = np.arange(data["y"].shape[1]) < lengths[:, None]
    return {
        "n_series": int(len(lengths)),
        "n_samples": int(lengths.sum()),
        "min_length": int(lengths.min()),
        "max_length": int(lengths.max()),
        "frequency": data["frequency"],
        "has_missing": bool(np.isnan(data["y"])[inside].any()),
        "covariates": [list(pair) for pair in data["covariates"]],
    }


def hold_out_horizon(data, horizon) -> tuple[dict, dict]:
    """(trainval, test): the last `horizon` grid points of every series, taken from each series'
    own end, are the test; trainval is the rest, re-padded to its longest series. The input's
    arrays are never modified."""
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ForecastDataError(f"horizon {horizon!r} is not a positive whole number")
    lengths = np.asarray(data["lengths"], dtype=np.int64)
    short = int(np.argmin(lengths))
    if horizon >= lengths[short]:
        raise ForecastDataError(
            f"horizon {horizon} is not shorter than the shortest series "
            f"({lengths[short]} points, {str(data['ids'][short])!r})"
        )
    y, X, time = np.asarray(data["y"]), np.asarray(data["X"]), np.asarray(data["time"])
    cut = lengths - horizon
    take = cut[:, None] + np.arange(horizon)
    channels = np.broadcast_to(take[:, None, :], (len(X), X.shape[1], horizon))
    test = {
        "y": np.take_along_axis(y, take, axis=1),
        "X": np.take_along_axis(X, channels, axis=2),
        "time": np.take_along_axis(time, take, axis=1),
    }
    width = int(cut.max())
    keep = np.arange(width) < cut[:, None]
    trainval = {
        "y": np.where(keep, y[:, :width], np.nan),
        "X": np.where(keep[:, None, :], X[:, :, :width], np.nan),
        "time": np.where(keep, time[:, :width], np.datetime64("NaT", "ns")),
        "lengths": cut,
        "ids": np.array(data["ids"]).copy(),
        "covariates": [list(pair) for pair in data["covariates"]],
        "frequency": data["frequency"],
    }
    return trainval, test


def embedded_forecast(name) -> dict:
    """One of the forecasting sets aeon ships (EMBEDDED_FORECASTS; name case-insensitive), read
    from aeon's data folder without importing aeon."""
    found = next((key for key in EMBEDDED_FORECASTS if key.lower() == str(name).lower()), None)
    if found is None:
        shipped = ", ".join(EMBEDDED_FORECASTS)
        raise ForecastDataError(f"no embedded forecasting set {name!r} (shipped: {shipped})")
    try:
        folder = bundle_series.aeon_data_dir()
    except bundle_series.SeriesDataError as exc:
        raise ForecastDataError(str(exc)) from None
    relative, time_column, target_column, covariates = EMBEDDED_FORECASTS[found]
    return read_forecast(folder / relative, time_column, target_column, None, covariates)
