"""What a run does with the store: read the earlier periods before the reports, write its own after.

:func:`read_trends` runs before any report (an unreadable store stops the run
before anything is written); :func:`record_run` runs once, after a successful
run, and writes the run's snapshot in one transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pmo_lib.errors import HistoryError
from pmo_lib.history.files import HISTORY_FOLDER, read_history_files
from pmo_lib.history.series import TrendHistory
from pmo_lib.history.snapshot import snapshot_from_analysis
from pmo_lib.history.store import WriteResult, make_url, open_store

log = logging.getLogger("pmo_lib.run")


def _sqlite_missing(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file()


def read_trends(url: str | None, analysis, *, periods: int, data: Path | None = None) -> TrendHistory:
    """The run's trend series: up to ``periods - 1`` stored periods before its status date, then its own.

    Periods the store lacks come from the data folder's own ``history/``
    (:mod:`pmo_lib.history.files`), when it has one.

    Parameters
    ----------
    url : str or None
        The store (None: no store, the run's own period only).
    analysis : PortfolioAnalysis
        The run's analysis; its snapshot becomes the newest period.
    periods : int
        How many periods the pages show (``windows.trend_periods``).
    data : Path, optional
        The portfolio folder (its ``history/`` folder is read).

    Raises
    ------
    HistoryError
        The store cannot be read (bad URL, unreachable, wrong schema version).
    """
    name = analysis.params.portfolio_name
    history = TrendHistory(name)
    if url is not None:
        try:
            missing = _sqlite_missing(url)
        except Exception:  # a malformed URL: open_store says why, in one line
            missing = False
        if not missing:
            store = open_store(url, write=False)
            key, note = store.series_key(name, analysis.metrics["project_id"])
            if note:
                log.warning("history: %s", note)
            history = store.read_series(key, before=analysis.status_date, periods=max(periods - 1, 0))
            history.note = note
    if data is not None and Path(data).is_dir():
        carried = read_history_files(Path(data) / HISTORY_FOLDER, key=history.portfolio_key)
        history = history.filled_from(carried, before=analysis.status_date)
    return history.with_snapshot(snapshot_from_analysis(analysis)).last(periods)


def record_run(url: str | None, analysis, *, source: str, data_fingerprint: str | None) -> WriteResult | None:
    """Write the run's snapshot (one transaction; replaces the same status date). None when there is no store.

    Raises
    ------
    HistoryError
        The store cannot be written; it is left as it was.
    """
    if url is None:
        return None
    store = open_store(url, write=True)
    result = store.write(snapshot_from_analysis(analysis, source=source, data_fingerprint=data_fingerprint))
    verb = "replaced" if result.replaced else "wrote"
    log.info("history: %s the snapshot of %s for %s in %s", verb, analysis.status_date, result.portfolio_key,
             store.shown)
    return result


__all__ = ["HistoryError", "read_trends", "record_run"]
