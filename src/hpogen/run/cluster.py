"""Dask for parallel runs: a local cluster (--n-workers) or an existing scheduler (--dask-scheduler-file).

We always hand SMAC our own Client and close it ourselves: a client that SMAC creates prints a
60 s timeout message at exit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import HpogenError
from ..inputs import first_line

CONNECT_TIMEOUT_S = 30
WORKER_WAIT_S = 120


def parallel_setting(n_workers: int | None, scheduler_file: Path | None) -> dict[str, Any]:
    """How trials run, as recorded for --resume."""
    if scheduler_file is not None:
        return {"mode": "scheduler"}
    if n_workers is not None and n_workers > 1:
        return {"mode": "local", "n_workers": n_workers}
    return {"mode": "serial"}


@contextmanager
def dask_client(n_workers: int | None, scheduler_file: Path | None) -> Iterator[Any]:
    """None for a serial run; otherwise a connected Client, closed (with its cluster) on exit."""
    if scheduler_file is not None:
        with _scheduler_client(scheduler_file) as client:
            yield client
    elif n_workers is not None and n_workers > 1:
        with _local_client(n_workers) as client:
            yield client
    else:
        yield None


@contextmanager
def _local_client(n_workers: int) -> Iterator[Any]:
    import dask
    from dask.distributed import Client, LocalCluster

    # Worker processes that may start processes of their own (as SMAC configures its clusters).
    dask.config.set({"distributed.worker.daemon": False})
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,  # workers log their own shutdown as errors
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


@contextmanager
def _scheduler_client(scheduler_file: Path) -> Iterator[Any]:
    from dask.distributed import Client

    try:
        client = Client(scheduler_file=str(scheduler_file), timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise HpogenError(
            f"cannot reach the dask scheduler of {scheduler_file}: {first_line(exc)}"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            raise HpogenError(
                f"no dask worker joined the scheduler of {scheduler_file} within {WORKER_WAIT_S} s"
            ) from None
        yield client
    finally:
        client.close()
