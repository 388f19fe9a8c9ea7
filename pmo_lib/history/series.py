"""A portfolio's series of snapshots, as the report pages read it for trends.

:class:`TrendHistory` holds the stored periods (up to the run's status date)
and the run's own snapshot, long form with a ``status_date`` column per table.
Everything here is in memory and pure; :mod:`pmo_lib.history.store` reads it
from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pmo_lib.history.schema import MILESTONE_COLUMNS, PROJECT_COLUMNS, RISK_COLUMNS, ROLLUP_COLUMNS
from pmo_lib.history.snapshot import Snapshot

FRAMES = {"projects": PROJECT_COLUMNS + ("rag_reason",), "milestones": MILESTONE_COLUMNS,
          "risks": RISK_COLUMNS, "rollups": ROLLUP_COLUMNS}
DATE_FIELDS = ("planned_start", "planned_finish", "forecast_finish", "baseline_finish", "actual_finish")


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=["status_date", *FRAMES[name]])


def normalise(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``status_date`` first, the table's columns in order, dates as Timestamps, sorted by date."""
    out = frame.reindex(columns=["status_date", *FRAMES[name]]).copy()
    for column in ("status_date", *DATE_FIELDS):
        if column in out:
            out[column] = pd.to_datetime(out[column], errors="coerce")
    return out.sort_values("status_date", kind="stable").reset_index(drop=True)


@dataclass
class TrendHistory:
    """Snapshots of one portfolio over time (oldest first).

    Attributes
    ----------
    portfolio_key : str
        The series' identity in the store (docs/history.md, "Portfolio identity").
    projects, milestones, risks, rollups : DataFrame
        The snapshot tables with a leading ``status_date`` column.
    note : str or None
        Why this run keeps its own series, when its portfolio differs from the store's.

    Examples
    --------
    >>> snap = Snapshot("Demo", pd.Timestamp("2026-01-09").date(),
    ...                 pd.DataFrame({"project_id": ["P1"], "spi": [0.9]}))
    >>> history = TrendHistory("Demo").with_snapshot(snap)
    >>> history.periods, history.project("P1")["spi"].tolist()
    (1, [0.9])
    """

    portfolio_key: str
    projects: pd.DataFrame = field(default_factory=lambda: _empty("projects"))
    milestones: pd.DataFrame = field(default_factory=lambda: _empty("milestones"))
    risks: pd.DataFrame = field(default_factory=lambda: _empty("risks"))
    rollups: pd.DataFrame = field(default_factory=lambda: _empty("rollups"))
    note: str | None = None

    @property
    def dates(self) -> list[pd.Timestamp]:
        """The status dates held, oldest first."""
        dates = pd.concat([self.projects["status_date"], self.rollups["status_date"]]).dropna().unique()
        return sorted(pd.Timestamp(d) for d in dates)

    @property
    def periods(self) -> int:
        return len(self.dates)

    def with_snapshot(self, snapshot: Snapshot) -> TrendHistory:
        """This history with ``snapshot`` added (replacing a stored period of the same date)."""
        stamp = pd.Timestamp(snapshot.status_date)
        parts = {}
        for name in FRAMES:
            own = getattr(snapshot, name).assign(status_date=stamp)
            kept = getattr(self, name)
            kept = kept[pd.to_datetime(kept["status_date"]) != stamp]
            frames = [f for f in (kept, own) if len(f)]
            parts[name] = normalise(pd.concat(frames, ignore_index=True) if frames else own, name)
        return TrendHistory(self.portfolio_key, note=self.note, **parts)

    def filled_from(self, other: TrendHistory | None, *, before=None) -> TrendHistory:
        """This history plus the periods of ``other`` (before ``before``) that it does not hold itself."""
        if other is None:
            return self
        mine = set(self.dates)
        limit = pd.Timestamp(before) if before is not None else None
        parts = {}
        for name in FRAMES:
            theirs = getattr(other, name)
            dates = pd.to_datetime(theirs["status_date"])
            keep = ~dates.isin(mine) & (dates < limit if limit is not None else True)
            frames = [f for f in (getattr(self, name), theirs[keep]) if len(f)]
            parts[name] = normalise(pd.concat(frames, ignore_index=True), name) if frames else getattr(self, name)
        return TrendHistory(self.portfolio_key, note=self.note, **parts)

    def last(self, periods: int) -> TrendHistory:
        """Only the newest ``periods`` status dates."""
        keep = set(self.dates[-periods:]) if periods > 0 else set()
        parts = {name: getattr(self, name)[getattr(self, name)["status_date"].isin(keep)].reset_index(drop=True)
                 for name in FRAMES}
        return TrendHistory(self.portfolio_key, note=self.note, **parts)

    def project(self, project_id: str) -> pd.DataFrame:
        """One project's rows, oldest first."""
        return self.projects[self.projects["project_id"] == project_id].reset_index(drop=True)

    def rollup(self, level: str, name: str | None = None) -> pd.DataFrame:
        """The program (``level="program"``, by ``name``) or portfolio roll-up rows, oldest first."""
        rows = self.rollups[self.rollups["level"] == level]
        if name is not None:
            rows = rows[rows["name"] == name]
        return rows.reset_index(drop=True)
