"""``pmo-report history``: import old run folders, export, list and upgrade the snapshot store.

Every error is one line on standard error and exit code 2, with the store
unchanged (docs/history.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pmo_lib.errors import PmoError

DEFAULT_DB = "sqlite:///output/history.sqlite"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_DB_HELP = "Snapshot store as an SQLAlchemy URL (sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)."


def _fail(error: PmoError):
    click.echo(f"error: {str(error).splitlines()[0]}", err=True)
    sys.exit(2)


@click.group("history", context_settings=CONTEXT)
def history() -> None:
    """Keep every run in a database and read it back (docs/history.md)."""


@history.command("import")
@click.argument("output_root", type=click.Path(path_type=Path, file_okay=False))
@click.option("--db", "db", default=None, metavar="URL",
              help=_DB_HELP + " Default: history.sqlite in OUTPUT_ROOT.")
def import_command(output_root: Path, db: str | None) -> None:
    """Backfill the store from the run folders under OUTPUT_ROOT (their metrics.csv and manifest.json)."""
    from pmo_lib.history.backfill import read_output_root
    from pmo_lib.history.store import HISTORY_FILE, open_store, sqlite_url

    try:
        snapshots = read_output_root(output_root)
        store = open_store(db or sqlite_url(output_root / HISTORY_FILE), write=True)
        results = store.write_many(snapshots)
    except PmoError as exc:
        _fail(exc)
    for result in results:
        if result.note:
            click.echo(f"note: {result.note}", err=True)
    replaced = sum(r.replaced for r in results)
    series = sorted({r.portfolio_key for r in results})
    click.echo(f"imported {len(results)} run folder{'s' * (len(results) != 1)} ({replaced} replaced) into "
               f"{store.shown}" + (f": {', '.join(series)}" if series else ""))


@history.command("export")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="CSV file to write: one row per status date and project.")
@click.option("--db", "db", default=DEFAULT_DB, show_default=True, metavar="URL", help=_DB_HELP)
@click.option("--portfolio", default=None, help="The portfolio (series) to export; needed when the store holds several.")
def export_command(out: Path, db: str, portfolio: str | None) -> None:
    """Write the stored metrics as CSV: status_date, project_id, then the metrics columns in their documented order."""
    from pmo_lib.files import write_text
    from pmo_lib.history.store import open_store
    from pmo_lib.run.metrics_file import format_metrics

    try:
        frame = open_store(db, write=False).export_frame(portfolio)
    except PmoError as exc:
        _fail(exc)
    try:
        write_text(out, format_metrics(frame))
    except OSError as exc:
        click.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    dates = frame["status_date"].nunique()
    click.echo(f"wrote {len(frame):,} rows ({dates} status date{'s' * (dates != 1)}) to {out}")


@history.command("list")
@click.option("--db", "db", default=DEFAULT_DB, show_default=True, metavar="URL", help=_DB_HELP)
def list_command(db: str) -> None:
    """The portfolios in the store and their status dates."""
    from pmo_lib.history.store import open_store

    try:
        store = open_store(db, write=False)
        table = store.portfolios()
        dates = {key: store.dates(key) for key in table["portfolio"]}
    except PmoError as exc:
        _fail(exc)
    if table.empty:
        click.echo(f"{store.shown}: no snapshots yet")
    for row in table.itertuples(index=False):
        click.echo(f"{row.portfolio}: {row.snapshots} snapshot{'s' * (row.snapshots != 1)}, {row.first} .. {row.last}")
        click.echo("    " + " ".join(d.isoformat() for d in dates[row.portfolio]))


@history.command("upgrade")
@click.option("--db", "db", default=DEFAULT_DB, show_default=True, metavar="URL", help=_DB_HELP)
def upgrade_command(db: str) -> None:
    """Bring a store written by an older pmo-reports to this version's schema (one transaction)."""
    from pmo_lib.history.store import open_store

    try:
        store = open_store(db, write=True, create=False)
    except PmoError as exc:
        _fail(exc)
    click.echo(f"{store.shown}: schema version {store.version}")
