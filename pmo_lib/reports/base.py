"""What every report view shares: the analysis, the currency, the previous run."""

from __future__ import annotations

import functools
import inspect

import pandas as pd

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.formatting import format_date, format_days, format_money, format_ratio, is_missing
from pmo_lib.metrics.rollup import portfolio_totals
from pmo_lib.rag import normalize_rag
from pmo_lib.reports.html import HtmlFragment, Tile
from pmo_lib.reports.tables import table

RAG_DIMENSIONS = {"schedule": "schedule_rag", "cost": "cost_rag", "milestones": "milestone_rag",
                  "risks": "risk_rag", "issues": "issue_rag"}


def combine(*parts) -> HtmlFragment:
    """One fragment showing several fragments or charts in order.

    Examples
    --------
    >>> combine(HtmlFragment("<p>a</p>", "a"), HtmlFragment("<p>b</p>", "b")).html
    '<p>a</p><p>b</p>'
    """
    html = "".join(p._repr_html_() for p in parts if p is not None)
    text = "\n".join(repr(p) for p in parts if p is not None)
    return HtmlFragment(html, text)


def _named_output(name: str, method):
    """Wrap a view method so that what it returns carries its section name in the output metadata."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        result = method(*args, **kwargs)
        named = getattr(result, "named", None)
        return named(section=name) if callable(named) else result

    return wrapper


class ReportView:
    """Base of the project, program and portfolio views.

    Every public method a view defines returns one notebook output; its name
    travels with that output as metadata (``{"pmo": {"section": "kpis"}}``),
    and the header's output also carries the overall ``rag``. The mail
    composer (:mod:`pmo_lib.mail.compose`) picks sections by these names.

    Parameters
    ----------
    analysis : PortfolioAnalysis
        The portfolio's metrics as of the status date.
    previous : DataFrame, optional
        The metrics table of the previous run, for trends.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(cls, name, _named_output(name, value))

    def __init__(self, analysis: PortfolioAnalysis, *, previous: pd.DataFrame | None = None):
        self.analysis = analysis
        self.previous = previous
        self.currency = analysis.params.currency

    @property
    def status_date(self):
        return self.analysis.status_date

    def money(self, value, *, compact: bool = False) -> str:
        return format_money(value, self.currency, compact=compact)

    def table(self, frame: pd.DataFrame, **options) -> HtmlFragment:
        """:func:`pmo_lib.reports.tables.table` in the run's currency."""
        return table(frame, currency=self.currency, **options)

    def previous_row(self, project_ids) -> pd.DataFrame | None:
        """Rows of the previous metrics table for these projects, or None."""
        if self.previous is None or "project_id" not in self.previous:
            return None
        rows = self.previous[self.previous["project_id"].astype(str).isin(list(project_ids))]
        return rows if len(rows) else None

    def previous_totals(self, project_ids=None) -> dict | None:
        """SPI, CPI and their RAGs of the previous run, recomputed from the sums of these projects."""
        if self.previous is None:
            return None
        rows = self.previous if project_ids is None else self.previous_row(project_ids)
        if rows is None or not len(rows) or not {"bac", "ev", "pv", "ac", "eac"} <= set(rows.columns):
            return None
        totals = self.analysis.with_rags(portfolio_totals(rows, label="previous")).iloc[0]
        return {"spi": totals["spi"], "cpi": totals["cpi"], "schedule": totals["schedule_rag"],
                "cost": totals["cost_rag"], "overall": totals["overall_rag"]}

    def index_tile(self, label: str, value, *, previous=None, rag=None) -> Tile:
        """A ratio tile with its RAG and the change since the previous run."""
        sub, trend = None, None
        if previous is not None and not is_missing(previous):
            sub = f"was {format_ratio(previous)}"
            if not is_missing(value):
                trend = "up" if value > previous + 1e-9 else "down" if value < previous - 1e-9 else "flat"
        return Tile(label, format_ratio(value), sub=sub, rag=rag, trend=trend)

    def finish_tile(self, planned, forecast) -> Tile:
        """Planned vs forecast finish, with the slip in days."""
        sub = f"planned {format_date(planned)}"
        if not is_missing(planned) and not is_missing(forecast):
            slip = (pd.Timestamp(forecast) - pd.Timestamp(planned)).days
            sub += f" ({format_days(slip)})"
        rag = None
        if not is_missing(planned) and not is_missing(forecast):
            rag = "green" if pd.Timestamp(forecast) <= pd.Timestamp(planned) else "amber"
        return Tile("Forecast finish", format_date(forecast), sub=sub, rag=rag)

    @staticmethod
    def rag_changes(now: pd.Series, before: pd.Series | None) -> dict:
        """Previous RAG per dimension, for the header's "was AMBER" notes."""
        if before is None:
            return {}
        changes = {"overall": before.get("overall_rag")}
        for key, column in RAG_DIMENSIONS.items():
            if column in before and not is_missing(before[column]):
                changes[key] = normalize_rag(before[column])
        return {k: v for k, v in changes.items() if isinstance(v, str)}
