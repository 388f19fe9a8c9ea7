"""The tables of the snapshot store (SQLAlchemy Core), and the columns each holds.

One row in ``snapshots`` per portfolio and status date; the rows of the other
tables hang off it by ``snapshot_id``. Project rows carry every column of the
metrics table (docs/metrics.md) as a typed column, in the documented order;
columns a later version adds to the metrics table travel in ``extra`` (JSON)
until a migration gives them a column of their own. docs/history.md describes
every table.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from pmo_lib.metrics.table import EXTRA_COLUMNS, METRICS_COLUMNS

SCHEMA_VERSION = 1
"""The version of the tables below; :mod:`pmo_lib.history.migrations` brings older stores up to it."""

TEXT_COLUMNS = frozenset({"project_id", "name", "program", "schedule_rag", "cost_rag", "overall_rag", "status",
                          "manager_rag", "milestone_rag", "risk_rag", "issue_rag"})
DATE_COLUMNS = frozenset({"planned_start", "planned_finish", "forecast_finish"})
BOOL_COLUMNS = frozenset({"watermelon"})

PROJECT_COLUMNS = tuple(METRICS_COLUMNS) + tuple(EXTRA_COLUMNS) + ("milestone_rag", "risk_rag", "issue_rag")
"""The metrics columns kept per project and period, in the metrics table's documented order."""

MILESTONE_COLUMNS = ("project_id", "task_id", "name", "baseline_finish", "forecast_finish", "actual_finish")
RISK_COLUMNS = ("project_id", "risk_id", "title", "status", "probability", "impact", "score", "exposure",
                "cost_impact", "schedule_impact_days")
ROLLUP_COLUMNS = ("level", "name", "projects", "bac", "pv", "ev", "ac", "eac", "etc", "spi", "cpi",
                  "schedule_rag", "cost_rag", "overall_rag", "red", "amber", "green", "grey")

metadata = MetaData()

schema_info = Table(
    "pmo_schema", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

portfolios = Table(
    "pmo_portfolios", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)

snapshots = Table(
    "pmo_snapshots", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("portfolio_id", Integer, ForeignKey("pmo_portfolios.id"), nullable=False),
    Column("status_date", Date, nullable=False),
    Column("written_at", String(40), nullable=False),
    Column("source", String(1000), nullable=False),
    Column("data_fingerprint", String(64), nullable=True),
    Column("projects", Integer, nullable=False),
    UniqueConstraint("portfolio_id", "status_date", name="uq_pmo_snapshot_date"),
)


def _metric_column(name: str) -> Column:
    if name in TEXT_COLUMNS:
        return Column(name, Text)
    if name in DATE_COLUMNS:
        return Column(name, Date)
    if name in BOOL_COLUMNS:
        return Column(name, Boolean)
    return Column(name, Float)


project_rows = Table(
    "pmo_project_snapshots", metadata,
    Column("snapshot_id", Integer, ForeignKey("pmo_snapshots.id"), primary_key=True),
    Column("project_id", String(64), primary_key=True),
    *[_metric_column(c) for c in PROJECT_COLUMNS if c != "project_id"],
    Column("rag_reason", Text),
    Column("extra", Text),
)

def _rows_of_a_snapshot(name: str, index: str, *columns: Column) -> Table:
    """A table of rows belonging to one snapshot: ``snapshot_id``, then ``columns``, indexed by snapshot."""
    return Table(name, metadata, Column("snapshot_id", Integer, ForeignKey("pmo_snapshots.id"), nullable=False),
                 *columns, Index(index, "snapshot_id"))


milestone_rows = _rows_of_a_snapshot(
    "pmo_milestone_snapshots", "ix_pmo_milestone_snapshot",
    Column("project_id", Text, nullable=False),
    Column("task_id", Text, nullable=False),
    Column("name", Text),
    Column("baseline_finish", Date),
    Column("forecast_finish", Date),
    Column("actual_finish", Date),
)

risk_rows = _rows_of_a_snapshot(
    "pmo_risk_snapshots", "ix_pmo_risk_snapshot",
    Column("project_id", Text, nullable=False),
    Column("risk_id", Text, nullable=False),
    Column("title", Text),
    Column("status", Text),
    Column("probability", Float),
    Column("impact", Float),
    Column("score", Float),
    Column("exposure", Float),
    Column("cost_impact", Float),
    Column("schedule_impact_days", Float),
)

rollup_rows = _rows_of_a_snapshot(
    "pmo_rollup_snapshots", "ix_pmo_rollup_snapshot",
    Column("level", String(20), nullable=False),
    Column("name", Text, nullable=False),
    *[Column(c, Integer) for c in ("projects",)],
    *[Column(c, Float) for c in ("bac", "pv", "ev", "ac", "eac", "etc", "spi", "cpi")],
    *[Column(c, Text) for c in ("schedule_rag", "cost_rag", "overall_rag")],
    *[Column(c, Integer) for c in ("red", "amber", "green", "grey")],
)

CHILD_TABLES = (project_rows, milestone_rows, risk_rows, rollup_rows)
"""The tables whose rows belong to one snapshot (deleted with it when a status date is re-run)."""
