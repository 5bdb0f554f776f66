"""hpogen beside AutoGluon and FLAML on real tables, at one wall time for every tool.

Being competitive on sklearn's clean matrices says little, so this runs the three tools on the
real tables of peer_tables.py, each on the same rows and the same hold-out: `hpogen run`'s own
seeded 20% (bundle_data.split_rows with the same seed). For each table, one tool after another,
never in parallel (they would compete for the cores):

    hpogen     hpogen generate --data data.csv --target COL --task TASK --out BUNDLE --force;
               hpogen run BUNDLE --data data.csv --target COL --walltime T --seed S
    autogluon  TabularPredictor(...).fit(train, presets="good_quality", time_limit=T)
    flaml      flaml.AutoML().fit(X_train, y_train, task, time_budget=T, metric, seed=S)

Each tool runs in a fresh process (the peers in this file's --worker mode), so imports and memory
do not leak between tools; its wall time is that whole process, measured from here. Scores are
test accuracy or R2, higher is better; a tool that fails gets a "failed: ..." cell, ranks last.

Usage: python benchmarks/bench_peers.py [--tables a,b] [--tools hpogen,flaml,autogluon] [--time T]
    [--seed S] [--work DIR] [--results FILE] [--rerun] [--report-only] [--hpogen EXE]
--results FILE keeps one result per (table, tool) and merges new ones into it: a rerun skips the
pairs already measured at the same T and seed (unless --rerun), so a run can be resumed, and the
peers and hpogen can be measured in separate invocations; --report-only prints FILE's table.
Needs `pip install -e ".[bench]"` (autogluon.tabular, flaml and the packages shipping the tables).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer_tables  # noqa: E402  (a sibling module, found through the line above)

TOOLS = ("hpogen", "flaml", "autogluon")
METRIC = {"classification": "accuracy", "regression": "r2"}
# "within reach of AutoGluon": one accuracy point, or 0.02 of R2
TOLERANCE = {"accuracy": 0.01, "r2": 0.02}
ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit)\b|hpogen: error)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", help=f"comma-separated subset of: {', '.join(peer_tables.TABLES)}")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of hpogen,flaml,autogluon")
    parser.add_argument("--time", type=float, default=60.0, help="wall time T given to every tool (s)")
    parser.add_argument("--seed", type=int, default=0, help="hold-out seed, also hpogen's and FLAML's seed")
    parser.add_argument("--work", type=Path, help="keep tables, bundles, models and logs here")
    parser.add_argument("--results", type=Path, help="JSON file of results to merge into / report from")
    parser.add_argument("--rerun", action="store_true", help="measure again pairs already in --results")
    parser.add_argument("--report-only", action="store_true", help="print the table of --results and stop")
    parser.add_argument("--hpogen", help="hpogen executable (default: the one beside this Python)")
    parser.add_argument("--kill-after", type=float, help="seconds before a tool is stopped (default 4T+300)")
    parser.add_argument("--worker", choices=("flaml", "autogluon"), help=argparse.SUPPRESS)
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tools = [tool.strip() for tool in args.tools.split(",") if tool.strip()]
    if unknown := [tool for tool in args.tools if tool not in TOOLS]:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; known: {', '.join(TOOLS)}")
    if args.report_only and args.results is None:
        parser.error("--report-only needs --results FILE")
    return args


def prepare(table: peer_tables.Table, folder: Path, seed: int) -> dict:
    """Write data.csv (hpogen's input), then train.csv / test.csv cut as `hpogen run` cuts it.

    The split is drawn over the target as hpogen reads it back from data.csv (pd.read_csv),
    so that the peers' test rows are exactly hpogen's.
    """
    import pandas as pd

    from hpogen.dataset.bundle_data import split_rows
    from hpogen.run.data import TEST_FRACTION  # hpogen run's own hold-out

    folder.mkdir(parents=True, exist_ok=True)
    loaded = table.load()
    loaded.to_csv(folder / "data.csv", index=False)
    frame = pd.read_csv(folder / "data.csv")
    keep, test = split_rows(frame[table.target], table.task, seed, TEST_FRACTION)
    frame.iloc[keep].to_csv(folder / "train.csv", index=False)
    frame.iloc[test].to_csv(folder / "test.csv", index=False)
    n_classes = int(frame[table.target].nunique()) if table.task == "classification" else 0
    case = {
        "table": table.name, "rows": len(frame), "task": table.task, "target": table.target,
        "metric": METRIC[table.task], "n_classes": n_classes, "folder": str(folder),
        "n_train": len(keep), "n_test": len(test),
    }
    (folder / "case.json").write_text(json.dumps(case, indent=1))
    print(peer_tables.describe(table, loaded), flush=True)
    return case


def spawn(commands: list[list[str]], log: Path, limit: float) -> tuple[float, str | None]:
    """Run commands one after another in their own session; (wall seconds, error line or None).

    A command still running after `limit` seconds (all commands together) is killed with its
    whole process group, so a tool's helper processes cannot outlive its cell.
    """
    started = time.perf_counter()
    with log.open("w") as sink:
        for command in commands:
            left = limit - (time.perf_counter() - started)
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                code = process.wait(timeout=max(left, 1.0))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return time.perf_counter() - started, f"killed after {limit:.0f} s"
            if code != 0:
                return time.perf_counter() - started, last_line(log) or f"exit status {code}"
    return time.perf_counter() - started, None


def last_line(log: Path) -> str:
    """The log's last exception or `hpogen: error` line (a message may go on after it, as
    AutoGluon's do), else its last non-empty line: one line that says why a tool failed."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if ERROR_LINE.match(line)]
    return (errors or lines or [""])[-1][:200]


def hpogen_command(explicit: str | None) -> list[str]:
    """The hpogen CLI: --hpogen, else the script beside this interpreter, else `python -m hpogen`."""
    if explicit:
        return [explicit]
    beside = Path(sys.executable).with_name("hpogen")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "hpogen"]


def run_hpogen(case: dict, time_limit: float, seed: int, exe: list[str], kill: float) -> dict:
    """generate + run, timed together; the score is results.json's test metric."""
    folder = Path(case["folder"])
    data, bundle = str(folder / "data.csv"), folder / "bundle"
    target = ["--data", data, "--target", case["target"]]
    commands = [
        [*exe, "generate", *target, "--task", case["task"], "--out", str(bundle), "--force"],
        [*exe, "run", str(bundle), *target, "--walltime", f"{time_limit:g}", "--seed", str(seed)],
    ]
    wall, error = spawn(commands, folder / "hpogen.log", kill)
    score = None
    if error is None:
        found = sorted((bundle / "runs").glob("**/results.json"))
        results = json.loads(found[-1].read_text()) if found else {}
        score = (results.get("test_metrics") or {}).get(case["metric"])
        error = None if score is not None else f"no test {case['metric']} in results.json"
    return {"score": score, "wall_s": wall, "error": error}


def run_peer(tool: str, case: dict, time_limit: float, seed: int, kill: float) -> dict:
    """A peer in a fresh process of this interpreter (this file's --worker mode)."""
    folder = Path(case["folder"])
    out = folder / f"{tool}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", tool,
               "--case", str(folder / "case.json"), "--time", f"{time_limit:g}",
               "--seed", str(seed), "--out", str(out)]
    wall, error = spawn([command], folder / f"{tool}.log", kill)
    score = json.loads(out.read_text())["score"] if error is None and out.exists() else None
    if error is None and score is None:
        error = "the worker wrote no score"
    return {"score": score, "wall_s": wall, "error": error}


def worker(args: argparse.Namespace) -> None:
    """Fit one peer on train.csv, score it on test.csv, write {score, fit_s} to --out."""
    import pandas as pd

    case = json.loads(args.case.read_text())
    folder, target = Path(case["folder"]), case["target"]
    train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
    started = time.perf_counter()
    fit = fit_autogluon if args.worker == "autogluon" else fit_flaml
    predictions = fit(case, train, test.drop(columns=[target]), args.time, args.seed)
    fit_s = time.perf_counter() - started
    from sklearn.metrics import accuracy_score, r2_score

    score = (accuracy_score if case["metric"] == "accuracy" else r2_score)(test[target], predictions)
    args.out.write_text(json.dumps({"score": float(score), "fit_s": fit_s}))


def fit_autogluon(case: dict, train, X_test, time_limit: float, seed: int):
    """AutoGluon's good_quality preset, quiet, its models inside the table's work folder."""
    from autogluon.tabular import TabularPredictor

    if case["task"] == "regression":
        problem_type = "regression"
    else:
        problem_type = "binary" if case["n_classes"] == 2 else "multiclass"
    path = Path(case["folder"]) / "autogluon"
    shutil.rmtree(path, ignore_errors=True)
    predictor = TabularPredictor(label=case["target"], problem_type=problem_type,
                                 eval_metric=case["metric"], path=str(path), verbosity=0)
    predictor.fit(train, presets="good_quality", time_limit=time_limit)
    return predictor.predict(X_test)


def fit_flaml(case: dict, train, X_test, time_limit: float, seed: int):
    """FLAML's AutoML with its defaults, quiet, seeded."""
    from flaml import AutoML

    automl = AutoML()
    automl.fit(train.drop(columns=[case["target"]]), train[case["target"]], task=case["task"],
               time_budget=time_limit, metric=case["metric"], seed=seed, verbose=0)
    return automl.predict(X_test)


def load_results(path: Path | None) -> dict:
    """{"table/tool": result} from --results, empty when there is no file yet."""
    return json.loads(path.read_text()) if path is not None and path.exists() else {}


def save_results(path: Path | None, results: dict) -> None:
    """Written whole after every measurement (via a temporary file), so a kill loses at most one."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_text(json.dumps(results, indent=1, sort_keys=True))
    partial.replace(path)


def measured(results: dict, table: str, tool: str, args: argparse.Namespace) -> bool:
    """Whether a usable result is already there (same T and seed, not failed)."""
    old = results.get(f"{table}/{tool}")
    return (old is not None and not args.rerun and old.get("error") is None
            and old.get("time_limit") == args.time and old.get("seed") == args.seed)


def run_table(table: peer_tables.Table, work: Path, results: dict, args: argparse.Namespace) -> None:
    """Prepare one table, then measure each selected tool on it, saving after each."""
    todo = [tool for tool in args.tools if not measured(results, table.name, tool, args)]
    if not todo:
        print(f"{table.name}: all selected tools already in {args.results}", flush=True)
        return
    try:
        case = prepare(table, work / table.name, args.seed)
    except Exception as exc:  # a missing package must not stop the other tables
        case = {"table": table.name, "rows": None, "task": table.task, "metric": METRIC[table.task]}
        for tool in todo:
            results[f"{table.name}/{tool}"] = {**case, "tool": tool, "score": None, "wall_s": None,
                                                "error": f"table: {exc}", **run_fields(args)}
        save_results(args.results, results)
        print(f"{table.name}: cannot load ({exc})", flush=True)
        return
    kill = args.kill_after or 4 * args.time + 300
    for tool in todo:
        if tool == "hpogen":
            outcome = run_hpogen(case, args.time, args.seed, hpogen_command(args.hpogen), kill)
        else:
            outcome = run_peer(tool, case, args.time, args.seed, kill)
        fields = {key: case[key] for key in ("table", "rows", "task", "metric")}
        results[f"{table.name}/{tool}"] = {**fields, "tool": tool, **outcome, **run_fields(args)}
        save_results(args.results, results)
        shown = f"{outcome['score']:.4f}" if outcome["error"] is None else f"failed: {outcome['error']}"
        print(f"  {table.name:16} {tool:10} {shown}  ({outcome['wall_s']:.1f} s)", flush=True)


def run_fields(args: argparse.Namespace) -> dict:
    """What a result was measured under, so a report can say it and a resume can check it."""
    return {"time_limit": args.time, "seed": args.seed, "cores": os.cpu_count(),
            "machine": platform.machine()}


def report(results: dict, tables: list[str], tools: list[str]) -> str:
    """The markdown table of scores and wall times, then ranks, gaps and hpogen vs AutoGluon."""
    grid = {table: {tool: results.get(f"{table}/{tool}") for tool in tools} for table in tables}
    grid = {table: row for table, row in grid.items() if any(row.values())}
    shown = [tool for tool in tools if any(row[tool] for row in grid.values())]
    if not grid:
        return "no results for the selected tables and tools"
    used = [result for row in grid.values() for result in row.values() if result]
    lines = [f"\nmachine: {_values(used, 'cores')} cores; T = {_values(used, 'time_limit')} s per tool; "
             f"seed {_values(used, 'seed')}", "",
             "| dataset | rows | task | metric | " + " | ".join(f"{tool} | {tool} s" for tool in shown) + " |",
             "|" + "---|" * (4 + 2 * len(shown))]
    for table, row in grid.items():
        first = next(result for result in row.values() if result)
        cells = [table, str(first.get("rows") or "?"), first["task"], first["metric"]]
        for tool in shown:
            cells += [score_cell(row[tool]), wall_cell(row[tool])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *summary(grid, shown)])


def _values(results: list[dict], key: str) -> str:
    """The values results were measured under (several when merged from different runs)."""
    return ", ".join(sorted({f"{r[key]:g}" for r in results if r.get(key) is not None}))


def score_cell(result: dict | None) -> str:
    """A score, or why there is none: a failure must read as one, not as a low score."""
    if result is None:
        return "-"
    if result.get("error") is not None:
        return "failed: " + result["error"].replace("|", "/")
    return f"{result['score']:.4f}"


def wall_cell(result: dict | None) -> str:
    return "-" if result is None or result.get("wall_s") is None else f"{result['wall_s']:.0f}"


def scores(row: dict, tools: list[str]) -> dict:
    """{tool: score or None (failed)} for the tools measured on this table."""
    return {tool: (None if row[tool].get("error") is not None else row[tool]["score"])
            for tool in tools if row[tool] is not None}


def ranks(row: dict, tools: list[str]) -> dict:
    """Rank per tool on one table, 1 = best, ties averaged; a failed tool ranks last."""
    measured_scores = scores(row, tools)
    good = [score for score in measured_scores.values() if score is not None]
    last = float(len(measured_scores))
    return {tool: last if score is None else
            1 + sum(other > score for other in good) + (sum(other == score for other in good) - 1) / 2
            for tool, score in measured_scores.items()}


def summary(grid: dict, tools: list[str]) -> list[str]:
    """Mean rank and worst gap per tool, then how hpogen fares against AutoGluon."""
    lines = ["mean rank (1 = best, failed = last):"]
    for tool in tools:
        tool_ranks = [ranks(row, tools)[tool] for row in grid.values() if row[tool] is not None]
        lines.append(f"  {tool:10} {sum(tool_ranks) / len(tool_ranks):.2f} over {len(tool_ranks)} tables")
    lines.append("worst gap to the best tool (in the table's metric):")
    for tool in tools:
        lines.append(f"  {tool:10} {worst_gap(grid, tools, tool)}")
    return lines + against_autogluon(grid)


def worst_gap(grid: dict, tools: list[str], tool: str) -> str:
    """How far a tool fell behind the best one at worst: a mean rank hides one bad table."""
    gaps, failed = [], []
    for table, row in grid.items():
        measured_scores = scores(row, tools)
        if tool not in measured_scores:
            continue
        if measured_scores[tool] is None:
            failed.append(table)
            continue
        best = max(score for score in measured_scores.values() if score is not None)
        gaps.append((best - measured_scores[tool], table))
    text = f"{max(gaps)[0]:.4f} ({max(gaps)[1]})" if gaps else "-"
    return text + (f"; failed on {', '.join(failed)}" if failed else "")


def against_autogluon(grid: dict) -> list[str]:
    """hpogen >= AutoGluon count, and whether hpogen is within TOLERANCE of it everywhere."""
    pairs = {table: scores(row, ["hpogen", "autogluon"]) for table, row in grid.items()
             if row.get("hpogen") is not None and row.get("autogluon") is not None}
    if not pairs:
        return ["hpogen vs autogluon: n/a (needs results of both)"]
    at_least, misses = 0, []
    for table, pair in pairs.items():
        ours, theirs = pair["hpogen"], pair["autogluon"]
        metric = grid[table]["hpogen"]["metric"]
        if ours is not None and (theirs is None or ours >= theirs):
            at_least += 1
        if ours is None:
            misses.append(f"{table} (hpogen failed)")
        elif theirs is not None and ours < theirs - TOLERANCE[metric]:
            misses.append(f"{table} ({ours - theirs:+.4f} {metric})")
    within = "yes" if not misses else "no: " + ", ".join(misses)
    return [f"hpogen >= autogluon on {at_least} of {len(pairs)} tables",
            f"hpogen within 1 accuracy point / 0.02 R2 of autogluon everywhere: {within}"]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return
    tables = peer_tables.select(args.tables)
    results = load_results(args.results)
    if not args.report_only:
        print(f"T = {args.time:g} s per tool, seed {args.seed}, {os.cpu_count()} cores", flush=True)
        work = args.work or Path(tempfile.mkdtemp(prefix="bench_peers_"))
        for table in tables:
            run_table(table, work.resolve(), results, args)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report(results, [table.name for table in tables], args.tools))


if __name__ == "__main__":
    main()
