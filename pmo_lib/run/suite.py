"""``pmo-report run``: validate, compute the metrics once, run every report, write the index.

The order of a run:

1. parameters are checked (unknown keys, ranges) — nothing written on error; a notebook whose
   parameters cell does not declare what the run passes fails its own reports only;
2. the portfolio is loaded and validated — nothing written on error (exit 2);
3. the output root's lock is taken (one writer at a time) and ``--out`` is checked to be
   a folder pmo-reports wrote (or new, or empty) — nothing written on error (exit 2);
4. a staging folder is made beside ``--out``; ``metrics.csv`` is computed once and written there;
5. every report job runs (in parallel workers) into the staging folder; a failing one is
   recorded and the others go on;
6. ``index.html`` and ``manifest.json`` are written last, and the staging folder is swapped
   in for ``--out`` in one step (:mod:`pmo_lib.run.transaction`);
7. only then are old runs pruned (``--keep``) and the output root's history page rewritten.
   Then, when every report succeeded, the run's snapshot is written to the history
   store (docs/history.md) in one transaction: a failed run writes none.

A run that fails, crashes or is killed before step 6 leaves the previous run of
that date exactly as it was; the next run removes its staging folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pmo_lib.analysis.handoff import ANALYSIS_CACHE_ENV, share_analysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.reading import describe_source, is_url, resolve_source
from pmo_lib.errors import HistoryError, ParameterError
from pmo_lib.files import write_bytes, write_json, write_text
from pmo_lib.formatting import format_date, format_timestamp, use_number_format
from pmo_lib.parameters import PROJECT_ROOT, RunParameters, check_status_date, check_status_date_span
from pmo_lib.run.catalog import parameter_problems
from pmo_lib.run.history_page import prune_runs, run_date, write_history
from pmo_lib.run.identity import PortfolioIdentity, check_same_portfolio, read_manifest, read_project_ids, run_name
from pmo_lib.run.job import DEFAULT_ENGINE, JobResult, now_iso, refused_job
from pmo_lib.run.metrics_file import format_metrics
from pmo_lib.run.plan import ReportJob, plan_jobs
from pmo_lib.run.transaction import (
    OutputLock,
    check_out_folder,
    create_staging,
    discard,
    is_ours,
    recover,
    swap_in,
)

log = logging.getLogger("pmo_lib.run")

RUN_PARAMETERS_FILE = "parameters.yaml"  # the run's effective parameters, which every notebook reads
SHARED_ANALYSIS_FILE = ".shared-analysis.tmp"  # the analysis computed once, read by every kernel; removed after


@dataclass
class RunOutcome:
    """The result of a run: its folder, every job result, and the exit code."""

    run_dir: Path
    results: list[JobResult]
    history_error: str | None = None
    analysis: object = field(default=None, repr=False)  # for the snapshot written after the swap
    fingerprint: str = ""

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


def find_previous_run(out_dir: Path, status_date: dt.date,
                      portfolio: PortfolioIdentity | None = None) -> Path | None:
    """The most recent run folder before ``status_date`` beside ``out_dir`` with a metrics.csv.

    With ``portfolio``, runs of another portfolio (:mod:`pmo_lib.run.identity`: another name,
    or the same name on other projects) are passed over, with a warning for the same name:
    a run never compares itself with another portfolio's.
    """
    if run_date(out_dir) is None:  # only the default layout output/<status_date>/ has a history
        return None
    root = out_dir.parent
    if not root.is_dir():
        return None
    earlier = []
    for folder in root.iterdir():
        day = run_date(folder)
        if day is None or day >= status_date or not (folder / "metrics.csv").is_file():
            continue
        if folder.is_symlink():
            log.warning("skipped %s as the previous run: a symlink, not a run folder pmo-report wrote", folder)
            continue
        earlier.append((day, folder))
    for _day, folder in sorted(earlier, reverse=True):
        if portfolio is None:
            return folder
        manifest, ids = read_manifest(folder), read_project_ids(folder)
        if portfolio.is_same(manifest, ids):
            return folder
        if run_name(manifest) == portfolio.name:  # the name says one thing, the data another
            log.warning("not compared with the run of %s: a run of %s", folder.name,
                        portfolio.describe_other(manifest, ids))
    return None


def check_previous_run(previous: Path, portfolio: PortfolioIdentity) -> None:
    """Refuse a ``--previous`` run of another portfolio.

    Raises
    ------
    ParameterError
        The run named is of another portfolio; nothing was written.
    """
    manifest, ids = read_manifest(previous), read_project_ids(previous)
    if ids is None:
        raise ParameterError(f"--previous {previous}: not a run folder (no readable metrics.csv)")
    if not portfolio.is_same(manifest, ids):
        raise ParameterError(f"--previous {previous}: a run of {portfolio.describe_other(manifest, ids)}, "
                             f"not of {portfolio.name!r}; a run is compared only with its own portfolio's")


@dataclass
class RunPlan:
    """What a run will do, decided before anything is written."""

    portfolio: object
    identity: PortfolioIdentity
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
    check_status_date(status_date, source="--status-date")
    data = resolve_source(data)
    portfolio = load_portfolio(data, params.profile)
    check_status_date_span(status_date, portfolio.date_range())
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
    identity = PortfolioIdentity.of(params.portfolio_name, known)
    if previous:
        previous = previous.resolve()
        check_previous_run(previous, identity)
    else:
        previous = find_previous_run(out_dir, status_date, identity)
    common = {"data_path": describe_source(data), "status_date": status_date.isoformat(),
              "params_file": str(out_dir / RUN_PARAMETERS_FILE),
              "previous_metrics": str(previous / "metrics.csv") if previous else ""}
    jobs = plan_jobs(params.reports, project_ids=selected, programs=programs,
                     portfolio_name=params.portfolio_name, common=common,
                     project_names=dict(zip(portfolio.projects["project_id"], portfolio.projects["name"])))
    return RunPlan(portfolio, identity, out_dir, previous, jobs, parameter_problems(jobs, root))


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
    force: bool = False,
    then: Callable[[RunOutcome], None] | None = None,
) -> RunOutcome:
    """Run the whole report suite as one transaction; see the module docstring for the order.

    The run is built in a staging folder beside ``out_dir`` and swapped in at
    the end, holding the output root's :class:`~pmo_lib.run.transaction.OutputLock`
    throughout. When the run folder is named by its status date (the default
    ``output/<status_date>/``), the output root's ``index.html`` is rewritten
    after the swap to list every run (only if pmo-reports wrote it), and
    ``keep`` prunes all but the newest ``keep`` runs. ``then`` is called with
    the outcome while the lock is still held (``run --email`` mails the very
    run it made).

    Raises
    ------
    DataValidationError, DataSourceError, ParameterError, HistoryError
        Before anything is written.
    LockedError, NotOursError
        Another process writes the output root, or ``out_dir`` holds files
        pmo-reports did not write (and ``force`` is false); nothing written.
    """
    plan = plan_run(data=data, status_date=status_date, out_dir=out_dir, params=params,
                    projects=projects, previous=previous, root=root)
    check_out_folder(plan.out_dir, force=force)
    check_same_portfolio(plan.out_dir, plan.identity, force=force)
    from pmo_lib.history.recording import record_run
    from pmo_lib.history.store import history_url

    out = plan.out_dir
    history_db = history_url(history_db, output_root=out.parent if run_date(out) is not None else None)
    with OutputLock(plan.out_dir.parent, "run"):
        for gone in recover(plan.out_dir):
            log.info("removed %s, left by an interrupted run", gone)
        check_out_folder(plan.out_dir, force=force)
        check_same_portfolio(plan.out_dir, plan.identity, force=force)
        staging = create_staging(plan.out_dir)
        try:
            outcome = _build(plan, staging, data=resolve_source(data), status_date=status_date, params=params,
                             params_file=params_file, root=root, workers=workers, progress=progress,
                             engine=engine, executor=executor, scheduler=scheduler, history_db=history_db)
            _carry_over_mail_log(plan.out_dir, staging)
            swap_in(staging, plan.out_dir)
        except BaseException:
            discard(staging)
            raise
        _after_swap(plan.out_dir, params=params, keep=keep, portfolio=plan.identity)
        if outcome.exit_code == 0:  # the one place a run writes its snapshot: after it succeeded and is in place
            try:
                record_run(history_db, outcome.analysis, source=str(out), data_fingerprint=outcome.fingerprint)
            except HistoryError as exc:
                outcome.history_error = str(exc)
                log.error("history not written: %s", exc)
        elif history_db:
            log.warning("history not written: %d report(s) failed", sum(r.status != "ok" for r in outcome.results))
        if then is not None:
            then(outcome)
    return outcome


def _build(plan: RunPlan, staging: Path, *, data, status_date, params, params_file, root, workers, progress,
           engine, executor, scheduler, history_db) -> RunOutcome:
    """Write the whole run into ``staging``; paths recorded in it name the final folder."""
    from pmo_lib.analysis.core import PortfolioAnalysis
    from pmo_lib.history.recording import read_trends
    from pmo_lib.run.index_page import render_index

    portfolio, out_dir, previous = plan.portfolio, plan.out_dir, plan.previous
    jobs = _retarget(plan.jobs, out_dir, staging)
    for warning in portfolio.warnings:
        log.warning("data warning: %s", warning)
    use_number_format(params.number_format)  # the index page and the pages' metadata, as the kernels do
    analysis = PortfolioAnalysis(portfolio, status_date=status_date, params=params)
    analysis.history = read_trends(history_db, analysis, periods=params.windows.trend_periods,
                                   data=data if isinstance(data, Path) else None)
    started = now_iso()
    # The notebooks read the very parameters this run was given, whatever file they came from.
    write_text(staging / RUN_PARAMETERS_FILE, yaml.safe_dump(params.model_dump(mode="json"), sort_keys=False,
                                                             allow_unicode=True))
    table = analysis.metrics
    write_text(staging / "metrics.csv", format_metrics(table))
    analysis.pages = frozenset(job.page for job in jobs if job.notebook not in plan.refused)
    # A database URL reaches the notebooks without its password: they read the shared analysis.
    shared = share_analysis(analysis, staging / SHARED_ANALYSIS_FILE,
                            data=describe_source(data) if is_url(str(data)) else data, status_date=status_date,
                            params_file=str(staging / RUN_PARAMETERS_FILE))
    metadata = {"portfolio_name": params.portfolio_name, "status_date": format_date(status_date),
                "generated_at": format_timestamp(started)}
    log.info("run %s: %d reports on %d worker(s) into %s", status_date, len(jobs), workers or params.workers, out_dir)
    for reason in plan.refused.values():
        log.error("not run: %s", reason["message"])
    runnable = [job for job in jobs if job.notebook not in plan.refused]
    try:
        results = _execute(runnable, out_dir=staging, root=root, metadata=metadata, timeout=params.timeout_seconds,
                           workers=workers or params.workers, progress=progress, engine=engine,
                           executor=executor, scheduler=scheduler, env={ANALYSIS_CACHE_ENV: str(shared)})
    finally:
        shared.unlink(missing_ok=True)
    results += [refused_job(job, plan.refused[job.notebook]) for job in jobs if job.notebook in plan.refused]
    _name_final_folder(staging, [r.notebook for r in results], final=out_dir)
    order = {job.key: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.key])
    manifest = {
        "status_date": status_date.isoformat(),
        "portfolio_name": params.portfolio_name,
        "portfolio": plan.identity.to_manifest(),
        "started_at": started,
        "finished_at": now_iso(),
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
    write_text(staging / "index.html", render_index(
        manifest, table, program_rags=analysis.programs["overall_rag"].to_dict(),
        portfolio_rag=analysis.totals["overall_rag"]))
    write_json(staging / "manifest.json", manifest)
    outcome = RunOutcome(out_dir, results)
    outcome.analysis, outcome.fingerprint = analysis, manifest["data"]["fingerprint"]
    return outcome


def report_rag(analysis, scope: str, subject: str) -> str:
    """The RAG a report's page shows in its header: the project's, or the program's or portfolio's headline."""
    if scope == "portfolio":
        return str(analysis.totals["overall_rag"])
    if scope == "program":
        return str(analysis.programs["overall_rag"].get(subject, "grey"))
    rags = analysis.metrics.set_index("project_id")["overall_rag"]
    return str(rags.get(subject, "grey"))


def _retarget(jobs: list[ReportJob], final: Path, staging: Path) -> list[ReportJob]:
    """The jobs, reading the run's parameters file in the staging folder while the run is built."""
    import dataclasses

    old, new = str(final / RUN_PARAMETERS_FILE), str(staging / RUN_PARAMETERS_FILE)
    return [dataclasses.replace(job, parameters={k: (new if v == old else v) for k, v in job.parameters.items()})
            for job in jobs]


def _name_final_folder(staging: Path, notebooks: list[str], *, final: Path) -> None:
    """In the executed notebooks (their injected parameters), name the final folder instead of the staging one."""
    old, new = (json.dumps(str(p))[1:-1].encode() for p in (staging, final))
    for relative in notebooks:
        path = staging / relative
        if path.is_file():
            content = path.read_bytes()
            if old in content:
                write_bytes(path, content.replace(old, new))


def _carry_over_mail_log(previous: Path, staging: Path) -> None:
    """Keep the record of mail already sent for this date, so a re-run does not mail it twice."""
    sent = previous / "email" / "sent.json"
    if is_ours(previous) and sent.is_file() and not sent.is_symlink():
        write_bytes(staging / "email" / "sent.json", sent.read_bytes())


def _after_swap(out_dir: Path, *, params: RunParameters, keep: int | None, portfolio: PortfolioIdentity) -> None:
    """What changes only once the run is in place: pruning and the output root's history page (this portfolio's runs)."""
    if run_date(out_dir) is None:
        return
    if keep:
        for gone in prune_runs(out_dir.parent, keep=keep, protect=out_dir, portfolio=portfolio):
            log.info("pruned old run %s", gone)
    if write_history(out_dir.parent, name=params.portfolio_name, portfolio=portfolio) is None:
        log.warning("%s was not written by pmo-report: the run history page was not written",
                    out_dir.parent / "index.html")


def _execute(jobs, *, out_dir, root, metadata, timeout, workers, progress, engine, executor="local",
             scheduler=None, env=None) -> list[JobResult]:
    from pmo_lib.run.dispatch import run_dask, run_local

    bar = _progress_bar(len(jobs), progress)
    options = {"run_dir": out_dir, "root": root, "metadata": metadata, "timeout": timeout, "engine": engine,
               "env": env or {}}
    stream = run_dask(jobs, options, scheduler=scheduler) if executor == "dask" else run_local(
        jobs, options, workers=workers, root=root)
    results: list[JobResult] = []
    with contextlib.closing(stream):  # a stop (or any error) here ends the workers before it goes on
        _collect(stream, results, bar)
    if bar is not None:
        bar.close()
    return results


def _collect(stream, results: list[JobResult], bar) -> None:
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


def _progress_bar(total: int, progress: bool | None):
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr)
