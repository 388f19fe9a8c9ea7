"""The trend sections of the pages: the run's history (docs/history.md) as charts and sentences.

Each view calls :func:`project_trends` or :func:`rollup_trends`. With one
period only, the section says so in one line. :func:`index_sentences` and
:func:`slip_sentences` are the trend sentences ("SPI has fallen for three
periods running, 0.97 → 0.88"), pure functions of the series.
"""

from __future__ import annotations

import math

import pandas as pd

from pmo_lib.charts import SMALL_HEIGHT, SMALL_WIDTH
from pmo_lib.charts.render import show_chart
from pmo_lib.charts.trends import (
    finish_drift,
    index_trend,
    milestone_trend,
    rag_counts_trend,
    rag_history,
    value_trend,
)
from pmo_lib.reports.html import HtmlFragment, gallery, note
from pmo_lib.reports.slices import rows_of

ONE_PERIOD = "Trends start with the next report: the history holds this period only."
_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten",
            11: "eleven", 12: "twelve"}
_SMALL = {"width": SMALL_WIDTH, "height": SMALL_HEIGHT}
"""The size of the trend pack's small multiples."""
RAG_ROWS = {"overall_rag": "Overall", "schedule_rag": "Schedule", "cost_rag": "Cost",
            "milestone_rag": "Milestones", "risk_rag": "Risks", "issue_rag": "Issues"}


def _count(n: int) -> str:
    return _NUMBERS.get(n, str(n))


def run_length(values: pd.Series, *, falling: bool) -> int:
    """How many periods in a row, up to the latest, the series moved in one direction (0 if the last did not).

    Examples
    --------
    >>> run_length(pd.Series([1.0, 0.97, 0.93, 0.88]), falling=True)
    3
    >>> run_length(pd.Series([0.9, 0.95, 0.93]), falling=False)
    0
    """
    steps = values.dropna().diff().dropna().to_numpy()[::-1]
    n = 0
    for step in steps:
        if (step < -1e-9) if falling else (step > 1e-9):
            n += 1
        else:
            break
    return n


def index_sentences(series: pd.DataFrame, *, indices=(("spi", "SPI"), ("cpi", "CPI"), ("spi_t", "SPI(t)")),
                    minimum: int = 2) -> list[str]:
    """Sentences for indices that fell (or rose) for ``minimum`` periods or more in a row, up to the latest.

    Examples
    --------
    >>> frame = pd.DataFrame({"spi": [1.0, 0.97, 0.93, 0.88], "cpi": [1.0, 1.0, 1.01, 1.03]})
    >>> index_sentences(frame)
    ['SPI has fallen for three periods running, 1.00 → 0.88.', 'CPI has risen for two periods running, 1.00 → 1.03.']
    """
    out = []
    for column, label in indices:
        if column not in series:
            continue
        values = pd.to_numeric(series[column], errors="coerce").dropna().reset_index(drop=True)
        for falling, verb in ((True, "fallen"), (False, "risen")):
            n = run_length(values, falling=falling)
            start = values.iloc[-n - 1] if n else math.nan  # the value before the first step of the run
            if n >= minimum and abs(round(values.iloc[-1], 2) - round(start, 2)) >= 0.01:  # a visible move
                out.append(f"{label} has {verb} for {_count(n)} periods running, {start:.2f} → {values.iloc[-1]:.2f}.")
    return out


def slip_sentences(milestones: pd.DataFrame, *, minimum: int = 2) -> list[str]:
    """Sentences for unfinished milestones whose forecast moved later in each of the last reports.

    Parameters
    ----------
    milestones : DataFrame
        ``status_date, task_id, name, forecast`` (forecast or actual finish per report).

    Examples
    --------
    >>> frame = pd.DataFrame({"status_date": pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-16"]),
    ...     "task_id": "M1", "name": "Go-live", "forecast": pd.to_datetime(["2026-03-01", "2026-03-11", "2026-04-08"])})
    >>> slip_sentences(frame)
    ['Go-live has slipped in each of the last two reports, 38 days in all.']
    """
    out = []
    if milestones.empty:
        return out
    for _, rows in milestones.sort_values("status_date").groupby("task_id", sort=False):
        days = pd.to_datetime(rows["forecast"]).reset_index(drop=True)
        if days.isna().all():
            continue
        ordinal = days.map(lambda d: d.toordinal() if pd.notna(d) else None).astype("float64")
        n = run_length(ordinal, falling=False)
        if n >= minimum:
            moved = int(ordinal.iloc[-1] - ordinal.iloc[-n - 1])
            out.append(f"{rows['name'].iloc[-1]} has slipped in each of the last {_count(n)} reports, "
                       f"{moved} days in all.")
    return out


def _sentences(lines: list[str], rows: pd.DataFrame) -> HtmlFragment:
    """The trend sentences and the span of reports they rest on, in one note."""
    span = (f"The last {len(rows)} reports, {rows['status_date'].min():%Y-%m-%d} to "
            f"{rows['status_date'].max():%Y-%m-%d}.")
    return note(" ".join([*lines, span]))


def _indices(frame: pd.DataFrame, columns) -> pd.DataFrame:
    parts = [pd.DataFrame({"status_date": frame["status_date"], "index": label, "value": frame[c]})
             for c, label in columns if c in frame]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _thresholds(view):
    t = view.analysis.params.rag_thresholds.spi
    return t.green, t.amber


def project_trends(view, project_id: str) -> list:
    """A project's trend pack: sentences, indices, RAG history, milestone trend analysis, drift, exposure."""
    history = view.analysis.history
    if history is None or history.periods < 2:
        return [note(ONE_PERIOD)]
    rows = history.project(project_id)
    if len(rows) < 2:
        return [note(ONE_PERIOD)]
    green, amber = _thresholds(view)
    milestones = rows_of(history.milestones, project_id)
    milestones = milestones.assign(forecast=milestones["actual_finish"].fillna(milestones["forecast_finish"])
                                   .fillna(milestones["baseline_finish"]))
    parts = [_sentences(index_sentences(rows) + slip_sentences(milestones), rows),
             show_chart(rag_history(_rag_strip(view, rows, project_id), title="RAG history"))]
    charts = [show_chart(index_trend(_indices(rows, (("spi", "SPI"), ("cpi", "CPI"), ("spi_t", "SPI(t)"))),
                                     green=green, amber=amber, **_SMALL))]
    if len(milestones):
        named = milestones.assign(milestone=milestones["name"].fillna(milestones["task_id"]))
        charts.append(show_chart(milestone_trend(named, legend_orient="bottom", **_SMALL)))
    charts.append(show_chart(value_trend(
        pd.DataFrame({"status_date": rows["status_date"], "series": "Estimate at completion (EAC)",
                      "value": rows["eac"]}),
        title="Estimate at completion over time", currency=view.currency, y_title="EAC",
        baseline=rows["bac"].iloc[-1], **_SMALL)))
    charts.append(show_chart(finish_drift(rows, **_SMALL)))
    risks = rows_of(history.risks, project_id)
    if len(risks):
        open_ = risks[risks["status"].astype(str) == "open"]
        exposure = open_.groupby("status_date")["exposure"].sum(min_count=1).reindex(
            sorted(set(rows["status_date"])), fill_value=0.0)
        charts.append(show_chart(value_trend(
            pd.DataFrame({"status_date": exposure.index, "series": "Open risk exposure", "value": exposure.to_numpy()}),
            title="Risk exposure over time", currency=view.currency, y_title="Exposure", **_SMALL)))
    parts.append(gallery(*charts))
    return [p for p in parts if p is not None]


def _rag_strip(view, rows: pd.DataFrame, project_id: str) -> pd.DataFrame:
    """A project's RAG per dimension and report, with the manager's own RAG from the status updates."""
    strip = [pd.DataFrame({"status_date": rows["status_date"], "dimension": label, "rag": rows[c]})
             for c, label in RAG_ROWS.items() if c in rows and rows[c].notna().any()]
    portfolio = view.analysis.portfolio
    if portfolio.has("status_updates"):
        updates = portfolio.status_updates
        updates = updates[(updates["project_id"] == project_id)
                          & (updates["status_date"] <= pd.Timestamp(view.status_date))
                          & (updates["status_date"] >= rows["status_date"].min() - pd.Timedelta(days=6))]
        if len(updates):
            strip.append(pd.DataFrame({"status_date": updates["status_date"], "dimension": "Manager (reported)",
                                       "rag": updates["manager_rag"]}))
    return pd.concat(strip, ignore_index=True)


def rollup_trends(view, *, level: str, name: str | None) -> list:
    """A program's or the portfolio's trend pack: sentences, indices, RAG counts, EAC drift."""
    history = view.analysis.history
    rows = None if history is None else history.rollup(level, name)
    if rows is None or len(rows) < 2:
        return [note(ONE_PERIOD)]
    green, amber = _thresholds(view)
    return [p for p in (
        _sentences(index_sentences(rows, indices=(("spi", "SPI"), ("cpi", "CPI"))), rows),
        gallery(
            show_chart(index_trend(_indices(rows, (("spi", "SPI"), ("cpi", "CPI"))), green=green, amber=amber,
                                   **_SMALL)),
            show_chart(rag_counts_trend(rows, **_SMALL)),
            show_chart(value_trend(pd.DataFrame({"status_date": rows["status_date"],
                                                 "series": "Estimate at completion (EAC)", "value": rows["eac"]}),
                                   title="Estimate at completion over time", currency=view.currency, y_title="EAC",
                                   baseline=rows["bac"].iloc[-1], **_SMALL))),
    ) if p is not None]


def with_earned_value_history(curve: pd.DataFrame, history, project_id: str | None) -> pd.DataFrame:
    """An S-curve (``date, series, value``) with earned value at every stored report, not only this one.

    ``project_id`` None takes the portfolio roll-up's EV.
    """
    if history is None or curve.empty or history.periods < 2:
        return curve
    rows = history.rollup("portfolio") if project_id is None else history.project(project_id)
    rows = rows.dropna(subset=["ev"])
    if rows.empty:
        return curve
    earned = pd.DataFrame({"date": rows["status_date"], "series": "ev", "value": rows["ev"].astype(float)})
    return pd.concat([curve[curve["series"] != "ev"], earned], ignore_index=True)
