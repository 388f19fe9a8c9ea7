"""The forecast ranges on a project page: P50/P80 finish and cost by both methods, and the risks behind P80."""

from __future__ import annotations

import math

import pandas as pd

from pmo_lib.formatting import format_date
from pmo_lib.metrics.forecast import ForecastRange, monte_carlo_forecast, statistical_forecast
from pmo_lib.reports.base import combine
from pmo_lib.reports.html import HtmlFragment, note
from pmo_lib.reports.slices import rows_of

MINIMUM_SNAPSHOTS = 6
DRAWS = 10_000
SEED = 13


def _percent(value: float) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"


def project_forecast(view, project_id: str, history_rows: pd.DataFrame | None) -> HtmlFragment:
    """P50/P80 of finish and cost at completion: Monte Carlo always, the statistical method from 6 snapshots."""
    r = view.row
    portfolio = view.analysis.portfolio
    tasks = rows_of(portfolio.tasks, project_id)
    if tasks.empty:
        return note("No tasks: no forecast range.")
    risks = rows_of(portfolio.risks, project_id) if portfolio.has("risks") else None
    if risks is not None:
        risks = risks[risks["raised_date"].isna() | (risks["raised_date"] <= pd.Timestamp(view.status_date))]
    ranges: list[ForecastRange] = [monte_carlo_forecast(
        tasks, risks, status_date=view.status_date, ac=float(r["ac"]) if pd.notna(r["ac"]) else 0.0,
        bac=float(r["bac"]), planned_finish=r["planned_finish"], cpi=r["cpi"], spi_t=r["spi_t"], draws=DRAWS,
        seed=SEED)]
    rows = history_rows if history_rows is not None else pd.DataFrame()
    statistical = statistical_forecast(rows, minimum=MINIMUM_SNAPSHOTS) if len(rows) else None
    if statistical is not None:
        ranges.insert(0, statistical)
    frame = pd.DataFrame({
        "method": [f.method.capitalize() for f in ranges],
        "basis": [f.basis for f in ranges],
        "finish_p50": [f.finish_p50 for f in ranges], "finish_p80": [f.finish_p80 for f in ranges],
        "cost_p50": [f.cost_p50 for f in ranges], "cost_p80": [f.cost_p80 for f in ranges],
        "p_finish": [_percent(f.p_finish) for f in ranges], "p_budget": [_percent(f.p_budget) for f in ranges],
    })
    parts = [view.table(frame, money=["cost_p50", "cost_p80"], dates=["finish_p50", "finish_p80"],
                        labels={"method": "Method", "basis": "Rests on", "finish_p50": "Finish P50",
                                "finish_p80": "Finish P80", "cost_p50": "Cost P50", "cost_p80": "Cost P80",
                                "p_finish": f"Finish by {format_date(r['planned_finish'])}",
                                "p_budget": "Within BAC"},
                        caption="Forecast ranges: P50 is as likely to be beaten as not, P80 is met 4 times in 5")]
    if statistical is None:
        parts.append(note(f"The statistical range needs {MINIMUM_SNAPSHOTS} reports of history; "
                          f"{len(rows)} so far."))
    drivers = ranges[-1].risk_drivers
    drivers = drivers[(drivers["p80_cost_shift"] > 0) | (drivers["p80_finish_shift_days"] > 0)].head(3)
    if len(drivers):
        parts.append(view.table(drivers.assign(p80_finish_shift_days=drivers["p80_finish_shift_days"].round()),
                                money=["p80_cost_shift"], days=["p80_finish_shift_days"],
                                labels={"risk_id": "Risk", "title": "Title", "p80_cost_shift": "Moves cost P80 by",
                                        "p80_finish_shift_days": "Moves finish P80 by"},
                                caption="The open risks that move P80 most (Monte Carlo)"))
    return combine(*parts)
