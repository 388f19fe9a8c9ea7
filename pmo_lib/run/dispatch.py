"""Where report jobs run: in this process, in a pool of local workers, or on a Dask cluster.

Every executor yields one :class:`~pmo_lib.run.job.JobResult` per job, in
completion order, and never raises for a job: a worker that crashes or is
lost turns into a failed result for the jobs it held, and the run goes on.

Stopping: :func:`stop_on_signals` turns SIGTERM and SIGINT into :class:`Stopped`
in the main thread. The local executor then ends its whole process tree
(workers, their kernels and anything those started, found by parent id, since
kernels run in sessions of their own) before the exception goes on, so no
worker keeps writing pages after the runner has stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from pmo_lib.errors import ParameterError
from pmo_lib.run.job import DEFAULT_ENGINE, JobResult, lost_job, run_job, start_worker_kernel, stop_worker_kernel
from pmo_lib.run.plan import ReportJob

EXECUTORS = ("local", "dask")


class Stopped(BaseException):  # a BaseException like KeyboardInterrupt: not an error of the run
    """The process was asked to stop (SIGTERM, SIGINT); ``exit_code`` is 128 + the signal."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_code = 128 + signum


@contextlib.contextmanager
def stop_on_signals(signals=(signal.SIGTERM, signal.SIGINT)):
    """Raise :class:`Stopped` in the main thread on SIGTERM or SIGINT, within this block."""
    def stop(signum, frame):
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_process_tree(grace: float = 3.0) -> list[int]:
    """End every descendant of this process: SIGTERM, then SIGKILL after ``grace`` seconds; their pids."""
    from multiprocessing import resource_tracker

    import psutil

    # the resource tracker is left alone: it ends with this process, after the pool's semaphores are released
    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    try:
        children = [child for child in psutil.Process(os.getpid()).children(recursive=True) if child.pid != tracker]
    except psutil.Error:
        return []
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)
    return [child.pid for child in children]


def run_local(jobs: list[ReportJob], options: dict, *, workers: int, root: Path) -> Iterator[JobResult]:
    """Run jobs here (one worker) or in a pool of processes, each with its own warm kernel.

    On any exception (:class:`Stopped` included) every child process is ended before it goes on.
    """
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        try:
            for job in jobs:
                yield run_job(job, **options)
        except BaseException:
            stop_process_tree()
            raise
        finally:
            stop_worker_kernel()
        return
    engine = options.get("engine", DEFAULT_ENGINE)
    warm = engine != "papermill"
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=start_worker_kernel if warm else None,
                               initargs=(str(root / "notebooks"), engine) if warm else ())
    try:
        futures = {pool.submit(run_job, job, **options): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:
                yield lost_job(futures[future], exc)
    except BaseException:
        stop_process_tree()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_dask(jobs: list[ReportJob], options: dict, *, scheduler: str) -> Iterator[JobResult]:
    """Hand the jobs to an existing Dask distributed cluster at ``scheduler``.

    The workers must see the same files (the data, the notebooks and the run
    folder) at the same paths, and have pmo-reports installed. Each worker
    process keeps one warm kernel across the reports it runs.
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ParameterError("--executor dask needs the optional dependency: pip install 'pmo-reports[dask]'") \
            from None
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise ParameterError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    with client:
        futures = {client.submit(run_job, job, pure=False, key=f"pmo-report-{job.key}-{id(jobs)}", **options): job
                   for job in jobs}
        for future in dask_completed(list(futures)):
            try:
                yield future.result()
            except Exception as exc:
                yield lost_job(futures[future], exc)
