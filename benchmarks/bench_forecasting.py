"""hpogen beside statsforecast's classical forecasters on the forecasting sets hpogen embeds.

For each dataset, one tool after the other, each in a fresh process timed from here, all on the
same split: the test is the last `horizon` points of every series, everything before is history.

    seasonal_naive  statsforecast SeasonalNaive(season_length=m) (m == 1: the naive forecast)
    auto_ets        statsforecast AutoETS(season_length=m)
    auto_arima      statsforecast AutoARIMA(season_length=m)
    hpogen          hpogen generate --dataset NAME --out BUNDLE --force; hpogen run BUNDLE
                    --walltime W --out RUNDIR (search on the history, refit, scored on the test)

The baselines (this file's --worker mode) read the data with hpogen's bundle_forecast reader
(embedded_forecast, hold_out_horizon), drop each series' NaN padding after its end, fill interior
NaN (gaps) by linear interpolation before fitting, and call StatsForecast(models, freq, n_jobs=1)
.forecast(h=horizon) with the data's frequency (integer steps: freq=1). horizon and m are the ones
hpogen used (BUNDLE/hpogen.lock.json spec["horizon"], spec["season_length"]); without a bundle, or
keys, the table below (a warning line says so).

Metrics, this file's score() for the baselines; hpogen's are its results.json test_metrics (the
same definitions; the seasonal naive MASE hpogen reports beside its own is printed as a check):
    MASE   per series mean |truth - forecast| over the horizon / mean |y_t - y_{t-m}| over its
           (filled) history; lag 1 where m >= the history length or that scale is 0; a series
           whose lag-1 scale is 0 too is skipped (a note is printed); the dataset's MASE is the
           mean over series. Test points with a NaN truth are left out of every metric.
    sMAPE  M4: 200 * |F - A| / (|A| + |F|) (0 where both are 0), mean per series, mean over series
    RMSE   over all test points pooled

Target: hpogen's MASE <= the better of AutoETS and AutoARIMA on most sets, and never above the
seasonal naive forecast's. hpogen's search is not deterministic (its global models and SMAC draw
from seeds) and one test window of one short series is a noisy judge, so --seeds K runs hpogen
K times (hpogen run --seed F..F+K-1, F = --first-seed, default 0): the table shows the median MASE, the target is checked for
every seed, and the spread of each set is printed.
Usage: python benchmarks/bench_forecasting.py [--datasets a,b] [--tools t1,t2] [--walltime W] [--seeds K] [--first-seed F]
    [--work DIR] [--kill-after S] [--results FILE] [--report-only]   (FILE: raw results, written as
    it goes; S: seconds before any one subprocess is stopped)
Exits 0 whatever the scores: it is a measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from subprocess_timing import timed  # beside this script

HPOGEN = str(Path(sys.executable).with_name("hpogen"))
DATASETS = {  # name: (horizon, season length), the fallback when the bundle does not say
    "Airline": (12, 12), "Lynx": (6, 1), "ShampooSales": (6, 12), "Uschange": (8, 4),
    "solar": (48, 48), "m1_yearly": (6, 1),
}
TOOLS = ("seasonal_naive", "auto_ets", "auto_arima", "hpogen")
BASELINES = TOOLS[:3]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help=f"comma-separated subset of: {', '.join(DATASETS)}")
    parser.add_argument("--tools", help=f"comma-separated subset of: {', '.join(TOOLS)} (default: all)")
    parser.add_argument("--walltime", type=float, default=60.0, help="hpogen's SMAC wall time W (s)")
    parser.add_argument("--seeds", type=int, default=1, help="hpogen runs per set, --seed F..F+K-1 (default 1)")
    parser.add_argument("--first-seed", type=int, default=0, help="F, hpogen's first --seed (default 0): new seeds "
                        "judge a change chosen on earlier ones")
    parser.add_argument("--work", type=Path, help="keep the bundles here (default: a temporary folder)")
    parser.add_argument("--kill-after", type=float,
                        help="seconds before a subprocess is stopped (default: 600 a baseline, 4W+300 hpogen run)")
    parser.add_argument("--results", type=Path, help="write the raw results here (JSON) as they come")
    parser.add_argument("--report-only", action="store_true", help="print the table of --results and stop")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--horizon", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--season-length", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.datasets = [d.strip() for d in (args.datasets or ",".join(DATASETS)).split(",") if d.strip()]
    args.tools = [t.strip() for t in (args.tools or ",".join(TOOLS)).split(",") if t.strip()]
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.report_only and args.results is None:
        parser.error("--report-only needs --results FILE")
    if unknown := [d for d in args.datasets if d not in DATASETS]:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(DATASETS)}")
    if unknown := [t for t in args.tools if t not in TOOLS]:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    return args


def score(histories: list, truths: list, forecasts: list, m: int) -> dict:
    """MASE, sMAPE (mean over series) and pooled RMSE, as the docstring says; one set of rules for all."""
    import numpy as np

    mases, smapes, squares, notes = [], [], [], []
    for i, (history, truth, forecast) in enumerate(zip(histories, truths, forecasts, strict=True)):
        history, truth, forecast = (np.asarray(a, dtype=float) for a in (history, truth, forecast))
        seen = ~np.isnan(truth)
        if not seen.any():
            notes.append(f"series {i}: no observed test point, skipped")
            continue
        scale = np.mean(np.abs(history[m:] - history[:-m])) if m < len(history) else 0.0
        if not scale > 0:
            scale = np.mean(np.abs(np.diff(history))) if len(history) > 1 else 0.0
        errors = np.abs(truth[seen] - forecast[seen])
        squares.extend(errors**2)
        denominators = np.abs(truth[seen]) + np.abs(forecast[seen])
        smapes.append(200 * np.mean(np.divide(errors, denominators, out=np.zeros_like(errors),
                                              where=denominators > 0)))
        if scale > 0:
            mases.append(np.mean(errors) / scale)
        else:
            notes.append(f"series {i}: MASE scale 0 (constant history), skipped for MASE")
    return {"mase": float(np.mean(mases)) if mases else float("nan"), "smape": float(np.mean(smapes)),
            "rmse": float(np.sqrt(np.mean(squares))), "n_scored": len(mases), "notes": notes}


def baseline_worker(name: str, method: str, horizon: int, m: int) -> None:
    """Fit METHOD on every series' history of NAME, forecast the horizon, score; print one JSON line."""
    import numpy as np
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, SeasonalNaive

    from hpogen.dataset.bundle_forecast import embedded_forecast, hold_out_horizon

    data = embedded_forecast(name)
    trainval, test = hold_out_horizon(data, horizon)
    truth_all = np.asarray(test["y"] if isinstance(test, dict) else test, dtype=float)
    ids, histories, frames = [str(i) for i in data["ids"]], [], []
    lengths = trainval.get("lengths")
    for i, row in enumerate(np.asarray(trainval["y"], dtype=float)):
        observed = np.flatnonzero(~np.isnan(row))
        end = int(lengths[i]) if lengths is not None else int(observed[-1]) + 1
        history = pd.Series(row[:end]).interpolate(limit_direction="both").to_numpy()
        histories.append(history)
        if data["frequency"] is None:
            ds = np.arange(1, end + 1)
        else:
            ds = pd.DatetimeIndex(np.asarray(trainval["time"][i][:end], dtype="datetime64[ns]"))
        frames.append(pd.DataFrame({"unique_id": ids[i], "ds": ds, "y": history}))
    df = pd.concat(frames, ignore_index=True)
    model = {"seasonal_naive": SeasonalNaive, "auto_ets": AutoETS, "auto_arima": AutoARIMA}[method](season_length=m)
    freq = data["frequency"] or 1
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = StatsForecast(models=[model], freq=freq, n_jobs=1).forecast(df=df, h=horizon)
        except Exception as error:  # an alias statsforecast/pandas refuses: the models ignore dates
            caught.append(warnings.WarningMessage(f"freq {freq!r} refused ({error}); integer steps used",
                                                  UserWarning, __file__, 0))
            df["ds"] = df.groupby("unique_id").cumcount() + 1
            freq = 1
            out = StatsForecast(models=[model], freq=1, n_jobs=1).forecast(df=df, h=horizon)
    fit_s = time.perf_counter() - start
    out = out.reset_index() if "unique_id" not in out.columns else out
    column = next(c for c in out.columns if c not in ("unique_id", "ds"))
    by_id = {uid: g[column].to_numpy() for uid, g in out.groupby("unique_id", sort=False)}
    forecasts = [by_id[uid] for uid in ids]
    result = score(histories, list(truth_all[:, :horizon]), forecasts, m)
    messages = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:160]}" for w in caught})
    print(json.dumps({**result, "fit_s": fit_s, "n_series": len(ids), "freq": str(freq), "warnings": messages,
                      "data_warnings": list(data.get("notes", []))}))


def run_baseline(name: str, method: str, horizon: int, m: int, limit: float) -> dict:
    command = [sys.executable, __file__, "--worker", "--dataset", name, "--method", method,
               "--horizon", str(horizon), "--season-length", str(m)]
    seconds, done = timed(command, limit)
    if isinstance(done, str):
        return {"error": done, "wall_s": seconds}
    try:
        return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": seconds}
    except (ValueError, IndexError):
        return {"error": f"no result line: {done.stdout.strip()[-100:]!r}", "wall_s": seconds}


def generate(name: str, bundle: Path) -> tuple[float, str | None]:
    seconds, done = timed([HPOGEN, "generate", "--dataset", name, "--out", str(bundle), "--force"], 120)
    return seconds, (f"generate {done}" if isinstance(done, str) else None)


def settings(name: str, bundle: Path) -> tuple[int, int, str | None]:
    """(horizon, season length) hpogen used, from the bundle's lock; the table's, with a warning, if absent."""
    try:
        spec = json.loads((bundle / "hpogen.lock.json").read_text())["spec"]
        return int(spec["horizon"]), int(spec["season_length"]), None
    except (OSError, ValueError, KeyError, TypeError) as error:
        horizon, m = DATASETS[name]
        why = f"{type(error).__name__}: {error}" if bundle.exists() else "hpogen generate not run or failed"
        return horizon, m, (f"warning: {name}: no horizon/season_length from {bundle}/hpogen.lock.json ({why}); "
                            f"using the table's h={horizon}, m={m}")


def run_hpogen_seeds(name: str, bundle: Path, gen: tuple[float, str | None], walltime: float, limit: float,
                     seeds: int, first: int = 0) -> dict:
    """hpogen's runs at --seed first..first+seeds-1; the row's entry is the run of median MASE (the upper one of
    an even count, the cautious side; failed runs count as worst) with every run under "runs"."""
    runs = [{**run_hpogen(name, bundle, gen, walltime, limit, seed), "seed": seed} for seed in range(first, first + seeds)]
    ordered = sorted(runs, key=lambda r: r["mase"] if ok(r) else float("inf"))
    return {**ordered[len(ordered) // 2], "runs": runs}


def run_hpogen(name: str, bundle: Path, gen: tuple[float, str | None], walltime: float, limit: float,
               seed: int = 0) -> dict:
    gen_s, error = gen
    if error:
        return {"error": error, "wall_s": gen_s}
    rundir = bundle.with_name(f"{bundle.name}-run-seed{seed}")
    run_s, done = timed([HPOGEN, "run", str(bundle), "--walltime", str(walltime), "--seed", str(seed),
                         "--out", str(rundir)], limit)
    if isinstance(done, str):
        return {"error": f"run {done}", "wall_s": gen_s + run_s}
    try:
        results = json.loads((rundir / "results.json").read_text())
        metrics = results["test_metrics"]
        return {"mase": float(metrics["mase"]), "smape": metrics.get("smape"), "rmse": metrics.get("rmse"),
                "snaive_mase": metrics.get("snaive_mase"), "wall_s": gen_s + run_s,
                "search_s": results.get("wall_time_s"),
                "incumbent": results.get("incumbent")}
    except (OSError, ValueError, KeyError, TypeError) as error:
        return {"error": f"results.json: {type(error).__name__}: {error}", "wall_s": gen_s + run_s}


def ok(result: dict | None) -> bool:
    return bool(result) and "error" not in result and result.get("mase") == result.get("mase")  # not NaN


def ranks(row: dict, tools: list[str]) -> dict[str, float]:
    """Rank by MASE, 1 = lowest; ties share the average rank; failed runs rank last (tied among themselves)."""
    values = {t: row[t]["mase"] if ok(row.get(t)) else float("inf") for t in tools}
    ordered = sorted(values.values())
    return {t: sum(i + 1 for i, v in enumerate(ordered) if v == value) / ordered.count(value)
            for t, value in values.items()}


def report(rows: list, tools: list[str], walltime: float) -> None:
    head = f"{'dataset':<13} {'h':>3} {'m':>3}" + "".join(f" {t:>15} {'s':>6}" for t in tools)
    print(head)
    print("-" * len(head))
    for name, meta, row in rows:
        mases = [format(row[t]["mase"], ".3f") if ok(row.get(t)) else "failed" for t in tools]
        seconds = [row.get(t, {}).get("wall_s", float("nan")) for t in tools]
        cells = "".join(f" {cell:>15} {s:>6.1f}" for cell, s in zip(mases, seconds, strict=True))
        print(f"{name:<13} {meta['horizon']:>3} {meta['season_length']:>3}{cells}")
    print("\nMASE (lower is better); s: wall time of the whole process(es) in seconds (hpogen: generate + run "
          f"--walltime {walltime:g}); h: horizon, m: season length")
    for name, meta, row in rows:
        if meta.get("warning"):
            print(meta["warning"])
        for tool in tools:
            result = row.get(tool, {})
            if "error" in result:
                print(f"{name} {tool} failed: {result['error']}")
            extra = [f"fit {result['fit_s']:.1f}s"] if "fit_s" in result else []
            extra += [f"sMAPE {result['smape']:.2f}"] if isinstance(result.get("smape"), float) else []
            extra += [f"RMSE {result['rmse']:.4g}"] if isinstance(result.get("rmse"), float) else []
            extra += [f"freq {result['freq']}"] if "freq" in result else []
            if isinstance(result.get("snaive_mase"), float):  # a cross-check of the two metric codes
                extra += [f"its own seasonal naive MASE {result['snaive_mase']:.3f}"]
            extra += [f"incumbent {json.dumps(result['incumbent'])}"] if result.get("incumbent") else []
            if extra:
                print(f"  {name} {tool}: {', '.join(extra)}")
            for line in result.get("notes", []) + result.get("warnings", []) + result.get("data_warnings", []):
                print(f"    {name} {tool}: {line}")
    mean_ranks = {t: sum(ranks(row, tools)[t] for _, _, row in rows) / max(1, len(rows)) for t in tools}
    print("\nmean rank by MASE (1 = best; failed runs rank last): "
          + ", ".join(f"{t} {r:.2f}" for t, r in sorted(mean_ranks.items(), key=lambda kv: kv[1])))
    summary(rows, tools)


def summary(rows: list, tools: list[str]) -> None:
    if "hpogen" not in tools:
        print("target check: n/a (hpogen not among --tools)")
        return
    seeds = max(len(row.get("hpogen", {}).get("runs", [None])) for _, _, row in rows) if rows else 1
    if seeds > 1:
        for name, _meta, row in rows:
            runs = row["hpogen"].get("runs", [])
            print(f"{name}: hpogen MASE per seed " + ", ".join(format(r["mase"], ".3f") if ok(r) else "failed" for r in runs))
        labels = [run.get("seed", k) for k, run in enumerate(max((row["hpogen"].get("runs", []) for _, _, row in rows), key=len))]
        for seed in range(seeds):
            print(f"seed {labels[seed] if seed < len(labels) else seed}: ", end="")
            target_check([(n, m, {**row, "hpogen": (row["hpogen"].get("runs") or [{}] * seeds)[seed]}) for n, m, row in rows],
                         verbose=False)
        print("the run of median MASE per set:")
    target_check(rows, verbose=True)


def target_check(rows: list, verbose: bool) -> None:
    wins, never_loses = 0, True
    for name, _meta, row in rows:
        hp = row["hpogen"]["mase"] if ok(row.get("hpogen")) else None
        best = [row[t]["mase"] for t in ("auto_ets", "auto_arima") if ok(row.get(t))]
        naive = row["seasonal_naive"]["mase"] if ok(row.get("seasonal_naive")) else None
        beats_best = hp is not None and bool(best) and hp <= min(best)
        beats_naive = hp is not None and naive is not None and hp <= naive
        wins += beats_best
        never_loses &= beats_naive
        if verbose:
            print(f"{name}: hpogen <= min(AutoETS, AutoARIMA): {'yes' if beats_best else 'no'}"
                  f"{'' if best else ' (no baseline)'}; hpogen <= seasonal naive: {'yes' if beats_naive else 'no'}"
                  f"{'' if hp is not None else ' (hpogen failed)'}")
    print(f"hpogen <= best of AutoETS/AutoARIMA on {wins} of {len(rows)} sets; "
          f"never loses to seasonal naive: {'yes' if never_loses and rows else 'no'}")


def main() -> None:
    args = parse_args()
    if args.worker:
        baseline_worker(args.dataset, args.method, args.horizon, args.season_length)
        return
    if args.report_only:
        saved = json.loads(args.results.read_text())
        report([tuple(row) for row in saved["rows"]], saved["tools"], saved["walltime"])
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-forecasting-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for name in args.datasets:
            bundle = work / name / "bundle"
            gen = generate(name, bundle) if "hpogen" in args.tools else (0.0, None)
            horizon, m, warning = settings(name, bundle)
            if warning:
                print(warning, file=sys.stderr)
            row = {t: run_baseline(name, t, horizon, m, args.kill_after or 600) for t in BASELINES if t in args.tools}
            if "hpogen" in args.tools:
                row["hpogen"] = run_hpogen_seeds(name, bundle, gen, args.walltime,
                                                 args.kill_after or 4 * args.walltime + 300, args.seeds, args.first_seed)
            rows.append((name, {"horizon": horizon, "season_length": m, "warning": warning}, row))
            if args.results:
                args.results.write_text(json.dumps({"walltime": args.walltime, "tools": args.tools, "rows": rows},
                                                   indent=1))
            print(f"{name}: " + ", ".join(f"{t} {r.get('mase', r.get('error'))}" for t, r in row.items()),
                  file=sys.stderr)
        report(rows, args.tools, args.walltime)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
