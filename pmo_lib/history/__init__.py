"""Every run kept in a database: snapshots per status date, read back as trends (docs/history.md).

``history.sqlite`` in the output root by default; any SQLAlchemy URL through
``--history-db`` or ``PMO_HISTORY_DB`` (PostgreSQL through psycopg).
"""

from pmo_lib.history.series import TrendHistory
from pmo_lib.history.snapshot import Snapshot, snapshot_from_analysis, snapshot_from_metrics
from pmo_lib.history.store import HistoryStore, history_url, open_store, shown_url, sqlite_url

__all__ = ["HistoryStore", "Snapshot", "TrendHistory", "history_url", "open_store", "shown_url",
           "snapshot_from_analysis", "snapshot_from_metrics", "sqlite_url"]
