"""Execute one report job: papermill runs the notebook, nbconvert exports the page.

Each job writes its executed notebook and its page atomically, and never
raises for a failing notebook: the failure comes back in the
:class:`JobResult` so the rest of the run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from pmo_lib.files import write_text
from pmo_lib.run.plan import ReportJob


@dataclass
class JobResult:
    """What happened to one job; becomes one entry of ``manifest.json``."""

    key: str
    report: str
    scope: str
    subject: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    page: str | None
    notebook: str
    error: dict | None = None

    def to_json(self) -> dict:
        return asdict(self)


def describe_failure(exc: BaseException) -> dict:
    """The reason a notebook failed, as JSON: cell number, error type and message.

    Examples
    --------
    >>> describe_failure(ValueError("bad"))["message"]
    'bad'
    """
    info = {"type": type(exc).__name__, "message": str(exc).strip()[:2000], "cell": None}
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError
        info["type"] = ename
        info["message"] = str(getattr(exc, "evalue", "")).strip()[:2000]
        exec_count = getattr(exc, "exec_count", None)
        info["cell"] = getattr(exc, "cell_index", None)
        info["execution_count"] = exec_count
    elif type(exc).__name__ in ("CellTimeoutError", "TimeoutError"):
        info["type"] = "Timeout"
    elif type(exc).__name__ == "DeadKernelError":
        info["type"] = "KernelDied"
    return info


ENGINES = ("warm", "papermill")
_KERNEL = None  # this process's warm kernel, started on first use


def start_worker_kernel(cwd: str) -> None:
    """Start this process's warm kernel (a worker's initializer); shut it down at exit."""
    global _KERNEL
    if _KERNEL is None:
        from multiprocessing import util

        from pmo_lib.run.warm_kernel import WarmKernel

        _KERNEL = WarmKernel(cwd=cwd).start()
        util.Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)


def stop_worker_kernel() -> None:
    """Shut down this process's warm kernel, if any."""
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.shutdown()
        _KERNEL = None


def _execute_warm(job: ReportJob, root: Path, timeout: int, env: dict):
    """Parameterise with papermill, execute in the warm kernel; (notebook, error)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from pmo_lib.run.warm_kernel import KernelFailure

    cwd = str(root / Path(job.notebook).parent)
    start_worker_kernel(cwd)
    nb = parameterize_notebook(load_notebook_node(str(root / job.notebook)), job.parameters)
    try:
        return _KERNEL.execute(nb, timeout=timeout, cwd=cwd, env=env), None
    except KernelFailure as failure:
        error = {"type": failure.kind, "message": failure.message[:2000], "cell": failure.cell}
        return failure.notebook, _with_source(error, failure.notebook)


def _with_source(error: dict, nb) -> dict:
    """Add the first line of the failing cell's code, so the index can say where it failed."""
    cell = error.get("cell")
    if nb is not None and isinstance(cell, int) and 0 <= cell < len(nb.cells):
        lines = [line for line in nb.cells[cell].source.splitlines() if line.strip()]
        error["source"] = lines[0][:120] if lines else ""
    return error


def _execute_papermill(job: ReportJob, root: Path, timeout: int, scratch: Path):
    """One papermill call with its own kernel, as the papermill CLI does; (notebook, error)."""
    import nbformat
    import papermill

    error = None
    try:
        papermill.execute_notebook(
            str(root / job.notebook), str(scratch), parameters=job.parameters, kernel_name="python3",
            cwd=str(root / Path(job.notebook).parent), progress_bar=False, execution_timeout=timeout,
            start_timeout=120)
    except Exception as exc:
        error = describe_failure(exc)
    try:
        nb = nbformat.read(str(scratch), as_version=4) if scratch.stat().st_size else None
    except Exception:
        nb = None
    return nb, (_with_source(error, nb) if error else None)


def run_job(job: ReportJob, *, run_dir: Path, root: Path, metadata: dict, timeout: int,
            engine: str = "warm", env: dict | None = None) -> JobResult:
    """Execute ``job``, keep its executed notebook, export its page; record any failure.

    ``env`` holds environment variables the notebook's kernel sees (the runner
    uses it to point kernels at the analysis it computed once).
    """
    env = env or {}
    import nbformat

    started = time.perf_counter()
    executed = run_dir / job.executed_notebook
    executed.parent.mkdir(parents=True, exist_ok=True)
    if engine == "papermill":
        fd, scratch = tempfile.mkstemp(dir=executed.parent, prefix=f".{executed.stem}.", suffix=".ipynb")
        os.close(fd)
        os.environ.update(env)  # a papermill kernel is a child of this worker: it inherits them
        try:
            nb, error = _execute_papermill(job, root, timeout, Path(scratch))
        finally:
            Path(scratch).unlink(missing_ok=True)
    else:
        nb, error = _execute_warm(job, root, timeout, env)
    page = None
    if nb is not None:
        nb.metadata["pmo"] = {**metadata, "title": _page_title(job, metadata)}
        write_text(executed, nbformat.writes(nb))
    if error is None and nb is not None:
        try:
            from pmo_lib.run.export import export_html

            write_text(run_dir / job.page, export_html(nb))
            page = job.page
        except Exception as exc:
            error = {"type": type(exc).__name__, "message": str(exc), "cell": None,
                     "traceback": traceback.format_exc(limit=5)}
    elif error is None:
        error = {"type": "NoOutput", "message": "the notebook produced no output", "cell": None}
    return JobResult(job.key, job.report, job.scope, job.subject, job.title,
                     "failed" if error else "ok", round(time.perf_counter() - started, 3),
                     page, job.executed_notebook, error)


def lost_job(job: ReportJob, exc: BaseException) -> JobResult:
    """The result of a job whose worker crashed or was lost before it could report."""
    error = {"type": "WorkerLost", "message": f"{type(exc).__name__}: {exc}"[:2000], "cell": None}
    return JobResult(job.key, job.report, job.scope, job.subject, job.title, "failed", 0.0, None,
                     job.executed_notebook, error)


def _page_title(job: ReportJob, metadata: dict) -> str:
    if job.scope == "portfolio":
        return f"{job.title}: {metadata.get('portfolio_name', job.subject)}"
    return f"{job.title}: {job.label or job.subject}"


def now_iso() -> str:
    """The current time, ISO 8601 with seconds, in UTC."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
