"""The ``pmo-report`` command line.

Exit codes: 0 success, 1 some reports failed, 2 bad input or bad usage.
Heavy imports (papermill, nbconvert, altair) happen inside the commands that
need them, so ``pmo-report validate`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path

import click

from pmo_lib.errors import PmoError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class StatusDate(click.ParamType):
    """A status date: ``YYYY-MM-DD``, ``today`` or ``last-friday``."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from pmo_lib.dates import parse_status_date
        from pmo_lib.parameters import check_status_date

        try:
            day = value if isinstance(value, dt.date) else parse_status_date(value)
            return check_status_date(day, source="")
        except (ValueError, PmoError) as exc:
            self.fail(str(exc).strip(), param, ctx)


def _fail(error: PmoError) -> None:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


class DataSource(click.ParamType):
    """A portfolio: a folder of CSV files, a workbook, or a database URL (kept as text)."""

    name = "FOLDER|WORKBOOK|URL"

    def convert(self, value, param, ctx):
        from pmo_lib.data.reading import is_url

        if isinstance(value, Path) or not is_url(str(value)):
            return Path(value)
        return str(value)


DATA_HELP = ("Portfolio folder of CSV files, an .xlsx workbook, an MS Project / Primavera schedule (or a folder of "
             "them), or a database URL (sqlite:///pmo.db).")
PROFILE_HELP = "Import profile (YAML): where the tables are and how they are written; see docs/data.md."


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="pmo-reports")
def main() -> None:
    """Turn a PMO's project data into HTML status reports."""


@main.command()
@click.option("--data", "data", required=True, type=DataSource(), help=DATA_HELP)
@click.option("--profile", "profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=PROFILE_HELP)
@click.option("--all", "every", is_flag=True, help="List every problem instead of one group per column and message.")
def validate(data, profile: Path | None, every: bool) -> None:
    """Check a portfolio against the data contract; print its problems grouped, with hints."""
    from pmo_lib.data.loading import check_portfolio
    from pmo_lib.data.summary import summarize

    try:
        portfolio, problems = check_portfolio(data, profile)
    except PmoError as exc:
        _fail(exc)
    for line in summarize(problems, every=every):
        click.echo(line, err=True)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    counts = portfolio.counts()
    click.echo(
        f"{counts['projects']:,} projects, {counts['tasks']:,} tasks, {counts['costs']:,} cost lines: "
        f"{errors:,} error{'s' * (errors != 1)}, {warnings:,} warning{'s' * (warnings != 1)}"
    )
    sys.exit(2 if errors else 0)


@main.command()
@click.option("--data", "data", required=True, type=DataSource(), help=DATA_HELP)
@click.option("--status-date", required=True, type=StatusDate(), help="As-of date of the metrics.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--params", "params_file", type=click.Path(path_type=Path), default=None,
              help="Run parameters YAML (RAG thresholds); default parameters/defaults.yaml.")
@click.option("--profile", "profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=PROFILE_HELP + " Default: the parameters' profile.")
def metrics(data, status_date: dt.date, fmt: str, params_file: Path | None, profile: Path | None) -> None:
    """Print the per-project metrics table (spec section 3) to standard output."""
    from pmo_lib.analysis.core import portfolio_metrics
    from pmo_lib.data.loading import load_portfolio
    from pmo_lib.parameters import check_status_date_span, load_parameters
    from pmo_lib.run.metrics_file import write_metrics

    try:
        params = load_parameters(params_file)
        portfolio = load_portfolio(data, profile or params.profile)
        check_status_date_span(status_date, portfolio.date_range())
    except PmoError as exc:
        if getattr(exc, "problems", None):
            _fail_with_problems(exc)
        _fail(exc)
    _print_warnings(portfolio.warnings)
    table = portfolio_metrics(portfolio, status_date=status_date, params=params)
    write_metrics(table, sys.stdout, fmt=fmt)


def _fail_with_problems(exc) -> None:
    from pmo_lib.data.summary import summarize

    for line in summarize(exc.problems):
        click.echo(line, err=True)
    click.echo(f"error: {len(exc.errors)} error(s) in the portfolio data; nothing was written", err=True)
    sys.exit(exc.exit_code)


def name_warning(params, data) -> str | None:
    """A warning when the run would stamp the sample's name (from the defaults) on other data.

    Examples
    --------
    >>> from pmo_lib.parameters import load_parameters
    >>> name_warning(load_parameters(), "elsewhere/exports").split(": give")[0]
    "warning: the portfolio name 'Northwind Utilities' is the sample's, from parameters/defaults.yaml, but the data is elsewhere/exports"
    >>> name_warning(load_parameters(), "data/sample") is None
    True
    """
    from pmo_lib.data.reading import describe_source, is_url, resolve_source
    from pmo_lib.parameters import PROJECT_ROOT, load_parameters

    defaults = load_parameters()
    if params.portfolio_name != defaults.portfolio_name:
        return None
    sample = (PROJECT_ROOT / defaults.data_path).resolve()
    if not is_url(str(data)) and resolve_source(data) == sample:
        return None
    return (f"warning: the portfolio name '{params.portfolio_name}' is the sample's, from parameters/defaults.yaml, "
            f"but the data is {describe_source(data)}: give your portfolio its own name (portfolio_name in a --params file; "
            "`pmo-report init` writes one)")


def _print_warnings(warnings) -> None:
    for problem in warnings:
        click.echo(f"warning: {problem}", err=True)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Folder to write.")
@click.option("--projects", "n_projects", default=24, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--status-date", required=True, type=StatusDate())
@click.option("--history-periods", default=11, show_default=True, type=click.IntRange(0, 520),
              help="Weekly periods before the status date to write to OUT/history/ (the trends; 0: none).")
def sample(out: Path, n_projects: int, seed: int, status_date: dt.date, history_periods: int) -> None:
    """Write a realistic generated portfolio of any size (same seed, same bytes), with its history."""
    from pmo_lib.data.sample import generate_portfolio, write_portfolio

    tables = generate_portfolio(projects=n_projects, seed=seed, status_date=status_date)
    write_portfolio(tables, out)
    click.echo(f"wrote {n_projects:,} projects to {out}")
    if history_periods:
        from pmo_lib.history.files import HISTORY_FOLDER, write_history_files
        from pmo_lib.history.sample import sample_history

        history = sample_history(tables, status_date=status_date, periods=history_periods)
        write_history_files(history, Path(out) / HISTORY_FOLDER)
        click.echo(f"wrote {history.periods} weekly periods of history to {Path(out) / HISTORY_FOLDER}")


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                           "logger": record.name, "message": record.getMessage()}, ensure_ascii=False)


def _configure_logging(fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(_JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger("pmo_lib")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


@main.command()
@click.option("--data", "data", required=True, type=DataSource(), help=DATA_HELP)
@click.option("--status-date", required=True, type=StatusDate(),
              help="As-of date: YYYY-MM-DD, 'today' or 'last-friday'.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Run folder; default output/<status_date>/.")
@click.option("--params", "params_file", type=click.Path(path_type=Path), default=None,
              help="Run parameters YAML laid over parameters/defaults.yaml.")
@click.option("--projects", "projects", default=None, help="Only these project ids (comma-separated).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Reports run in parallel.")
@click.option("--previous", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Earlier run folder to compare with; default the latest earlier run beside --out.")
# The same names as pmo_lib.run.job.ENGINES and DEFAULT_ENGINE (kept literal: importing the runner here
# would slow every command's start; tests/cli check they agree).
@click.option("--engine", type=click.Choice(["warm", "direct", "papermill"]), default="direct", show_default=True,
              help="warm: one kernel per worker kept across reports; direct: IPython's shell per worker, "
                   "without the kernel protocol; papermill: a new kernel per report.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: an existing Dask cluster (--scheduler).")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--keep", type=click.IntRange(1, None), default=None,
              help="Keep only the newest N dated run folders under the output root.")
@click.option("--dry-run", is_flag=True, help="Validate and print what would run, with its parameters; write nothing.")
@click.option("--email", "send_email", is_flag=True,
              help="Mail the reports when the run is done (see `pmo-report email`); failed reports are not mailed.")
@click.option("--pdf", "make_pdf", is_flag=True,
              help="Also print the board pack to <run folder>/board-pack.pdf (see `pmo-report pdf`).")
@click.option("--history-db", "history_db", default=None, metavar="URL",
              help="Snapshot store (SQLAlchemy URL); default $PMO_HISTORY_DB, else history.sqlite in the output root.")
@click.option("--force", is_flag=True,
              help="Replace --out even if it holds files pmo-report did not write (they are deleted).")
@click.option("--log-format", type=click.Choice(["plain", "json"]), default="plain", show_default=True)
@click.option("--profile", "profile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=PROFILE_HELP + " Default: the parameters' profile.")
def run(data, status_date, out, params_file, projects, workers, previous, engine, executor, scheduler, keep,
        dry_run, send_email, make_pdf, force, log_format, profile, history_db) -> None:
    """Run the full report suite into a run folder (exit 0 ok, 1 some failed, 2 bad input, 128+N stopped)."""
    from pmo_lib.run.dispatch import Stopped, stop_on_signals

    try:
        with stop_on_signals():
            code = _run(data, status_date, out, params_file, projects, workers, previous, engine, executor,
                        scheduler, keep, dry_run, send_email, make_pdf, force, log_format, profile, history_db)
    except Stopped as stop:
        click.echo(f"error: {stop}; the reports were not finished and the previous run, if any, is unchanged",
                   err=True)
        sys.exit(stop.exit_code)
    sys.exit(code)


def _run(data, status_date, out, params_file, projects, workers, previous, engine, executor, scheduler, keep,
         dry_run, send_email, make_pdf, force, log_format, profile, history_db) -> int:
    from pmo_lib.parameters import load_parameters
    from pmo_lib.run.suite import plan_run, run_reports

    _configure_logging(log_format)
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    out = out or Path("output") / status_date.isoformat()
    selected = [p.strip() for p in projects.split(",") if p.strip()] if projects else None
    after = [0]
    try:
        params = load_parameters(params_file)
        if profile is not None:
            params = params.model_copy(update={"profile": str(profile.resolve())})
        if (mismatch := name_warning(params, data)) is not None:
            click.echo(mismatch, err=True)
        _warn_notebook_rules(params)
        if dry_run:
            plan = plan_run(data=data, status_date=status_date, out_dir=out, params=params,
                            projects=selected, previous=previous)
            click.echo(json.dumps({"out": str(plan.out_dir), "previous_run": str(plan.previous or ""),
                                   "reports": plan.describe()}, indent=1, ensure_ascii=False))
            for reason in plan.refused.values():
                click.echo(f"warning: {reason['message']}; its reports would fail", err=True)
            click.echo(f"dry run: {len(plan.jobs)} reports would run; nothing was written", err=True)
            return 0
        outcome = run_reports(
            data=data, status_date=status_date, out_dir=out, params=params, params_file=params_file,
            projects=selected, workers=workers, previous=previous, engine=engine, keep=keep, executor=executor,
            scheduler=scheduler, history_db=history_db, force=force,
            then=_after_run(after, make_pdf=make_pdf, send_email=send_email))
    except PmoError as exc:
        if hasattr(exc, "problems"):
            _fail_with_problems(exc)
        _fail(exc)
    except OSError as exc:
        click.echo(f"error: cannot write the run folder {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    if outcome.history_error:
        click.echo(f"error: history not written: {outcome.history_error}", err=True)
    return max(outcome.exit_code, after[0])


def _after_run(codes: list[int], *, make_pdf: bool, send_email: bool):
    """Say how the run went, then print the board pack and mail it while its lock is still held.

    The exit code of the board pack and the mail goes into ``codes``.
    """
    def then(outcome) -> None:
        ok = sum(r.status == "ok" for r in outcome.results)
        failed = len(outcome.results) - ok
        click.echo(f"{ok} report{'s' * (ok != 1)} ok, {failed} failed: {outcome.run_dir / 'index.html'}")
        if make_pdf:
            codes[0] = max(codes[0], _print_pack(outcome.run_dir, None, None, "a4"))
        if send_email:
            from pmo_lib.mail.send import email_run

            codes[0] = max(codes[0], min(email_run(outcome.run_dir), 1))  # a mail failure is a partial failure

    return then


def _print_pack(run_dir: Path, out: Path | None, programs: str | None, paper: str) -> int:
    """Print the board pack; 0 when written, 1 when it could not be (the message says why)."""
    from pmo_lib.run.pdf import board_pack
    from pmo_lib.run.transaction import OutputLock, output_root

    selected = [p for p in programs.split(",") if p.strip()] if programs else None
    try:
        with OutputLock(output_root(run_dir), "pdf"):  # one writer: no run replaces the folder meanwhile
            path = board_pack(run_dir, out, programs=selected, paper=paper)
    except PmoError as exc:
        click.echo(f"error: board pack not written: {exc}", err=True)
        return exc.exit_code if exc.exit_code == 2 else 1
    except OSError as exc:
        click.echo(f"error: cannot write the board pack: {exc.strerror or exc}", err=True)
        return 1
    click.echo(f"board pack: {path} ({path.stat().st_size / 1024:,.0f} KB)")
    return 0


@main.command("pdf")
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="A run folder written by `pmo-report run`.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="PDF to write; default <run folder>/board-pack.pdf.")
@click.option("--programs", default=None, help="Only these programs and their projects (comma-separated names).")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
def pdf_command(run_dir: Path, out: Path | None, programs: str | None, paper: str) -> None:
    """Print a run's board pack: cover, portfolio, programs, each project's first page (headless Chromium)."""
    _configure_logging("plain")
    sys.exit(_print_pack(run_dir, out, programs, paper))


def _warn_notebook_rules(params) -> None:
    """Log every broken notebook rule of the catalog's notebooks as a warning (the run goes on)."""
    from pmo_lib.parameters import PROJECT_ROOT
    from pmo_lib.run.notebook_rules import catalog_notebooks, check_notebooks

    for problem in check_notebooks(catalog_notebooks(params, root=PROJECT_ROOT), root=PROJECT_ROOT):
        logging.getLogger("pmo_lib.run").warning("notebook rule: %s", problem)


@main.command("check-notebooks")
@click.argument("notebooks", nargs=-1, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--params", "params_file", type=click.Path(path_type=Path), default=None,
              help="Run parameters YAML whose catalog names the notebooks (default parameters/defaults.yaml).")
def check_notebooks_command(notebooks: tuple[Path, ...], params_file: Path | None) -> None:
    """Check report notebooks against the notebook rules (default: every notebook of the catalog).

    Prints each broken rule with the notebook, cell number and line, and what
    to do; exit 0 when every notebook follows the rules, 1 otherwise.
    """
    from pmo_lib.parameters import PROJECT_ROOT, load_parameters
    from pmo_lib.run.notebook_rules import catalog_notebooks, check_notebooks

    try:
        paths = list(notebooks) or catalog_notebooks(load_parameters(params_file), root=PROJECT_ROOT)
    except PmoError as exc:
        _fail(exc)
    problems = check_notebooks(paths, root=PROJECT_ROOT)
    for problem in problems:
        click.echo(str(problem))
    checked = f"{len(paths)} notebook{'s' * (len(paths) != 1)}"
    click.echo(f"{checked}: {len(problems)} problem{'s' * (len(problems) != 1)}"
               + ("" if problems else ", every rule followed"), err=True)
    sys.exit(1 if problems else 0)


@main.command("new-report")
@click.argument("name")
@click.option("--scope", required=True, type=click.Choice(["project", "program", "portfolio"]),
              help="Run once per project, once per program, or once for the portfolio.")
@click.option("--title", default=None, help="Title shown on the pages and in the index.")
def new_report_command(name: str, scope: str, title: str | None) -> None:
    """Create notebooks/NAME.ipynb from the template and add it to the report catalog."""
    from pmo_lib.run.catalog import new_report

    try:
        path = new_report(name, scope=scope, title=title)
    except PmoError as exc:
        _fail(exc)
    click.echo(f"created {path} and registered report '{name}' ({scope}) in parameters/defaults.yaml;\n"
               f"open it with `make lab`; the next `pmo-report run` produces it")


@main.command("list-reports")
@click.option("--params", "params_file", type=click.Path(path_type=Path), default=None,
              help="Run parameters YAML laid over parameters/defaults.yaml.")
def list_reports_command(params_file: Path | None) -> None:
    """Show the report catalog and each notebook's parameters."""
    from pmo_lib.parameters import load_parameters
    from pmo_lib.run.catalog import describe_catalog

    try:
        entries = describe_catalog(load_parameters(params_file))
    except PmoError as exc:
        _fail(exc)
    for entry in entries:
        state = "" if entry["enabled"] else " (disabled)"
        click.echo(f"{entry['name']}{state}: {entry['title'] or entry['name']} — one per {entry['scope']}, "
                   f"{entry['notebook']}")
        if entry["parameters"] is None:
            click.echo("    notebook not found")
            continue
        for name, spec in entry["parameters"].items():
            help_text = f"  # {spec['help']}" if spec.get("help") else ""
            click.echo(f"    {name}: {spec['inferred_type_name']} = {spec['default']}{help_text}")


from pmo_lib.cli.email import email as _email_command  # noqa: E402
from pmo_lib.cli.history import history as _history_command  # noqa: E402
from pmo_lib.cli.init import init as _init_command  # noqa: E402

main.add_command(_email_command)
main.add_command(_init_command)
main.add_command(_history_command)


if __name__ == "__main__":  # pragma: no cover
    main()
