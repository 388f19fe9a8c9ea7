"""Where report jobs run: in this process, in a pool of local workers, or on a Dask cluster.

Every executor yields one :class:`~pmo_lib.run.job.JobResult` per job, in
completion order, and never raises for a job: a worker that crashes or is
lost turns into a failed result for the jobs it held, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from pmo_lib.errors import ParameterError
from pmo_lib.run.job import DEFAULT_ENGINE, JobResult, lost_job, run_job, start_worker_kernel, stop_worker_kernel
from pmo_lib.run.plan import ReportJob

EXECUTORS = ("local", "dask")


def run_local(jobs: list[ReportJob], options: dict, *, workers: int, root: Path) -> Iterator[JobResult]:
    """Run jobs here (one worker) or in a pool of processes, each with its own warm kernel."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        try:
            for job in jobs:
                yield run_job(job, **options)
        finally:
            stop_worker_kernel()
        return
    engine = options.get("engine", DEFAULT_ENGINE)
    warm = engine != "papermill"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=start_worker_kernel if warm else None,
                             initargs=(str(root / "notebooks"), engine) if warm else ()) as pool:
        futures = {pool.submit(run_job, job, **options): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:
                yield lost_job(futures[future], exc)


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
