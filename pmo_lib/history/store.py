"""The snapshot store: any SQLAlchemy database, an SQLite file by default.

:func:`open_store` connects and checks the schema version
(:mod:`pmo_lib.history.migrations`); :meth:`HistoryStore.write` keeps one
snapshot in one transaction, replacing an earlier snapshot of the same
portfolio and status date, so a status date run again is idempotent and a
failure part-way leaves the store as it was. Every error is a
:class:`~pmo_lib.errors.HistoryError` of one line, with any password in the URL
hidden.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from pmo_lib.history.snapshot import snapshot_from_metrics
>>> url = sqlite_url(pathlib.Path(tempfile.mkdtemp()) / "history.sqlite")
>>> table = pd.DataFrame({"project_id": ["P1"], "program": ["Core"], "bac": [100.0], "pv": [50.0],
...     "ev": [40.0], "ac": [50.0], "spi": [0.8], "cpi": [0.8], "overall_rag": ["red"]})
>>> store = open_store(url, write=True)
>>> store.write(snapshot_from_metrics(table, portfolio_name="Demo", status_date="2026-01-09")).portfolio_key
'Demo'
>>> store.write(snapshot_from_metrics(table, portfolio_name="Demo", status_date="2026-01-09")).replaced
True
>>> store.portfolios()[["portfolio", "snapshots", "first", "last"]].values.tolist()
[['Demo', 1, '2026-01-09', '2026-01-09']]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

import pmo_lib.history.schema as schema
from pmo_lib.errors import HistoryError
from pmo_lib.history.migrations import prepare_schema
from pmo_lib.history.series import TrendHistory, normalise
from pmo_lib.history.snapshot import Snapshot

HISTORY_FILE = "history.sqlite"
HISTORY_ENV = "PMO_HISTORY_DB"
SAME_PORTFOLIO_SHARE = 0.5
"""A run continues a stored series of the same name when at least this share of its projects was in its latest snapshot."""


def project_share(ours: set[str], theirs: set[str]) -> float:
    """The share of ``ours`` (a run's project ids) found in ``theirs`` (an earlier run's), 0 to 1.

    Two runs of the same name are of the same portfolio when it reaches
    :data:`SAME_PORTFOLIO_SHARE`; the store's series and the output root's runs
    (:mod:`pmo_lib.run.identity`) are told apart by this one rule.

    Examples
    --------
    >>> project_share({"P1", "P2", "P3", "P4"}, {"P1", "P2", "P9"}), project_share(set(), set())
    (0.5, 1.0)
    """
    if not ours:
        return 1.0 if not theirs else 0.0
    return len(ours & theirs) / len(ours)

_TABLES = {"projects": schema.project_rows, "milestones": schema.milestone_rows, "risks": schema.risk_rows,
           "rollups": schema.rollup_rows}


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"


def history_url(explicit: str | None, *, output_root: Path | None) -> str | None:
    """The store a run writes to: ``--history-db``, else ``PMO_HISTORY_DB``, else ``history.sqlite`` in the output root.

    None when none is given and the run folder has no output root (a run into a folder not named by its date).
    """
    chosen = explicit or os.environ.get(HISTORY_ENV, "").strip()
    if chosen:
        return chosen
    return sqlite_url(output_root / HISTORY_FILE) if output_root is not None else None


def shown_url(url: str | URL) -> str:
    """A URL fit for messages and logs: the password replaced by ``***``.

    Examples
    --------
    >>> shown_url("postgresql+psycopg://pmo:s3cret@db.example/pmo")
    'postgresql+psycopg://pmo:***@db.example/pmo'
    >>> shown_url("not a url")
    'not a url'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        text = str(url)
        return text.split("@")[-1] if "@" in text else text


def _engine(url: str, *, write: bool, create: bool = True) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise HistoryError(f"history database URL {shown_url(url)!r} is not a database URL "
                           f"(e.g. sqlite:///output/history.sqlite): {str(exc).splitlines()[0]}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise HistoryError(f"history database URL {shown_url(url)!r} names no SQLite file")
        path = Path(database)
        if not (write and create) and not path.is_file():
            raise HistoryError(f"no history database at {path}")
        if write and not path.parent.is_dir():
            raise HistoryError(f"cannot create the history database {path}: folder {path.parent} does not exist")
    try:
        return create_engine(parsed, future=True, pool_pre_ping=False)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise HistoryError(f"history database URL {shown_url(url)!r}: unsupported database "
                           f"({str(exc).splitlines()[0]})") from None


def open_store(url: str, *, write: bool = False, create: bool = True) -> HistoryStore:
    """Connect to the store at ``url`` and check its schema (creating or upgrading it when ``write``).

    ``create=False`` refuses to create a new SQLite file (``history upgrade``).

    Raises
    ------
    HistoryError
        Bad URL, unreachable server, wrong schema version (nothing changed).
    """
    engine = _engine(url, write=write, create=create)
    store = HistoryStore(engine, shown_url(url))
    with store._transaction() as conn:
        store.version = prepare_schema(conn, write=write)
    return store


@dataclass
class WriteResult:
    """What :meth:`HistoryStore.write` did."""

    portfolio_key: str
    replaced: bool
    note: str | None


def _columns(frame: pd.DataFrame, columns: list[str], *, dates_as_text: bool) -> list[list]:
    """The frame's values column by column for the database: NaN/NaT None, dates plain, numpy scalars plain."""
    frame = frame.reindex(columns=columns)
    arrays = []
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            days = values.dt.strftime("%Y-%m-%d") if dates_as_text else values.dt.date
            arrays.append(np.where(values.isna(), None, days).tolist())
        else:
            arrays.append(values.astype(object).where(values.notna(), None).tolist())
    return arrays


def _insert(conn: Connection, table, frame: pd.DataFrame, snapshot_id: int) -> None:
    """Insert the frame's rows into ``table`` with one DB-API ``executemany``.

    The statement is compiled once for the connection's dialect and the rows go
    straight to the driver (PostgreSQL through psycopg: ``COPY``): SQLAlchemy's
    per-row parameter processing would otherwise cost about half a second per
    1,000 projects.
    """
    if frame.empty:
        return
    columns = [c.name for c in table.columns if c.name != "snapshot_id"]
    sqlite = conn.dialect.name == "sqlite"
    arrays = [[snapshot_id] * len(frame)] + _columns(frame, columns, dates_as_text=sqlite)
    keys = ["snapshot_id", *columns]
    if conn.dialect.driver == "psycopg":  # PostgreSQL: COPY, in the same transaction
        with conn.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(keys)}) FROM STDIN") as copy:
                for row in zip(*arrays):
                    copy.write_row(row)
        return
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=keys)
    if compiled.positional:
        order = [keys.index(k) for k in compiled.positiontup]
        rows = [tuple(row[i] for i in order) for row in zip(*arrays)]
    else:
        rows = [dict(zip(keys, row)) for row in zip(*arrays)]
    conn.exec_driver_sql(str(compiled), rows)


class HistoryStore:
    """An open snapshot store (see the module docstring)."""

    def __init__(self, engine: Engine, shown: str):
        self.engine = engine
        self.shown = shown
        self.version: int | None = None

    @contextmanager
    def _transaction(self):
        """A connection in one transaction: committed at the end, rolled back on any error."""
        driver_error = getattr(self.engine.dialect.loaded_dbapi, "Error", SQLAlchemyError)  # raised by COPY
        try:
            with self.engine.begin() as conn:
                yield conn
        except (SQLAlchemyError, driver_error) as exc:
            raise HistoryError(f"history database {self.shown}: {_first_line(exc)}") from None

    # --- identity ------------------------------------------------------------------------------
    def _latest_ids(self, conn: Connection, portfolio_id: int) -> set[str]:
        latest = (select(schema.snapshots.c.id).where(schema.snapshots.c.portfolio_id == portfolio_id)
                  .order_by(schema.snapshots.c.status_date.desc()).limit(1)).scalar_subquery()
        rows = conn.execute(select(schema.project_rows.c.project_id)
                            .where(schema.project_rows.c.snapshot_id == latest))
        return {r[0] for r in rows}

    def _resolve(self, conn: Connection, name: str, project_ids: set[str]) -> tuple[int | None, str, str | None]:
        """``(portfolio id or None if new, key, note)`` of the series a run of ``name`` belongs to."""
        if self.version is None:
            return None, name, None
        rows = conn.execute(select(schema.portfolios.c.id, schema.portfolios.c.key)
                            .where(schema.portfolios.c.name == name).order_by(schema.portfolios.c.id)).all()
        best, best_share, shared_count = None, -1.0, 0
        for pid, key in rows:
            ids = self._latest_ids(conn, pid)
            common, share = len(ids & project_ids), project_share(project_ids, ids)
            if share > best_share:
                best, best_share, shared_count = (pid, key), share, common
        if best is not None and best_share >= SAME_PORTFOLIO_SHARE:
            return best[0], best[1], None
        key = name
        if rows:
            key = f"{name} [{hashlib.sha256(chr(0).join(sorted(project_ids)).encode()).hexdigest()[:8]}]"
            existing = [pid for pid, k in rows if k == key]
            if existing:
                return existing[0], key, None
            note = (f"the history database already holds a portfolio named {name!r} with other projects "
                    f"({shared_count} of this run's {len(project_ids)} shared); this run keeps its own series "
                    f"{key!r}")
            return None, key, note
        return None, key, None

    def series_key(self, name: str, project_ids) -> tuple[str, str | None]:
        """The series a run of portfolio ``name`` with these projects reads and writes, and a note if it is new."""
        with self._transaction() as conn:
            _, key, note = self._resolve(conn, name, set(map(str, project_ids)))
        return key, note

    # --- writing -------------------------------------------------------------------------------
    def write(self, snapshot: Snapshot) -> WriteResult:
        """Keep ``snapshot`` in one transaction, replacing the same portfolio and status date."""
        return self.write_many([snapshot])[0]

    def write_many(self, snapshots: list[Snapshot]) -> list[WriteResult]:
        """Keep every snapshot in ONE transaction (all or none), each replacing its portfolio and date."""
        if self.version is None:
            raise HistoryError(f"history database {self.shown} was opened read-only")
        with self._transaction() as conn:
            return [self._write(conn, snapshot) for snapshot in snapshots]

    def _write(self, conn: Connection, snapshot: Snapshot) -> WriteResult:
        pid, key, note = self._resolve(conn, snapshot.portfolio_name, snapshot.project_ids)
        if pid is None:
            pid = conn.execute(schema.portfolios.insert().values(
                key=key, name=snapshot.portfolio_name, created_at=_now())).inserted_primary_key[0]
        old = conn.execute(select(schema.snapshots.c.id).where(
            schema.snapshots.c.portfolio_id == pid,
            schema.snapshots.c.status_date == snapshot.status_date)).scalar_one_or_none()
        if old is not None:
            for table in schema.CHILD_TABLES:
                conn.execute(delete(table).where(table.c.snapshot_id == old))
            conn.execute(delete(schema.snapshots).where(schema.snapshots.c.id == old))
        sid = conn.execute(schema.snapshots.insert().values(
            portfolio_id=pid, status_date=snapshot.status_date, written_at=_now(),
            source=snapshot.source[:1000], data_fingerprint=snapshot.data_fingerprint,
            projects=len(snapshot.projects))).inserted_primary_key[0]
        for name, table in _TABLES.items():
            _insert(conn, table, getattr(snapshot, name), sid)
        return WriteResult(key, old is not None, note)

    # --- reading -------------------------------------------------------------------------------
    def portfolios(self) -> pd.DataFrame:
        """``portfolio, name, snapshots, first, last``: every series in the store."""
        columns = ["portfolio", "name", "snapshots", "first", "last"]
        if self.version is None:
            return pd.DataFrame(columns=columns)
        s, p = schema.snapshots, schema.portfolios
        query = (select(p.c.key, p.c.name, func.count(s.c.id), func.min(s.c.status_date), func.max(s.c.status_date))
                 .select_from(p.outerjoin(s, s.c.portfolio_id == p.c.id)).group_by(p.c.id, p.c.key, p.c.name)
                 .order_by(p.c.key))
        with self._transaction() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("first", "last"):
            frame[column] = frame[column].map(lambda d: d.isoformat() if hasattr(d, "isoformat") else d)
        return frame

    def dates(self, portfolio_key: str) -> list[dt.date]:
        """The status dates stored for one series, oldest first."""
        if self.version is None:
            return []
        s, p = schema.snapshots, schema.portfolios
        with self._transaction() as conn:
            rows = conn.execute(select(s.c.status_date).join(p, s.c.portfolio_id == p.c.id)
                                .where(p.c.key == portfolio_key).order_by(s.c.status_date)).all()
        return [r[0] for r in rows]

    def read_series(self, portfolio_key: str, *, before: dt.date | None = None,
                    periods: int | None = None) -> TrendHistory:
        """The stored snapshots of one series (those before ``before``; the newest ``periods``)."""
        history = TrendHistory(portfolio_key)
        if self.version is None:
            return history
        s, p = schema.snapshots, schema.portfolios
        query = select(s.c.id, s.c.status_date).join(p, s.c.portfolio_id == p.c.id).where(p.c.key == portfolio_key)
        if before is not None:
            query = query.where(s.c.status_date < before)
        query = query.order_by(s.c.status_date.desc())
        if periods:
            query = query.limit(periods)
        with self._transaction() as conn:
            chosen = dict(conn.execute(query).all())
            if not chosen:
                return history
            parts = {}
            for name, table in _TABLES.items():
                rows = conn.execute(select(table).where(table.c.snapshot_id.in_(list(chosen)))).mappings().all()
                frame = pd.DataFrame(rows, columns=[c.name for c in table.columns])
                frame["status_date"] = frame["snapshot_id"].map(chosen)
                parts[name] = normalise(frame, name)
        return TrendHistory(portfolio_key, **parts)

    def export_frame(self, portfolio: str | None = None) -> pd.DataFrame:
        """One row per portfolio, status date and project: ``status_date, project_id``, then the metrics columns.

        Raises
        ------
        HistoryError
            ``portfolio`` is not in the store, or the store holds several and none was named.
        """
        known = self.portfolios()
        if portfolio is None:
            if len(known) > 1:
                raise HistoryError(f"the history database holds {len(known)} portfolios "
                                   f"({', '.join(known['portfolio'])}); name one with --portfolio")
            if known.empty:
                return pd.DataFrame(columns=["status_date", *schema.PROJECT_COLUMNS])
            portfolio = known["portfolio"].iloc[0]
        elif portfolio not in set(known["portfolio"]):
            raise HistoryError(f"portfolio {portfolio!r} is not in the history database "
                               f"({', '.join(known['portfolio']) or 'it is empty'})")
        frame = self.read_series(portfolio).projects
        columns = ["status_date", "project_id"] + [c for c in schema.PROJECT_COLUMNS if c != "project_id"]
        frame = frame.sort_values(["status_date", "project_id"], kind="stable")
        return frame[columns].reset_index(drop=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
