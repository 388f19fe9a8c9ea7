"""Execute one report job: papermill runs the notebook, nbconvert exports the page.

Each job writes its executed notebook and its page atomically, and never
raises for a failing notebook: the failure comes back in the
:class:`JobResult` so the rest of the run goes on.

A failure names the cell that ran as the analyst knows it, on both engines:
``cell`` is its number in the report's notebook (``notebooks/<name>.ipynb``,
every cell counted from 1, markdown included, the run's injected parameters
not) and ``source`` its first line. The engines report the cell last sent to
the kernel, so a timeout or a dead kernel blames the cell that was running,
not the next one.
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


def describe_failure(exc: BaseException, *, timeout: int | None = None) -> dict:
    """The reason a notebook failed, as JSON: error type and message (the cell is added later).

    Examples
    --------
    >>> describe_failure(ValueError("bad"))["message"]
    'bad'
    >>> describe_failure(TimeoutError("Cell execution timed out"), timeout=5)["message"]
    'a cell ran longer than 5 seconds'
    """
    info = {"type": type(exc).__name__, "message": str(exc).strip()[:2000], "cell": None}
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError
        info["type"] = ename
        info["message"] = str(getattr(exc, "evalue", "")).strip()[:2000]
    elif type(exc).__name__ in ("CellTimeoutError", "TimeoutError"):
        info["type"] = "Timeout"
        if timeout is not None:  # the warm engine's words, so both engines say the same
            info["message"] = f"a cell ran longer than {timeout} seconds"
    elif type(exc).__name__ == "DeadKernelError":
        info["type"] = "KernelDied"
    return info


INJECTED = "injected-parameters"  # papermill's tag on the cell with the run's parameters


def blame_cell(error: dict, nb, index: int | None) -> dict:
    """Name the cell at ``index`` of the parameterised notebook ``nb`` as the analyst knows it.

    ``cell`` becomes the cell's number in the report's own notebook (from 1,
    every cell counted, papermill's injected-parameters cell not) and
    ``source`` its first non-empty line. The injected cell itself is blamed
    as the parameters cell it follows.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1"),
    ...     new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]}), new_code_cell("\\nwhile True: pass")])
    >>> blame_cell({}, nb, 3)
    {'cell': 3, 'source': 'while True: pass'}
    >>> blame_cell({}, nb, 2)["source"]
    'injected-parameters (the values the run passed)'
    """
    if nb is None or index is None or not 0 <= index < len(nb.cells):
        return error
    cells = nb.cells[:index + 1]
    error["cell"] = sum(INJECTED not in c.get("metadata", {}).get("tags", []) for c in cells)
    if INJECTED in cells[-1].get("metadata", {}).get("tags", []):
        error["source"] = "injected-parameters (the values the run passed)"
    else:
        lines = [line for line in cells[-1].source.splitlines() if line.strip()]
        error["source"] = lines[0].strip()[:120] if lines else ""
    return error


ENGINES = ("warm", "direct", "papermill")
"""warm: a Jupyter kernel per worker kept across reports; direct: IPython's shell in a process per
worker, without the kernel protocol (:mod:`pmo_lib.run.direct_engine`); papermill: a new kernel per
report."""
DEFAULT_ENGINE = "direct"  # picked by benchmarks/bench_reports.py (RESULTS.md): less CPU per report than warm
_KERNEL = None  # this process's warm kernel or direct engine, started on first use


def start_worker_kernel(cwd: str, engine: str = DEFAULT_ENGINE) -> None:
    """Start this process's warm kernel or direct engine (a worker's initializer); stop it at exit."""
    global _KERNEL
    from pmo_lib.run.direct_engine import DirectEngine

    if _KERNEL is not None and isinstance(_KERNEL, DirectEngine) != (engine == "direct"):
        stop_worker_kernel()
    if _KERNEL is None:
        from multiprocessing import util

        from pmo_lib.run.warm_kernel import WarmKernel

        _KERNEL = (DirectEngine if engine == "direct" else WarmKernel)(cwd=cwd).start()
        util.Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)


def stop_worker_kernel() -> None:
    """Shut down this process's warm kernel, if any."""
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.shutdown()
        _KERNEL = None


def _execute_warm(job: ReportJob, root: Path, timeout: int, env: dict, engine: str = DEFAULT_ENGINE):
    """Parameterise with papermill, execute in the warm kernel or direct engine; (notebook, error)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from pmo_lib.run.warm_kernel import KernelFailure

    cwd = str(root / Path(job.notebook).parent)
    start_worker_kernel(cwd, engine)
    nb = parameterize_notebook(load_notebook_node(str(root / job.notebook)), job.parameters)
    try:
        return _KERNEL.execute(nb, timeout=timeout, cwd=cwd, env=env), None
    except KernelFailure as failure:
        error = {"type": failure.kind, "message": failure.message[:2000], "cell": None}
        return failure.notebook, blame_cell(error, failure.notebook, failure.cell)


def _execute_papermill(job: ReportJob, root: Path, timeout: int, scratch: Path):
    """One papermill call with its own kernel, as the papermill CLI does; (notebook, error)."""
    import nbformat
    import papermill
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    error, running = None, []
    try:
        papermill.execute_notebook(
            str(root / job.notebook), str(scratch), parameters=job.parameters, kernel_name="python3",
            cwd=str(root / Path(job.notebook).parent), progress_bar=False, execution_timeout=timeout,
            start_timeout=120, on_cell_execute=lambda cell, cell_index: running.append(cell_index))
    except Exception as exc:
        error = describe_failure(exc, timeout=timeout)
    try:
        nb = nbformat.read(str(scratch), as_version=4) if scratch.stat().st_size else None
    except Exception:
        nb = None
    if error and running:  # the hook's index is in the notebook as parameterised, before papermill's banners
        executed = parameterize_notebook(load_notebook_node(str(root / job.notebook)), job.parameters)
        error = blame_cell(error, executed, running[-1])
    return nb, error


def run_job(job: ReportJob, *, run_dir: Path, root: Path, metadata: dict, timeout: int,
            engine: str = DEFAULT_ENGINE, env: dict | None = None) -> JobResult:
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
        nb, error = _execute_warm(job, root, timeout, env, engine)
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


def refused_job(job: ReportJob, error: dict) -> JobResult:
    """The result of a job not run because its notebook cannot take the run's parameters."""
    return JobResult(job.key, job.report, job.scope, job.subject, job.title, "failed", 0.0, None,
                     job.executed_notebook, dict(error))


def _page_title(job: ReportJob, metadata: dict) -> str:
    if job.scope == "portfolio":
        return f"{job.title}: {metadata.get('portfolio_name', job.subject)}"
    return f"{job.title}: {job.label or job.subject}"


def now_iso() -> str:
    """The current time, ISO 8601 with seconds, in UTC."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
