"""hpogen beside aeon's MiniRocket on the series sets hpogen embeds, with their given splits.

For each dataset, one tool after the other, each in a fresh process timed from here:

    minirocket  MiniRocketClassifier(random_state=0) / MiniRocketRegressor(random_state=0), aeon
                defaults, fit on TRAIN, scored on TEST (this file's --worker mode)
    hpogen      hpogen generate --dataset NAME --out BUNDLE; hpogen run BUNDLE --walltime W
                (SMAC on TRAIN with inner cross-validation, incumbent refit, scored on TEST)

Scores are test accuracy (classification) or test RMSE (regression). Both wall times are printed:
MiniRocket takes seconds; the question is accuracy at a modest fixed search budget W. aeon's
MiniRocket refuses unequal-length series, so for JapaneseVowels and PickupGestureWiimoteZ it runs
on the equal-length release that aeon ships beside them (NAME_eq_TRAIN.ts / NAME_eq_TEST.ts, what
aeon's load_classification(load_equal_length=True) reads); hpogen reads the original files.
No 1-D CNN baseline runs: aeon's deep learners need tensorflow (the line printed says whether it
is installed). The published best score on each default split, with its source, sits beside.

Target: hpogen >= MiniRocket on most datasets, never more than 2 accuracy points below it.
Usage: python benchmarks/bench_time_series.py [--datasets a,b] [--walltime W] [--work DIR]
    [--kill-after S] [--results FILE] [--report-only]   (FILE: the raw results, written as it goes)
Exits 0 whatever the scores: it is a measurement.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from subprocess_timing import timed  # beside this script

HPOGEN = str(Path(sys.executable).with_name("hpogen"))
DATASETS = {
    **dict.fromkeys(("GunPoint", "ArrowHead", "ItalyPowerDemand", "OSULeaf", "ACSF1", "BasicMotions",
                     "JapaneseVowels", "PickupGestureWiimoteZ"), "classification"),
    **dict.fromkeys(("Covid3Month", "CardanoSentiment"), "regression"),
}
UNEQUAL = ("JapaneseVowels", "PickupGestureWiimoteZ")
MARGIN = 2.0  # accuracy points

# Published scores on each dataset's default train/test split (resample or fold 0): the best
# method among those a source lists, copied from the source's files (no number typed from memory).
SOURCES = {
    "A": "aeon 1.6.0 wheel, aeon/testing/example_results_files/classification/accuracy/"
         "{HC2,InceptionTime,FreshPRINCE,WEASEL-2.0}_accuracy.csv (results files in the "
         "timeseriesclassification.com format), column resample 0 = the default split",
    "M": "github.com/aeon-toolkit/multiverse results/multiverse/accuracy_mean.csv (commit "
         "d5cb050; docs/results.md: accuracy on the default splits), 17 classifiers",
    "T": "github.com/time-series-machine-learning/tsml-eval tsml_eval/publications/_2023/"
         "tser_archive_expansion/results/5.{1,2,3}/*_TESTFOLDS.csv (commit 8511f99), test RMSE, "
         "fold 0 = base split (Guijo-Rubio et al. 2024, 'Unsupervised feature based algorithms "
         "for time series extrinsic regression'), 12 regressors",
}
PUBLISHED = {  # name: (score, method, source key)
    "GunPoint": (1.0, "HC2/InceptionTime/WEASEL-2.0", "A"),  # a three-way tie
    "ArrowHead": (0.8685714285714285, "HC2", "A"),
    "ItalyPowerDemand": (0.9698736637512148, "HC2", "A"),
    "OSULeaf": (0.9752066115702479, "WEASEL-2.0", "A"),
    "ACSF1": (0.93, "WEASEL-2.0", "A"),
    "PickupGestureWiimoteZ": (0.8, "WEASEL-2.0 (only one listed; _eq)", "A"),
    "BasicMotions": (1.0, "HC2 and 13 others", "M"),  # 14 of 17 at 1.0
    "JapaneseVowels": (0.9945945945945946, "LITETime-mv (_eq)", "M"),
    "Covid3Month": (0.0388925990110909, "ROCKET", "T"),  # RMSE
    "CardanoSentiment": (0.289478794485364, "FreshPRINCE", "T"),  # RMSE
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help=f"comma-separated subset of: {', '.join(DATASETS)}")
    parser.add_argument("--walltime", type=float, default=60.0, help="hpogen's SMAC wall time W (s)")
    parser.add_argument("--work", type=Path, help="keep the bundles here (default: a temporary folder)")
    parser.add_argument("--kill-after", type=float, help="seconds before hpogen run is stopped (default 4W+300)")
    parser.add_argument("--results", type=Path, help="write the raw results here (JSON) as they come")
    parser.add_argument("--report-only", action="store_true", help="print the table of --results and stop")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.datasets = [d.strip() for d in (args.datasets or ",".join(DATASETS)).split(",") if d.strip()]
    if args.report_only and args.results is None:
        parser.error("--report-only needs --results FILE")
    if unknown := [d for d in args.datasets if d not in DATASETS]:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(DATASETS)}")
    return args


def minirocket_worker(name: str) -> None:
    """Fit and score MiniRocket on NAME's given split; print one JSON line."""
    import numpy as np
    from aeon.datasets import load_classification, load_regression

    if DATASETS[name] == "regression":
        from aeon.regression.convolution_based import MiniRocketRegressor as Model

        (X, y), (X_test, y_test) = (load_regression(name, split=s) for s in ("train", "test"))
    else:
        from aeon.classification.convolution_based import MiniRocketClassifier as Model

        (X, y), (X_test, y_test) = (
            load_classification(name, split=s, load_equal_length=name in UNEQUAL) for s in ("train", "test")
        )
    start = time.perf_counter()
    predicted = Model(random_state=0).fit(X, y).predict(X_test)
    fit_s = time.perf_counter() - start
    if DATASETS[name] == "regression":
        score = float(np.sqrt(np.mean((np.asarray(predicted, float) - np.asarray(y_test, float)) ** 2)))
    else:
        score = float(np.mean(np.asarray(predicted) == np.asarray(y_test)))
    print(json.dumps({"score": score, "fit_s": fit_s, "n_train": len(X), "n_test": len(X_test)}))


def run_minirocket(name: str, limit: float) -> dict:
    seconds, done = timed([sys.executable, __file__, "--worker", "--dataset", name], limit)
    if isinstance(done, str):
        return {"error": done, "wall_s": seconds}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": seconds}


def run_hpogen(name: str, bundle: Path, walltime: float, limit: float) -> dict:
    gen_s, done = timed([HPOGEN, "generate", "--dataset", name, "--out", str(bundle), "--force"], 120)
    if isinstance(done, str):
        return {"error": f"generate {done}", "wall_s": gen_s}
    run_s, done = timed([HPOGEN, "run", str(bundle), "--walltime", str(walltime)], limit)
    if isinstance(done, str):
        return {"error": f"run {done}", "wall_s": gen_s + run_s}
    results = json.loads((bundle / "runs" / "seed-0" / "results.json").read_text())
    metric = "rmse" if DATASETS[name] == "regression" else "accuracy"
    return {"score": results["test_metrics"][metric], "wall_s": gen_s + run_s, "incumbent": results["incumbent"],
            "n_train": results["data"]["n_trainval"], "n_test": results["data"]["n_test"],
            "search_s": results["wall_time_s"]}


def difference(name: str, hp: dict, mr: dict) -> float | None:
    """hpogen - MiniRocket: accuracy points, or relative RMSE in % (negative: hpogen better)."""
    if "score" not in hp or "score" not in mr:
        return None
    if DATASETS[name] == "regression":
        return round(100 * (hp["score"] - mr["score"]) / mr["score"], 9)
    return round(100 * (hp["score"] - mr["score"]), 9)  # so that 0.86 - 0.88 is -2 points, not below


def cnn_line() -> str:
    if importlib.util.find_spec("tensorflow") is None:
        return ("1-D CNN baseline: skipped: aeon's deep learners (TimeCNNClassifier, ResNetClassifier, ...) "
                "need tensorflow, which is not installed; no other tuned CNN baseline is available here")
    return "1-D CNN baseline: skipped: tensorflow is installed, but no tuned CNN baseline is wired into this benchmark"


def report(rows: list[tuple[str, dict, dict]], walltime: float) -> None:
    head = (f"{'dataset':<22} {'task':<5} {'train/test':>9} {'MiniRocket':>10} {'s':>6} {'hpogen':>8} "
            f"{'s':>6} {'family':<9} {'hp-MR':>9} {'published best':>14}  method [source]")
    print(head)
    print("-" * len(head))
    for name, mr, hp in rows:
        regression = DATASETS[name] == "regression"
        size = next((f"{r['n_train']}/{r['n_test']}" for r in (hp, mr) if "n_train" in r), "?")
        mr_cell = f"{mr['score']:.4f}" if "score" in mr else "failed"
        hp_cell = f"{hp['score']:.4f}" if "score" in hp else "failed"
        diff = difference(name, hp, mr)
        diff_cell = "n/a" if diff is None else f"{diff:+.1f}%" if regression else f"{diff:+.2f}pt"
        family = hp.get("incumbent", {}).get("algorithm", "-")
        score, method, key = PUBLISHED.get(name, (None, "n/a (no stored source)", ""))
        pub = "n/a" if score is None else f"{score:.4f}"
        tag = f"[{key}]" if key else ""
        print(f"{name:<22} {'reg' if regression else 'clf':<5} {size:>9} {mr_cell:>10} {mr['wall_s']:>6.1f} "
              f"{hp_cell:>8} {hp['wall_s']:>6.1f} {family:<9} {diff_cell:>9} {pub:>14}  {method} {tag}")
        for tool, result in (("MiniRocket", mr), ("hpogen", hp)):
            if "error" in result:
                print(f"    {tool} failed: {result['error']}")
    print("\nclf: test accuracy, hp-MR in accuracy points; reg: test RMSE (lower is better), hp-MR as relative RMSE")
    print(f"s: wall time of the whole process(es), hpogen = generate + run --walltime {walltime:g}; "
          f"MiniRocket fit+predict alone: " + ", ".join(f"{n} {m['fit_s']:.1f}s" for n, m, _ in rows if "fit_s" in m))
    print(f"MiniRocket on aeon's equal-length _eq files for {', '.join(UNEQUAL)} (it refuses unequal length);"
          " hpogen on the original files")
    if over := [f"{n} {h['search_s']:.0f}s" for n, _, h in rows if h.get("search_s", 0) > 1.25 * walltime]:
        print(f"hpogen's SMAC search overran W={walltime:g}s by over a quarter: {', '.join(over)}")
    print(cnn_line())
    for key, text in SOURCES.items():
        print(f"[{key}] {text}")
    summary(rows)


def summary(rows: list[tuple[str, dict, dict]]) -> None:
    diffs = {name: difference(name, hp, mr) for name, mr, hp in rows}
    clf = [n for n in diffs if DATASETS[n] == "classification"]
    reg = [n for n in diffs if DATASETS[n] == "regression"]
    at_least = [n for n in clf if diffs[n] is not None and diffs[n] >= 0]
    at_least += [n for n in reg if diffs[n] is not None and diffs[n] <= 0]
    behind = [f"{n} (failed)" if diffs[n] is None else f"{n} ({diffs[n]:+.2f}pt)"
              for n in clf if diffs[n] is None or diffs[n] < -MARGIN]
    clf_diffs = [diffs[n] for n in clf if diffs[n] is not None]
    reg_diffs = [diffs[n] for n in reg if diffs[n] is not None]
    print(f"\nhpogen >= MiniRocket on {len(at_least)} of {len(rows)} datasets (target: most): {', '.join(at_least) or '-'}")
    print(f"more than {MARGIN:g} accuracy points below MiniRocket (target: none): {', '.join(behind) or 'none'}")
    if clf_diffs:
        print(f"mean hpogen - MiniRocket, classification: {sum(clf_diffs) / len(clf_diffs):+.2f} accuracy points")
    if reg_diffs:
        print(f"mean hpogen - MiniRocket, regression: {sum(reg_diffs) / len(reg_diffs):+.1f}% RMSE")
    for name, _mr, hp in rows:
        if name in clf and (diffs[name] is None or diffs[name] < -MARGIN) and "incumbent" in hp:
            print(f"incumbent on {name}: {json.dumps(hp['incumbent'])}")


def main() -> None:
    args = parse_args()
    if args.worker:
        minirocket_worker(args.dataset)
        return
    if args.report_only:
        saved = json.loads(args.results.read_text())
        report([tuple(row) for row in saved["rows"]], saved["walltime"])
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-time-series-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for name in args.datasets:
            mr = run_minirocket(name, 600)
            hp = run_hpogen(name, work / name, args.walltime, args.kill_after or 4 * args.walltime + 300)
            rows.append((name, mr, hp))
            if args.results:
                args.results.write_text(json.dumps({"walltime": args.walltime, "rows": rows}, indent=1))
            print(f"{name}: MiniRocket {mr.get('score', mr)}, hpogen {hp.get('score', hp)}", file=sys.stderr)
        report(rows, args.walltime)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
