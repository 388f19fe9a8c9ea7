"""Reading a portfolio from an SQL database given as an SQLAlchemy URL.

``--data sqlite:///pmo.db`` or ``--data postgresql://user@host/pmo``: the database holds the
contract's tables or views under their own names (any case), or under the names a profile
gives (``tables: {tasks: {table: v_pmo_tasks}}``). Each table is read whole, turned into the
text a CSV export would hold (dates ISO, numbers as written, NULL empty), and validated like
a file. A row has no line, so problems name it by its key: ``tasks:P-101/T03:percent_complete``
(a table without a key: ``costs:#12:amount``, the 12th row read, in primary-key order where
the table has one).

The password of a URL is never shown: messages print the URL with it masked.
"""

from __future__ import annotations

import datetime as dt  # noqa: F401 - the doctests use it

import numpy as np
import pandas as pd

from pmo_lib.data.headers import normalize, suggest_table, table_for_name
from pmo_lib.data.profile import Profile
from pmo_lib.data.raw import RawTable, Source, cell_text, finish_table, header_problems, text_frame
from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.errors import DataSourceError, Problem


def masked(url: str) -> str:
    """The URL with its password hidden, for messages.

    Examples
    --------
    >>> masked("postgresql://pmo:s3cret@db.example/pmo")
    'postgresql://pmo:***@db.example/pmo'
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://..."


def _engine(url: str):
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    except ModuleNotFoundError:  # pragma: no cover - sqlalchemy is a dependency
        raise DataSourceError("reading a database needs SQLAlchemy: pip install sqlalchemy") from None
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DataSourceError(f"{masked(url)}: not a database URL (sqlite:///pmo.db, "
                              "postgresql://user@host/db)") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=f"postgresql+{_postgres_driver()}")
    try:
        return create_engine(parsed)
    except NoSuchModuleError:
        raise DataSourceError(f"{masked(url)}: SQLAlchemy knows no database '{parsed.drivername}'") from None
    except ModuleNotFoundError as exc:
        raise DataSourceError(f"{masked(url)}: the database driver '{exc.name}' is not installed: "
                              "pip install 'psycopg[binary]'") from None


def _postgres_driver() -> str:
    """psycopg (3) where it is installed, else SQLAlchemy's default (psycopg2)."""
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        return "psycopg2"
    return "psycopg"


def read_database(url: str, profile: Profile) -> Source:
    """Read every contract table or view of the database at ``url``.

    Raises
    ------
    DataSourceError
        The URL is not one SQLAlchemy reads, the driver is missing, the database cannot be
        reached, or a table the profile names does not exist. The password is never shown.
    """
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(url)
    shown = masked(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            names = list(inspector.get_table_names()) + list(inspector.get_view_names())
            by_table: dict[str, str] = {}
            for db_name in names:
                table = table_for_name(db_name)
                if table is not None and table not in by_table:
                    by_table[table] = db_name
            tables, labels, used = {}, {}, set()
            for name in TABLE_ORDER:
                wanted = profile.table(name).table
                db_name = _find(names, wanted, shown, name) if wanted else by_table.get(name)
                labels[name] = db_name or name
                if db_name is None:
                    continue
                order = _primary_key(inspector, db_name)
                frame = _select(connection, db_name, order)
                tables[name] = _raw_table(name, db_name, frame, profile)
                used.add(db_name)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        password = engine.url.password
        if password:
            reason = reason.replace(str(password), "***")
        raise DataSourceError(f"{shown}: the database cannot be read ({reason})") from None
    finally:
        engine.dispose()
    problems = [Problem(f"{shown}: table '{n}'", None, None, f"not read: did you mean '{suggest_table(n)}'? Name it "
                        f"{suggest_table(n)} or map it in a profile (table: ...)", severity="warning")
                for n in names if n not in used and suggest_table(n) is not None]
    return Source(tables, labels, problems)


def _find(names: list[str], wanted: str, shown: str, table: str) -> str:
    for db_name in names:
        if db_name == wanted or normalize(db_name) == normalize(wanted):
            return db_name
    raise DataSourceError(f"{shown}: no table or view '{wanted}' (named for table '{table}' in the profile)")


def _primary_key(inspector, db_name: str) -> list[str]:
    try:
        return list(inspector.get_pk_constraint(db_name).get("constrained_columns") or [])
    except NotImplementedError:  # pragma: no cover - views on some dialects
        return []


def _select(connection, db_name: str, order: list[str]) -> pd.DataFrame:
    from sqlalchemy import column, select, table

    query = select("*").select_from(table(db_name))
    if order:
        query = query.order_by(*(column(c) for c in order))
    return pd.read_sql_query(query, connection, coerce_float=False)


def _raw_table(name: str, db_name: str, frame: pd.DataFrame, profile: Profile) -> RawTable:
    header = [str(c).strip() for c in frame.columns]
    keep, problems = header_problems(header, db_name)
    columns = {header[i]: as_text(frame.iloc[:, i]) for i in keep}
    text = pd.DataFrame(columns) if columns else text_frame([], [])
    raw = RawTable(name, db_name, text.reset_index(drop=True), np.arange(1, len(text) + 1, dtype=np.int64),
                   [Problem(p.file, None, p.column, p.message) for p in problems])
    raw = finish_table(raw, profile.table(name))
    raw.problems = [Problem(p.file, None, p.column, p.message, p.value, p.severity) for p in raw.problems]
    key = [k for k in TABLES[name].key if k in raw.frame.columns]
    if key and len(key) == len(TABLES[name].key):
        keys = raw.frame[key[0]].str.strip()
        for part in key[1:]:
            keys = keys + "/" + raw.frame[part].str.strip()
        raw.keys = keys.to_numpy(dtype=object)
    else:
        raw.keys = np.array([f"#{i}" for i in range(1, len(raw.frame) + 1)], dtype=object)
    return raw


def as_text(values: pd.Series) -> pd.Series:
    """A database column as the text a CSV file would hold: ISO dates, plain numbers, NULL empty.

    Examples
    --------
    >>> as_text(pd.Series([dt.date(2026, 3, 2), None])).tolist()
    ['2026-03-02', '']
    >>> as_text(pd.Series([1250.0, None, 80.5])).tolist(), as_text(pd.Series([True, False])).tolist()
    (['1250', '', '80.5'], ['true', 'false'])
    """
    missing = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(values):
        text = values.map({True: "true", False: "false"})
    elif pd.api.types.is_float_dtype(values):
        whole = (values == np.floor(values)).fillna(False).to_numpy() & (values.abs() < 1e15).fillna(False).to_numpy()
        text = values.map(repr).where(~whole, values.fillna(0).astype("int64").astype(str))
    elif pd.api.types.is_integer_dtype(values):
        text = values.astype(str)
    else:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        text = values if kind in ("string", "empty") else values.map(cell_text)
    return pd.Series(np.where(missing, "", text.astype(str)), index=values.index, dtype=str)


