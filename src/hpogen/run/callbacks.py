"""SMAC callbacks of `hpogen run`: a rich progress bar, and configurations that survive dask."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from smac import Callback
from smac.runhistory.enumerations import StatusType


class TrialProgress(Callback):
    """Counts told trials; on resume it starts from the runhistory that SMAC loaded."""

    def __init__(self, progress: Any, task: Any) -> None:
        super().__init__()
        self.progress = progress
        self.task = task
        self.done = 0
        self.crashed = 0
        self.best = math.inf

    def on_start(self, smbo: Any) -> None:
        for value in smbo.runhistory.values():
            if value.status != StatusType.RUNNING:
                self._count(value)
        self._show()

    def on_tell_end(self, smbo: Any, info: Any, value: Any) -> None:
        self._count(value)
        self._show()

    def _count(self, value: Any) -> None:
        self.done += 1
        if value.status == StatusType.SUCCESS:
            self.best = min(self.best, float(value.cost))
        else:
            self.crashed += 1

    def _show(self) -> None:
        best = f"{self.best:.4f}" if math.isfinite(self.best) else "-"
        self.progress.update(self.task, completed=self.done, crashed=self.crashed, best=best)


class OriginalConfigs(Callback):
    """Give a trial that comes back from a dask worker its original Configuration object.

    In ConfigSpace 1.2 a log-scale Integer hyperparameter compares a scipy distribution by
    identity, so a configuration that went through pickle no longer equals the one SMAC sent:
    SMAC would file the result under a new configuration and leave the sent one RUNNING.
    """

    def __init__(self, configspace: Any) -> None:
        super().__init__()
        self.configspace = configspace

    def on_tell_start(self, smbo: Any, info: Any, value: Any) -> None:
        config = info.config
        if config.config_space is self.configspace:
            return
        wanted = repr(config)
        for original in smbo.runhistory.config_ids:
            if repr(original) == wanted and dict(original) == dict(config):
                object.__setattr__(info, "config", original)  # TrialInfo is a frozen dataclass
                return


class StopOnRepeatedCrash(Callback):
    """Stop SMAC when, before any trial has succeeded, `limit` trials in a row crash with the same
    error: the rest of the wall time would only repeat it."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.errors: list[str] = []
        self.config: dict[str, Any] | None = None
        self.succeeded = False
        self.stopped: dict[str, Any] | None = None

    def on_tell_end(self, smbo: Any, info: Any, value: Any) -> bool | None:
        if self.succeeded or self.stopped is not None:
            return None
        if value.status != StatusType.CRASHED:
            self.succeeded = True
            return None
        self.errors.append(crash_message(value.additional_info or {}))
        if self.config is None:
            self.config = dict(info.config)
        recent = self.errors[-self.limit:]
        if len(recent) == self.limit and len(set(recent)) == 1:
            self.stopped = {"trials": len(self.errors), "error": recent[0], "first_config": self.config}
            return False
        return None


def crash_message(info: dict[str, Any]) -> str:
    """'Type: message' of a crashed trial, from the traceback SMAC keeps (else its repr of the error)."""
    lines = [line for line in str(info.get("traceback", "")).splitlines() if line.strip()]
    if lines and not lines[-1].startswith(" "):
        return lines[-1].strip()
    return str(info.get("error", "an unknown error")).strip() or "an unknown error"


@contextmanager
def trial_progress(n_trials: int | None, title: str) -> Iterator[TrialProgress]:
    """A live bar on stderr for the duration of the optimisation (no total: the time ends it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("trials  crashed {task.fields[crashed]}  best loss {task.fields[best]}"),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
    )
    task = progress.add_task(title, total=n_trials, crashed=0, best="-")
    with progress:
        yield TrialProgress(progress, task)
