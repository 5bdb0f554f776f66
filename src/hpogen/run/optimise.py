"""The optimisation of `hpogen run`: the bundle's scenario and facade, our target, SMAC's loop."""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import HpogenError
from .settings import SMAC_FOLDER, write_json
from .target import activate, trial_loss

# SMAC's own log lines would interleave with the progress bar; keep errors only.
SMAC_LOGGING_LEVEL = 40
# Trials in a row that crash with one error, before any success, that stop the run.
FAIL_FAST_TRIALS = 5
# n_trials when --walltime is given without --n-trials: the time alone ends the search.
WALLTIME_RULED_TRIALS = 1_000_000


@dataclass
class Optimisation:
    """What SMAC left behind: the facade (runhistory, intensifier, scenario) and its incumbent."""

    facade: Any
    incumbent: Any
    # SMAC's wall time of the optimisation, over all sessions of a resumed run.
    wall_time_s: float
    # set when the first trials all crashed alike: trials, error, first_config
    stopped: dict[str, Any] | None = None

    @property
    def scenario(self) -> Any:
        return self.facade.scenario

    @property
    def multi_fidelity(self) -> bool:
        return bool(self.facade.intensifier.uses_budgets)

    @property
    def final_budget(self) -> float | None:
        """The search's top budget: the max budget, or None (full fidelity)."""
        return float(self.scenario.max_budget) if self.multi_fidelity else None

    @property
    def refittable(self) -> bool:
        """An incumbent with at least one successful trial, in a run that was not stopped."""
        from smac.runhistory.enumerations import StatusType

        if self.incumbent is None or self.stopped is not None:
            return False
        history = self.facade.runhistory
        config_id = history.get_config_id(self.incumbent)
        return any(k.config_id == config_id and v.status == StatusType.SUCCESS for k, v in history.items())

    def incumbent_best_epoch(self) -> int:
        """The epoch early stopping chose for the incumbent at the highest budget it reached
        (the median over seeds); train() reports it with every trial."""
        from smac.runhistory.enumerations import StatusType

        history = self.facade.runhistory
        config_id = history.get_config_id(self.incumbent)
        trials = [
            (key.budget or 0.0, int((value.additional_info or {}).get("best_epoch", 0)))
            for key, value in history.items()
            if key.config_id == config_id and value.status == StatusType.SUCCESS
        ]
        top = max(budget for budget, _ in trials)
        epochs = sorted(epoch for budget, epoch in trials if budget == top)
        return epochs[len(epochs) // 2]


def build_scenario(
    scenario_module: ModuleType,
    configspace: Any,
    out: Path,
    seed: int,
    n_trials: int | None,
    walltime: float | None,
    n_workers: int,
) -> Any:
    """The bundle's scenario, writing under out/smac3_output; given limits override the bundle's."""
    overrides: dict[str, Any] = {
        "output_directory": out / SMAC_FOLDER,
        "seed": seed,
        "n_workers": n_workers,
    }
    if n_trials is not None:
        overrides["n_trials"] = int(n_trials)
    elif walltime is not None:
        overrides["n_trials"] = WALLTIME_RULED_TRIALS
    if walltime is not None:
        overrides["walltime_limit"] = float(walltime)
    return scenario_module.generate_scenario(configspace, **overrides)


def optimise(
    scenario_module: ModuleType,
    scenario: Any,
    job: dict[str, Any],
    client: Any,
    resume: bool,
    title: str,
) -> Optimisation:
    """Run SMAC's loop under a progress bar; trials run in process, or on dask with the job scattered."""
    from .callbacks import OriginalConfigs, StopOnRepeatedCrash, trial_progress

    if resume:
        forget_unfinished(Path(scenario.output_directory))
    activate(job if client is None else None)
    fail_fast = StopOnRepeatedCrash(FAIL_FAST_TRIALS)
    try:
        with warnings.catch_warnings(), trial_progress(
            None if scenario.n_trials >= WALLTIME_RULED_TRIALS else scenario.n_trials, title
        ) as callback:
            with _no_prompt(Path(scenario.output_directory)):
                facade = scenario_module.make_facade(
                    scenario,
                    trial_loss,
                    overwrite=not resume,
                    dask_client=client,
                    callbacks=[callback, OriginalConfigs(scenario.configspace), fail_fast],
                    logging_level=SMAC_LOGGING_LEVEL,
                )
            # SMAC's local search averages an empty list of timings on its first iterations.
            warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
            warnings.filterwarnings(
                "ignore", "invalid value encountered in scalar divide", RuntimeWarning
            )
            # library deprecation notices say nothing to the user of a run
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=FutureWarning)
            scatter = {f"hpogen-job-{uuid.uuid4().hex}": job} if client is not None else None
            incumbent = facade.optimize(data_to_scatter=scatter)
    finally:
        activate(None)
    return Optimisation(facade, incumbent, float(facade.optimizer.used_walltime), fail_fast.stopped)


def forget_unfinished(run_folder: Path) -> int:
    """Drop trials saved as RUNNING by a run that was stopped, so SMAC runs them again on resume.

    Left in place they would stay RUNNING forever: a Hyperband stage waiting for them would
    never complete. Returns how many were dropped.
    """
    from smac.runhistory.enumerations import StatusType

    path = run_folder / "runhistory.json"
    if not path.is_file():
        return 0
    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HpogenError(
            f"cannot resume: {path} is damaged (the run stopped while writing it)"
        ) from None
    kept = [entry for entry in history["data"] if entry["status"] != StatusType.RUNNING]
    dropped = len(history["data"]) - len(kept)
    if dropped:
        history["data"] = kept
        history["stats"]["submitted"] = max(0, history["stats"]["submitted"] - dropped)
        history["stats"]["running"] = 0
        write_json(path, history)
    return dropped


@contextmanager
def _no_prompt(run_folder: Path) -> Iterator[None]:
    """Turn SMAC's interactive "overwrite or rename?" question into one error line.

    hpogen compares the saved run first (run_settings.check_saved_scenario); this is the
    safety net for whatever that comparison cannot see, such as another hpogen version.
    """
    import smac.main.smbo as smbo_module

    def refuse(prompt: str = "") -> str:
        raise HpogenError(
            f"cannot resume: the SMAC run saved in {run_folder} was made with other settings "
            "or another hpogen version; choose another --out"
        )

    smbo_module.input = refuse  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del smbo_module.input  # type: ignore[attr-defined]
