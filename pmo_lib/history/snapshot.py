"""One period's snapshot of a portfolio: what the store keeps per status date.

A :class:`Snapshot` is built from the metrics table (and, in a run, the
milestones and risk register of the analysis) by pure functions: per project
every metrics column and the RAG with its reason, per milestone its baseline
and forecast/actual date, per risk its score and exposure, per program and
for the portfolio the roll-ups (sums, indices recomputed from the sums, RAG
and red/amber/green/grey counts).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"project_id": ["P1", "P2"], "program": ["Core", "Core"],
...     "bac": [100.0, 100.0], "pv": [50.0, 50.0], "ev": [40.0, 50.0], "ac": [50.0, 50.0],
...     "eac": [125.0, 100.0], "schedule_rag": ["red", "green"], "cost_rag": ["red", "green"],
...     "overall_rag": ["red", "green"], "spi": [0.8, 1.0], "cpi": [0.8, 1.0]})
>>> snap = snapshot_from_metrics(table, portfolio_name="Demo", status_date="2026-01-09")
>>> snap.rollups[["level", "name", "spi", "red", "green", "overall_rag"]].values.tolist()
[['program', 'Core', 0.9, 1, 1, 'amber'], ['portfolio', 'Demo', 0.9, 1, 1, 'amber']]
>>> snap.projects.loc[0, "rag_reason"]
'schedule red (SPI 0.80), cost red (CPI 0.80)'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pmo_lib.history.schema import MILESTONE_COLUMNS, PROJECT_COLUMNS, RISK_COLUMNS, ROLLUP_COLUMNS
from pmo_lib.metrics.rollup import portfolio_totals, rollup
from pmo_lib.metrics.status import RagThresholds, rag_from_index
from pmo_lib.rag import worst_rag

REASON_DIMENSIONS = {"schedule_rag": ("schedule", "spi", "SPI"), "cost_rag": ("cost", "cpi", "CPI"),
                     "milestone_rag": ("milestones", None, None), "risk_rag": ("risks", None, None),
                     "issue_rag": ("issues", None, None)}


@dataclass
class Snapshot:
    """A portfolio as of one status date, as the store keeps it.

    Attributes
    ----------
    portfolio_name : str
    status_date : datetime.date
    projects : DataFrame
        :data:`~pmo_lib.history.schema.PROJECT_COLUMNS`, ``rag_reason`` and ``extra`` (JSON of other columns).
    milestones, risks, rollups : DataFrame
        Columns of :data:`~pmo_lib.history.schema.MILESTONE_COLUMNS`, ``RISK_COLUMNS``, ``ROLLUP_COLUMNS``.
    source : str
        The run folder (or file) the snapshot came from.
    data_fingerprint : str or None
        SHA-256 of the data files, as in the run's manifest.
    """

    portfolio_name: str
    status_date: dt.date
    projects: pd.DataFrame
    milestones: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(MILESTONE_COLUMNS)))
    risks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(RISK_COLUMNS)))
    rollups: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(ROLLUP_COLUMNS)))
    source: str = ""
    data_fingerprint: str | None = None

    @property
    def project_ids(self) -> set[str]:
        return set(self.projects["project_id"].astype(str))


def rag_reasons(metrics: pd.DataFrame) -> pd.Series:
    """Why each project has its overall RAG: the dimensions at that colour, with the index that set it.

    Grey projects (no figure to judge by) say so.
    """
    overall = metrics["overall_rag"].astype(str)
    if metrics.empty:
        return pd.Series("", index=metrics.index, dtype=object)
    parts = []
    for column, (word, index, label) in REASON_DIMENSIONS.items():
        if column not in metrics:
            continue
        hit = metrics[column].astype(str).eq(overall) & overall.ne("grey")
        text = word + " " + overall
        if index in metrics:
            value = pd.to_numeric(metrics[index], errors="coerce")
            text = text + value.map(lambda v, label=label: f" ({label} {v:.2f})" if np.isfinite(v) else "")
        parts.append(pd.Series(np.where(hit, text, ""), index=metrics.index))
    joined = (pd.concat(parts, axis=1).apply(lambda row: ", ".join(p for p in row if p), axis=1)
              if parts else pd.Series("", index=metrics.index))
    return joined.where(overall.ne("grey"), "no figures to judge by")


def _project_frame(metrics: pd.DataFrame) -> pd.DataFrame:
    frame = metrics.reset_index(drop=True)
    out = pd.DataFrame({c: frame[c] if c in frame else np.nan for c in PROJECT_COLUMNS})
    out["project_id"] = out["project_id"].astype(str)
    out["rag_reason"] = rag_reasons(frame) if "overall_rag" in frame else None
    others = [c for c in frame.columns if c not in PROJECT_COLUMNS]
    if others:
        extra = frame[others].astype(object).where(frame[others].notna(), None)
        out["extra"] = [json.dumps(r, default=str, ensure_ascii=False) for r in extra.to_dict("records")]
    else:
        out["extra"] = None
    return out


def _counts(rags: pd.Series, keys) -> pd.DataFrame:
    table = pd.crosstab(keys, rags.astype(str))
    return table.reindex(columns=["red", "amber", "green", "grey"], fill_value=0).astype("int64")


def rollup_frame(metrics: pd.DataFrame, *, portfolio_name: str,
                 thresholds: RagThresholds | None = None) -> pd.DataFrame:
    """Program and portfolio roll-ups of a metrics table: sums, indices, RAGs and RAG counts."""
    t = thresholds or RagThresholds()
    frame = metrics.reset_index(drop=True)
    programs = frame["program"].fillna("Unassigned").astype(str) if "program" in frame else \
        pd.Series("Unassigned", index=frame.index)
    parts = []
    if len(frame):
        by_program = rollup(frame, pd.DataFrame({"project_id": frame["project_id"], "program": programs}),
                            by="program")
        by_program = by_program.join(_counts(frame["overall_rag"], programs.rename("program")))
        by_program.insert(0, "level", "program")
        parts.append(by_program.rename_axis("name").reset_index())
    total = portfolio_totals(frame, label=portfolio_name)
    counts = _counts(frame["overall_rag"], pd.Series(portfolio_name, index=frame.index, name="name"))
    total = total.join(counts.reindex(total.index, fill_value=0))
    total.insert(0, "level", "portfolio")
    parts.append(total.rename_axis("name").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["schedule_rag"] = rag_from_index(out["spi"], green=t.spi_green, amber=t.spi_amber).to_numpy()
    out["cost_rag"] = rag_from_index(out["cpi"], green=t.cpi_green, amber=t.cpi_amber).to_numpy()
    out["overall_rag"] = worst_rag(out[["schedule_rag", "cost_rag"]]).to_numpy()
    for column in ("red", "amber", "green", "grey"):
        out[column] = out[column].fillna(0).astype("int64")
    return out[list(ROLLUP_COLUMNS)]


def snapshot_from_metrics(
    metrics: pd.DataFrame,
    *,
    portfolio_name: str,
    status_date,
    thresholds: RagThresholds | None = None,
    milestones: pd.DataFrame | None = None,
    risks: pd.DataFrame | None = None,
    source: str = "",
    data_fingerprint: str | None = None,
) -> Snapshot:
    """A snapshot from a metrics table (a run's ``metrics.csv`` or the analysis' table).

    Parameters
    ----------
    metrics : DataFrame
        One row per project with the metrics table's columns (docs/metrics.md).
    portfolio_name : str
    status_date : date or ISO str
    thresholds : RagThresholds, optional
        The run's SPI/CPI thresholds, for the roll-ups' RAG.
    milestones : DataFrame, optional
        :func:`pmo_lib.metrics.schedule.milestones` output.
    risks : DataFrame, optional
        :func:`pmo_lib.metrics.risk.risk_register` output.
    """
    status = pd.Timestamp(status_date).date()
    snap = Snapshot(portfolio_name, status, _project_frame(metrics),
                    rollups=rollup_frame(metrics, portfolio_name=portfolio_name, thresholds=thresholds),
                    source=source, data_fingerprint=data_fingerprint)
    if milestones is not None:
        snap.milestones = pd.DataFrame({c: milestones[c] if c in milestones else np.nan
                                        for c in MILESTONE_COLUMNS}).reset_index(drop=True)
    if risks is not None:
        snap.risks = pd.DataFrame({c: risks[c] if c in risks else np.nan for c in RISK_COLUMNS}).reset_index(drop=True)
    return snap


def snapshot_from_analysis(analysis, *, source: str = "", data_fingerprint: str | None = None) -> Snapshot:
    """The snapshot of a :class:`~pmo_lib.analysis.core.PortfolioAnalysis` (what a run writes)."""
    from pmo_lib.analysis.core import thresholds_from

    risks = analysis.risk_register if analysis.portfolio.has("risks") else None
    return snapshot_from_metrics(analysis.metrics, portfolio_name=analysis.params.portfolio_name,
                                 status_date=analysis.status_date, thresholds=thresholds_from(analysis.params),
                                 milestones=analysis.milestones, risks=risks, source=source,
                                 data_fingerprint=data_fingerprint)

