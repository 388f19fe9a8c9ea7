"""``pmo-report run``: validate, compute the metrics once, run every report, write the index.

The order of a run:

1. parameters are checked (unknown keys) — nothing written on error; a notebook whose
   parameters cell does not declare what the run passes fails its own reports only;
2. the portfolio is loaded and validated — nothing written on error (exit 2);
3. ``metrics.csv`` is computed once and written;
4. every report job runs (in parallel workers); a failing one is recorded and
   the others go on;
5. ``index.html`` and ``manifest.json`` are written;
6. when every report succeeded, the run's snapshot is written to the history
   store (docs/history.md) in one transaction: a failed run writes none.

Every file is written atomically, so a run killed part-way leaves each page
either as it was or complete, and running it again completes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pmo_lib.analysis.handoff import ANALYSIS_CACHE_ENV, share_analysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.reading import describe_source, is_url, resolve_source
from pmo_lib.errors import HistoryError, ParameterError
from pmo_lib.files import write_json, write_text
from pmo_lib.formatting import format_date, format_timestamp, use_number_format
from pmo_lib.parameters import PROJECT_ROOT, RunParameters
from pmo_lib.run.catalog import parameter_problems
from pmo_lib.run.history_page import prune_runs, run_date, write_history
from pmo_lib.run.job import DEFAULT_ENGINE, JobResult, now_iso, refused_job
from pmo_lib.run.metrics_file import format_metrics
from pmo_lib.run.plan import ReportJob, plan_jobs

log = logging.getLogger("pmo_lib.run")

RUN_PARAMETERS_FILE = "parameters.yaml"  # the run's effective parameters, which every notebook reads
SHARED_ANALYSIS_FILE = ".shared-analysis.tmp"  # the analysis computed once, read by every kernel; removed after


@dataclass
class RunOutcome:
    """The result of a run: its folder, every job result, and the exit code."""

    run_dir: Path
    results: list[JobResult]
    history_error: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.history_error or any(r.status != "ok" for r in self.results) else 0


def fingerprint(path: Path) -> str:
    """SHA-256 over the portfolio's files (names and bytes), to tie a run to its data.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "projects.csv").write_text("a")
    >>> fingerprint(folder)[:12]
    '1df5488d53b0'
    """
    digest = hashlib.sha256()
    if is_url(str(path)):  # a database: named by its URL (without password), not by its contents
        digest.update(describe_source(path).encode())
        return digest.hexdigest()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def find_previous_run(out_dir: Path, status_date: dt.date, portfolio_name: str | None = None) -> Path | None:
    """The most recent run folder before ``status_date`` beside ``out_dir`` with a metrics.csv.

    With ``portfolio_name``, runs whose manifest names another portfolio are passed over: a run
    never compares itself with another portfolio's.
    """
    if run_date(out_dir) is None:  # only the default layout output/<status_date>/ has a history
        return None
    root = out_dir.parent
    if not root.is_dir():
        return None
    earlier = [(run_date(folder), folder) for folder in root.iterdir()
               if run_date(folder) is not None and run_date(folder) < status_date
               and (folder / "metrics.csv").is_file() and _same_portfolio(folder, portfolio_name)]
    return max(earlier)[1] if earlier else None


def _same_portfolio(folder: Path, portfolio_name: str | None) -> bool:
    """Whether the run in ``folder`` is of ``portfolio_name`` (a run without a readable manifest is kept)."""
    if portfolio_name is None:
        return True
    try:
        name = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("portfolio_name")
    except (OSError, ValueError, AttributeError):
        return True
    return name in (None, portfolio_name)


@dataclass
class RunPlan:
    """What a run will do, decided before anything is written."""

    portfolio: object
    out_dir: Path
    previous: Path | None
    jobs: list[ReportJob]
    refused: dict[str, dict] = field(default_factory=dict)  # notebook -> why its reports cannot run

    def describe(self) -> list[dict]:
        """One JSON-ready entry per job: what ``--dry-run`` prints."""
        return [{"report": j.key, "notebook": j.notebook, "page": j.page, "parameters": j.parameters}
                for j in self.jobs]


def plan_run(
    *,
    data: Path,
    status_date: dt.date,
    out_dir: Path,
    params: RunParameters,
    projects: list[str] | None = None,
    previous: Path | None = None,
    root: Path = PROJECT_ROOT,
) -> RunPlan:
    """Load and validate the data, expand the catalog and check every notebook's parameters.

    Raises
    ------
    DataValidationError, DataSourceError, ParameterError
        Nothing has been written.
    """
    data = resolve_source(data)
    portfolio = load_portfolio(data, params.profile)
    known = portfolio.projects["project_id"].tolist()
    if projects:
        unknown = [p for p in projects if p not in known]
        if unknown:
            raise ParameterError(f"--projects: unknown project id(s): {', '.join(unknown)}")
        selected = [p for p in known if p in projects]
    else:
        selected = known
    programs = sorted(portfolio.projects.loc[portfolio.projects["project_id"].isin(selected), "program"].unique())
    out_dir = out_dir.resolve()
    previous = previous.resolve() if previous else find_previous_run(out_dir, status_date, params.portfolio_name)
    common = {"data_path": describe_source(data), "status_date": status_date.isoformat(),
              "params_file": str(out_dir / RUN_PARAMETERS_FILE),
              "previous_metrics": str(previous / "metrics.csv") if previous else ""}
    jobs = plan_jobs(params.reports, project_ids=selected, programs=programs,
                     portfolio_name=params.portfolio_name, common=common,
                     project_names=dict(zip(portfolio.projects["project_id"], portfolio.projects["name"])))
    return RunPlan(portfolio, out_dir, previous, jobs, parameter_problems(jobs, root))


def run_reports(
    *,
    data: Path,
    status_date: dt.date,
    out_dir: Path,
    params: RunParameters,
    params_file: Path | None = None,
    projects: list[str] | None = None,
    workers: int | None = None,
    previous: Path | None = None,
    root: Path = PROJECT_ROOT,
    progress: bool | None = None,
    engine: str = DEFAULT_ENGINE,
    keep: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    history_db: str | None = None,
) -> RunOutcome:
    """Run the whole report suite; see the module docstring for the order.

    When the run folder is named by its status date (the default
    ``output/<status_date>/``), the output root's ``index.html`` is rewritten
    to list every run, and ``keep`` prunes all but the newest ``keep`` runs.

    Raises
    ------
    DataValidationError, DataSourceError, ParameterError, HistoryError
        Before anything is written.
    """
    from pmo_lib.analysis.core import PortfolioAnalysis
    from pmo_lib.history.recording import read_trends, record_run
    from pmo_lib.history.store import history_url
    from pmo_lib.run.index_page import render_index

    plan = plan_run(data=data, status_date=status_date, out_dir=out_dir, params=params,
                    projects=projects, previous=previous, root=root)
    portfolio, out_dir, previous, jobs = plan.portfolio, plan.out_dir, plan.previous, plan.jobs
    data = resolve_source(data)
    for warning in portfolio.warnings:
        log.warning("data warning: %s", warning)
    for stale in remove_stale_temporaries(out_dir):
        log.info("removed %s, left by an interrupted run", stale)

    use_number_format(params.number_format)  # the index page and the pages' metadata, as the kernels do
    analysis = PortfolioAnalysis(portfolio, status_date=status_date, params=params)
    history_db = history_url(history_db, output_root=out_dir.parent if run_date(out_dir) is not None else None)
    analysis.history = read_trends(history_db, analysis, periods=params.windows.trend_periods,
                                   data=data if isinstance(data, Path) else None)
    started = now_iso()
    # The notebooks read the very parameters this run was given, whatever file they came from.
    write_text(out_dir / RUN_PARAMETERS_FILE, yaml.safe_dump(params.model_dump(mode="json"), sort_keys=False,
                                                             allow_unicode=True))
    table = analysis.metrics
    write_text(out_dir / "metrics.csv", format_metrics(table))
    analysis.pages = frozenset(job.page for job in jobs if job.notebook not in plan.refused)
    # A database URL reaches the notebooks without its password: they read the shared analysis.
    shared = share_analysis(analysis, out_dir / SHARED_ANALYSIS_FILE,
                            data=describe_source(data) if is_url(str(data)) else data, status_date=status_date,
                            params_file=str(out_dir / RUN_PARAMETERS_FILE))
    metadata = {"portfolio_name": params.portfolio_name, "status_date": format_date(status_date),
                "generated_at": format_timestamp(started)}
    log.info("run %s: %d reports on %d worker(s) into %s", status_date, len(jobs), workers or params.workers, out_dir)
    for reason in plan.refused.values():
        log.error("not run: %s", reason["message"])
    runnable = [job for job in jobs if job.notebook not in plan.refused]
    try:
        results = _execute(runnable, out_dir=out_dir, root=root, metadata=metadata, timeout=params.timeout_seconds,
                           workers=workers or params.workers, progress=progress, engine=engine,
                           executor=executor, scheduler=scheduler, env={ANALYSIS_CACHE_ENV: str(shared)})
    finally:
        shared.unlink(missing_ok=True)
    results += [refused_job(job, plan.refused[job.notebook]) for job in jobs if job.notebook in plan.refused]
    order = {job.key: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.key])
    finished = now_iso()
    manifest = {
        "status_date": status_date.isoformat(),
        "portfolio_name": params.portfolio_name,
        "started_at": started,
        "finished_at": finished,
        "data": {"path": describe_source(data), "fingerprint": fingerprint(data)},
        "previous_run": str(previous) if previous else None,
        "parameters_file": str(params_file.resolve()) if params_file else None,
        "parameters": params.model_dump(mode="json"),
        "reports": [{**r.to_json(), "rag": report_rag(analysis, r.scope, r.subject)} for r in results],
        "counts": {"ok": sum(r.status == "ok" for r in results),
                   "failed": sum(r.status != "ok" for r in results)},
        "portfolio_rag": analysis.totals["overall_rag"],
        "rag_counts": {k: int(v) for k, v in table["overall_rag"].value_counts().items()},
    }
    write_text(out_dir / "index.html", render_index(
        manifest, table, program_rags=analysis.programs["overall_rag"].to_dict(),
        portfolio_rag=analysis.totals["overall_rag"]))
    write_json(out_dir / "manifest.json", manifest)
    if run_date(out_dir) is not None:
        if keep:
            for gone in prune_runs(out_dir.parent, keep=keep, protect=out_dir):
                log.info("pruned old run %s", gone)
        write_history(out_dir.parent, name=params.portfolio_name)
    outcome = RunOutcome(out_dir, results)
    if outcome.exit_code == 0:  # the one place a run writes its snapshot: after it succeeded
        try:
            record_run(history_db, analysis, source=str(out_dir), data_fingerprint=manifest["data"]["fingerprint"])
        except HistoryError as exc:
            outcome.history_error = str(exc)
            log.error("history not written: %s", exc)
    elif history_db:
        log.warning("history not written: %d report(s) failed", manifest["counts"]["failed"])
    return outcome


def report_rag(analysis, scope: str, subject: str) -> str:
    """The RAG a report's page shows in its header: the project's, or the program's or portfolio's headline."""
    if scope == "portfolio":
        return str(analysis.totals["overall_rag"])
    if scope == "program":
        return str(analysis.programs["overall_rag"].get(subject, "grey"))
    rags = analysis.metrics.set_index("project_id")["overall_rag"]
    return str(rags.get(subject, "grey"))


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Delete the hidden temporary files a killed run left in ``out_dir``; return them.

    Every file is written as ``.<name>.<random>.tmp`` (papermill's scratch copy as
    ``.<stem>.<random>.ipynb``) and renamed into place, so a run killed mid-write can
    leave one behind, never a half-written page. Two runs must not share a folder at once.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".portfolio.html.k2x9.tmp").write_text("<html><bo")
    >>> [p.name for p in remove_stale_temporaries(folder)], list(folder.iterdir())
    (['.portfolio.html.k2x9.tmp'], [])
    """
    if not out_dir.is_dir():
        return []
    stale = [p for p in out_dir.rglob(".*") if p.suffix in (".tmp", ".ipynb") and p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale




def _execute(jobs, *, out_dir, root, metadata, timeout, workers, progress, engine, executor="local",
             scheduler=None, env=None) -> list[JobResult]:
    from pmo_lib.run.dispatch import run_dask, run_local

    bar = _progress_bar(len(jobs), progress)
    options = {"run_dir": out_dir, "root": root, "metadata": metadata, "timeout": timeout, "engine": engine,
               "env": env or {}}
    stream = run_dask(jobs, options, scheduler=scheduler) if executor == "dask" else run_local(
        jobs, options, workers=workers, root=root)
    results: list[JobResult] = []
    for result in stream:
        results.append(result)
        if result.status == "ok":
            log.info("ok      %-40s %6.1fs", result.key, result.seconds)
        else:
            err = result.error or {}
            log.error("FAILED  %-40s %6.1fs  %s: %s", result.key, result.seconds, err.get("type"),
                      (err.get("message") or "").splitlines()[0] if err.get("message") else "")
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return results


def _progress_bar(total: int, progress: bool | None):
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr)
