"""Schema versions of the snapshot store: create a new store, upgrade an old one, refuse a newer one.

A plain scheme, no Alembic: the table ``pmo_schema`` holds ``schema_version``.
A new (empty) store gets every table of :mod:`pmo_lib.history.schema` at
:data:`~pmo_lib.history.schema.SCHEMA_VERSION`. A store at an older version is
brought up by running :data:`MIGRATIONS` ``[v]`` for every ``v`` above its
version, in order, in the same transaction as the version stamp, so a
failed upgrade leaves the store as it was. A store written by a newer
pmo-reports is refused. Each migration is a list of SQL statements a DBA can
read (docs/history.md lists them).
"""

from __future__ import annotations

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

import pmo_lib.history.schema as schema
from pmo_lib.errors import HistoryError

MIGRATIONS: dict[int, list[str]] = {}
"""``{version: [SQL, ...]}``: the statements that take a store from ``version - 1`` to ``version``."""

VERSION_KEY = "schema_version"


def store_version(conn: Connection) -> int | None:
    """The schema version of the store behind ``conn``; None for an empty database.

    Raises
    ------
    HistoryError
        The database holds some of the store's tables but no version stamp.
    """
    names = set(inspect(conn).get_table_names())
    ours = {t.name for t in schema.metadata.sorted_tables}
    if schema.schema_info.name not in names:
        if names & ours:
            raise HistoryError("the history database has pmo-reports tables but no schema version; "
                               "it was not made by pmo-reports")
        return None
    row = conn.execute(select(schema.schema_info.c.value)
                       .where(schema.schema_info.c.key == VERSION_KEY)).scalar_one_or_none()
    try:
        return int(row)
    except (TypeError, ValueError):
        raise HistoryError(f"the history database has no readable schema version ({row!r})") from None


def prepare_schema(conn: Connection, *, write: bool) -> int | None:
    """Check the store's version; when ``write``, create or upgrade it to the current version.

    Parameters
    ----------
    conn : Connection
        A connection inside the caller's transaction.
    write : bool
        False for the read-only commands (list, export): they change nothing and
        refuse a store that needs an upgrade.

    Returns
    -------
    int or None
        The version now in force; None for an empty database opened read-only.

    Raises
    ------
    HistoryError
        The store is newer than this pmo-reports, or older and opened read-only.
    """
    version = store_version(conn)
    current = schema.SCHEMA_VERSION
    if version is not None and version > current:
        raise HistoryError(f"the history database has schema version {version}, newer than this pmo-reports "
                           f"understands ({current}); upgrade pmo-reports")
    if version == current or (version is None and not write):
        return version
    if not write:
        raise HistoryError(f"the history database has schema version {version}, older than {current}; "
                           "run `pmo-report history upgrade --db URL` first")
    if version is None:
        schema.metadata.create_all(conn)
        conn.execute(schema.schema_info.insert().values(key=VERSION_KEY, value=str(current)))
        return current
    for step in range(version + 1, current + 1):
        for statement in MIGRATIONS[step]:
            conn.execute(text(statement))
    conn.execute(schema.schema_info.update().where(schema.schema_info.c.key == VERSION_KEY)
                 .values(value=str(current)))
    return current
