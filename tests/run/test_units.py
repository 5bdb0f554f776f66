"""Units of `hpogen run`: data splits and checks, resume records, and the dask configuration fix."""

import json
import pickle

import numpy as np
import pytest

from hpogen.dataset.bundle_data import DataError, check_fits
from hpogen.dataset.loaded import LoadedData
from hpogen.dataset.spec import DatasetSpec
from hpogen.errors import HpogenError
from hpogen.run.data import data_fingerprint, split_rows
from hpogen.run.settings import check_resumable


def test_split_is_seeded_and_stratified():
    y = np.array([0] * 80 + [1] * 20)
    keep, held = split_rows(y, "classification", seed=3, fraction=0.2)
    again, _ = split_rows(y, "classification", seed=3, fraction=0.2)
    other, _ = split_rows(y, "classification", seed=4, fraction=0.2)
    assert sorted(np.concatenate([keep, held]).tolist()) == list(range(100))
    assert np.array_equal(keep, again) and not np.array_equal(keep, other)
    assert np.bincount(y[held]).tolist() == [16, 4]


def test_split_falls_back_when_a_class_has_one_member():
    y = np.array([0] * 30 + [1] * 9 + [2])
    keep, held = split_rows(y, "classification", seed=0, fraction=0.2)
    assert len(held) == 8 and len(set(keep) | set(held)) == 40


def _spec(**facts):
    base = {"name": "toy", "type": "tabular", "task": "classification", "n_samples": 40, "n_classes": 2,
            "n_features": 3}
    return DatasetSpec.from_dict({**base, **facts})


@pytest.mark.parametrize(
    ("X", "y", "expected"),
    [
        (np.zeros((40, 4)), np.arange(40) % 2, "X has 4 features, but bundle 'toy' expects 3"),
        (np.zeros((40, 3)), np.arange(40) % 4, "y has 4 classes, but bundle 'toy' was made for 2"),
    ],
)
def test_data_is_checked_against_the_spec(X, y, expected):
    with pytest.raises(DataError, match=expected):
        check_fits({"X": X, "y": y, "kind": "tabular"}, _spec().bundle_facts(), "toy.npz")


def test_regression_needs_numeric_labels():
    spec = _spec(task="regression", n_classes=None)
    data = {"X": np.zeros((40, 3)), "y": np.array(["a"] * 40), "kind": "tabular"}
    with pytest.raises(DataError, match="y is not numeric"):
        check_fits(data, spec.bundle_facts(), "toy.csv")


def test_fingerprint_changes_with_the_data():
    X = np.arange(12.0).reshape(4, 3)
    first = data_fingerprint(LoadedData("a", "tabular", X, np.array([0, 1, 0, 1])))
    same = data_fingerprint(LoadedData("b", "tabular", X.copy(), np.array([0, 1, 0, 1])))
    changed = data_fingerprint(LoadedData("a", "tabular", X, np.array([0, 1, 1, 1])))
    assert first == same != changed


def test_resume_names_the_changed_setting(tmp_path):
    saved = {"hpogen_version": "1", "bundle_digest": "b", "data_fingerprint": "d", "seed": 0, "n_trials": 8,
             "walltime_limit": 60.0, "parallel": {"mode": "serial"}}
    check_resumable(tmp_path, saved, dict(saved))
    with pytest.raises(HpogenError, match=r"--walltime changed \(60.0 -> 90.0\)"):
        check_resumable(tmp_path, saved, {**saved, "walltime_limit": 90.0})
    with pytest.raises(HpogenError, match="the data changed"):
        check_resumable(tmp_path, saved, {**saved, "data_fingerprint": "e"})


def test_configs_back_from_workers_find_their_original():
    from ConfigSpace import ConfigurationSpace, Integer
    from smac.runhistory import RunHistory, TrialInfo
    from smac.runhistory.enumerations import StatusType

    from hpogen.run.callbacks import OriginalConfigs

    space = ConfigurationSpace(seed=0)
    space.add([Integer("units", (8, 512), log=True)])
    sent = space.sample_configuration()
    returned = pickle.loads(pickle.dumps(sent))
    assert returned != sent  # the ConfigSpace 1.2 behaviour the callback works around

    history = RunHistory()
    history.add_running_trial(TrialInfo(config=sent, seed=0))
    info = TrialInfo(config=returned, seed=0)
    OriginalConfigs(space).on_tell_start(type("SMBO", (), {"runhistory": history})(), info, None)
    assert info.config is sent
    history.add(config=info.config, cost=0.5, seed=0, status=StatusType.SUCCESS, force_update=True)
    assert len(history.config_ids) == 1 and history.finished == 1


def test_unfinished_trials_are_forgotten_on_resume(tmp_path):
    from hpogen.run.optimise import forget_unfinished

    entry = {"config_id": 1, "status": 1}
    (tmp_path / "runhistory.json").write_text(json.dumps({
        "stats": {"submitted": 3, "finished": 1, "running": 2},
        "data": [entry, {"config_id": 2, "status": 0}, {"config_id": 3, "status": 0}],
    }))
    assert forget_unfinished(tmp_path) == 2
    history = json.loads((tmp_path / "runhistory.json").read_text())
    assert history["data"] == [entry]
    assert history["stats"] == {"submitted": 1, "finished": 1, "running": 0}


def test_refit_epochs_come_from_the_incumbents_highest_budget(tmp_path):
    """The median best_epoch over seeds at the top budget the incumbent reached; other configs ignored."""
    from types import SimpleNamespace

    from ConfigSpace import ConfigurationSpace, Float
    from smac.runhistory import RunHistory
    from smac.runhistory.enumerations import StatusType

    from hpogen.run.optimise import Optimisation

    space = ConfigurationSpace(seed=0)
    space.add(Float("x", (0.0, 1.0)))
    incumbent, other = space.sample_configuration(2)
    history = RunHistory()
    trials = [  # (config, budget, seed, best_epoch, status)
        (incumbent, 18.0, 0, 12, StatusType.SUCCESS),
        (incumbent, 54.0, 0, 30, StatusType.SUCCESS),
        (incumbent, 54.0, 1, 40, StatusType.SUCCESS),
        (incumbent, 54.0, 2, 35, StatusType.SUCCESS),
        (incumbent, 163.0, 3, 90, StatusType.CRASHED),  # a crash at a higher budget does not count
        (other, 163.0, 0, 150, StatusType.SUCCESS),
    ]
    for config, budget, seed, best_epoch, status in trials:
        history.add(config=config, cost=0.1, time=1.0, status=status, budget=budget, seed=seed,
                    additional_info={"best_epoch": best_epoch})
    outcome = Optimisation(SimpleNamespace(runhistory=history), incumbent, 1.0)
    assert outcome.incumbent_best_epoch() == 35
