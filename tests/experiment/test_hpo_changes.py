"""The hpo_scheduler family's schedulers and catalogue changes against direct computations on
tiny cases, run in a fresh process from real derived packages (the generator never runs them)."""

import json
import subprocess
import sys
import textwrap

import pytest
from packages import ROOT, invoke

METHODS = ROOT / "tests" / "experiment" / "methods"

DRIVER = textwrap.dedent('''
    import json, sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    from src import train

    report = {}
    training = {"slope_window": 4, "slope_threshold": 0.002, "curve_penalty_weight": 0.5,
                "curve_penalty_window": 3, "boil_midpoint": 0.5, "boil_growth": 10.0, "surrogate_kappa": 1.0}
    if hasattr(train, "saturated"):
        report["slope_rising"] = train.window_slope([0.1, 0.2, 0.3, 0.4, 0.5], 4)
        report["saturated_flat"] = train.saturated([0.5, 0.8, 0.81, 0.81, 0.811, 0.811], training)
        report["saturated_rising"] = train.saturated([0.5, 0.6, 0.7, 0.8], training)
        report["saturated_short"] = train.saturated([0.5, 0.5, 0.5], training)
    if hasattr(train, "penalised_curve_score"):
        curve = [0.2, 0.5, 0.4, 0.7, 0.6]
        report["compressed"] = train.compressed_score(curve, training)
        report["penalised"] = train.penalised_curve_score(curve, 0.6, training)
        report["curve_score_boil"] = train.curve_score(curve, {**training, "scheduler": "boil",
                                                                "changes": ["curve_penalty"]})
    if hasattr(train, "forest_ranking"):
        space = train.SearchSpace({"momentum": {"low": 0.0, "high": 1.0}}, None)
        history = [({"momentum": x}, -(x - 0.3) ** 2) for x in np.linspace(0.0, 1.0, 21)]
        candidates = [{"momentum": x} for x in (0.9, 0.05, 0.31, 0.6)]
        report["forest_first"] = train.forest_ranking(candidates, history, space, training)[0]["momentum"]
        report["gp_first"] = train.expected_improvement(candidates, history, space, training)[0]["momentum"]
    for kind in ("sh", "hyperband"):
        scheduler = train.make_scheduler({"scheduler": kind, "min_epochs": 1, "max_epochs": 9, "eta": 3})
        jobs, trials = [], 0
        for _ in range(40 if kind == "hyperband" else 13):
            trial, rung = scheduler.next_job()
            if trial is None:
                trial, trials = trials, trials + 1
            scheduler.report(trial, rung, float(trial))  # later trials score higher
            jobs.append([trial, rung])
        report[kind] = jobs
    print("RESULT " + json.dumps(report))
''')


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The driver's report from each method's derived package, by method name."""
    found = {}
    for name in ("hpo_slope_stop", "hpo_boil_penalty", "hpo_surrogate_rank"):
        work = tmp_path_factory.mktemp(name)
        invoke("basecode", METHODS / f"{name}.json", "--out", work / "base")
        invoke("derive", work / "base", "--dataset", "digits", "--out", work / "package")
        completed = subprocess.run([sys.executable, "-c", DRIVER, str(work / "package")], capture_output=True,
                                   text=True, timeout=300)
        assert completed.returncode == 0, completed.stderr[-3000:]
        line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
        found[name] = json.loads(line[len("RESULT "):])
    return found


def test_slope_rule_on_synthetic_curves(reports):
    found = reports["hpo_slope_stop"]
    assert found["slope_rising"] == pytest.approx(0.1)
    assert found["saturated_flat"] is True      # last 4 points: slope ~0.0003 < 0.002
    assert found["saturated_rising"] is False   # slope 0.1
    assert found["saturated_short"] is False    # fewer points than the window


def test_compressed_and_penalised_scores(reports):
    import numpy as np

    found = reports["hpo_boil_penalty"]
    curve = np.array([0.2, 0.5, 0.4, 0.7, 0.6])
    weights = 1 / (1 + np.exp(-10 * (np.linspace(0, 1, 5) - 0.5)))
    compressed = float(weights @ curve / weights.sum())
    assert found["compressed"] == pytest.approx(compressed)
    assert found["penalised"] == pytest.approx(0.6 - 0.5 * np.std([0.4, 0.7, 0.6]))
    assert found["curve_score_boil"] == pytest.approx(compressed - 0.5 * np.std([0.4, 0.7, 0.6]))


def test_surrogates_rank_the_candidate_nearest_the_optimum_first(reports):
    found = reports["hpo_surrogate_rank"]
    assert found["forest_first"] == 0.31
    assert found["gp_first"] == 0.31


@pytest.mark.parametrize("name", ["hpo_slope_stop", "hpo_surrogate_rank"])
def test_successive_halving_and_hyperband_brackets(reports, name):
    found = reports[name]
    # one SH bracket over rungs 1, 3, 9 epochs: 9 new trials, the best 3 promoted, then the best 1
    assert [rung for _, rung in found["sh"]] == [0] * 9 + [1] * 3 + [2]
    assert [trial for trial, _ in found["sh"][9:]] == [8, 7, 6, 8]
    # Hyperband (Li et al. 2018), eta 3, s_max 2: brackets of 9, 5 and 3 configurations
    rungs = [rung for _, rung in found["hyperband"]]
    assert rungs[:13] == [0] * 9 + [1] * 3 + [2]
    assert rungs[13:13 + 5 + 1] == [1] * 5 + [2]
    assert rungs[19:22] == [2] * 3
    new_trials = [trial for trial, _ in found["hyperband"]]
    assert new_trials[13:18] == list(range(9, 14)) and new_trials[19:22] == [14, 15, 16]


def test_paired_wilcoxon_over_seeds(tmp_path):
    """Every family's evaluation pairs runs by seed through evaluate_core's wilcoxon_pairs: no
    p-value below 6 seeds, 1.0 for ties, and the exact two-sided value for 7 consistent gains."""
    invoke("basecode", METHODS / "hpo_slope_stop.json", "--out", tmp_path / "base")
    invoke("derive", tmp_path / "base", "--dataset", "digits", "--out", tmp_path / "package")
    driver = textwrap.dedent('''
        import json, sys
        sys.path.insert(0, sys.argv[1])
        from src.evaluate import wilcoxon_pairs
        gains = [(0.5, 0.5 + 0.01 * (i + 1)) for i in range(7)]
        print("RESULT " + json.dumps([wilcoxon_pairs(gains[:5]), wilcoxon_pairs([(0.5, 0.5)] * 6),
                                      wilcoxon_pairs(gains)]))
    ''')
    completed = subprocess.run([sys.executable, "-c", driver, str(tmp_path / "package")], capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    few, ties, gains = json.loads(completed.stdout.split("RESULT ", 1)[1])
    assert few["p_value"] is None and few["pairs"] == 5
    assert ties["p_value"] == 1.0
    assert gains["p_value"] == pytest.approx(2 / 2**7)
