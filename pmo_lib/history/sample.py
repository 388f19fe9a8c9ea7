"""The sample's history: the generated portfolio as it stood at each of the weeks before its status date.

``pmo-report sample`` writes the sample's ``history/`` folder with
:func:`sample_history`: for each earlier weekly status date, the generated
tables are wound back to that date (:func:`portfolio_as_of`), loaded and
analysed like any portfolio, and the snapshot kept. Each period is the data as
it was then, not today's data re-dated:

* costs, risks, issues, changes, status updates and demand requests dated
  after the day did not exist yet; issues closed and changes decided after it
  were still open or proposed; timesheet hours after it are not yet booked;
* a task finished after the day was in progress (or not started) then, its
  percent complete rising linearly from its actual start to its finish; an
  unfinished task had done the same share of its current progress as of the
  time elapsed since its start;
* a task's slip (forecast or actual finish against baseline) grows linearly
  over the project's life, so a late project's forecasts drift later report
  by report, as in a real milestone trend analysis;
* a closed or cancelled project whose work was still going on was active.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.history.series import TrendHistory
from pmo_lib.history.snapshot import snapshot_from_analysis


def _days(later: pd.Series, earlier) -> np.ndarray:
    return ((later - earlier) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def _tasks_as_of(tasks: pd.DataFrame, day: pd.Timestamp, today: pd.Timestamp) -> pd.DataFrame:
    t = tasks.copy()
    start, finish = t["actual_start"], t["actual_finish"]
    pct = t["percent_complete"].astype(float).to_numpy()
    started = (start.notna() & (start <= day)).to_numpy()
    finished = (finish.notna() & (finish <= day)).to_numpy()
    elapsed = _days(pd.Series(day, index=t.index), start)
    # finished later: linear from actual start to actual finish; unfinished now: the share of today's progress
    to_finish = np.where(finish.notna(), 100.0 * elapsed / np.maximum(_days(finish, start), 1.0), np.nan)
    to_today = pct * elapsed / np.maximum(_days(pd.Series(today, index=t.index), start), 1.0)
    partial = np.where(finish.notna(), to_finish, to_today)
    partial = np.clip(np.round(partial), 1.0, 99.0)
    then = np.where(finished, pct, np.where(started, np.minimum(partial, np.maximum(pct, 1.0)), 0.0))
    t["percent_complete"] = then
    # slip grows over the project's life: none at its start, today's slip today
    project_start = t.groupby("project_id")["baseline_start"].transform("min")
    life = np.clip(_days(pd.Series(day, index=t.index), project_start)
                   / np.maximum(_days(pd.Series(today, index=t.index), project_start), 1.0), 0.0, 1.0)
    slip_now = _days(finish.fillna(t["forecast_finish"]), t["baseline_finish"])
    slip = pd.to_timedelta(np.round(np.nan_to_num(slip_now) * life), unit="D")
    forecast_finish = (t["baseline_finish"] + slip).where(~finished)
    forecast_finish = forecast_finish.where(forecast_finish.isna() | (forecast_finish > day),
                                            day + pd.Timedelta(days=1))
    t["forecast_finish"] = forecast_finish
    t["forecast_start"] = start.where(started, t["baseline_start"] + slip).where(~finished)
    t["actual_start"] = start.where(started)
    t["actual_finish"] = finish.where(finished)
    return t


def portfolio_as_of(tables: dict[str, pd.DataFrame], *, day, today) -> dict[str, pd.DataFrame]:
    """The generated ``tables`` (as of ``today``) wound back to ``day`` (see the module docstring).

    Examples
    --------
    >>> from pmo_lib.data.sample import generate_portfolio
    >>> tables = generate_portfolio(projects=3, seed=7, status_date="2026-11-20")
    >>> earlier = portfolio_as_of(tables, day="2026-10-30", today="2026-11-20")
    >>> bool(earlier["costs"]["date"].max() <= pd.Timestamp("2026-10-30"))
    True
    >>> bool((earlier["tasks"]["percent_complete"] <= tables["tasks"]["percent_complete"]).all())
    True
    """
    day, today = pd.Timestamp(day), pd.Timestamp(today)
    out = {name: frame.copy() for name, frame in tables.items()}
    out["tasks"] = _tasks_as_of(tables["tasks"], day, today)
    out["costs"] = out["costs"][out["costs"]["date"] <= day]
    for name, column in (("risks", "raised_date"), ("issues", "opened_date"), ("changes", "raised_date"),
                         ("status_updates", "status_date"), ("demand", "submitted_date")):
        frame = out[name]
        out[name] = frame[frame[column].isna() | (frame[column] <= day)].reset_index(drop=True)
    issues = out["issues"]
    reopened = issues["closed_date"].notna() & (issues["closed_date"] > day)
    issues.loc[reopened, "status"] = "open"
    issues.loc[reopened, "closed_date"] = pd.NaT
    changes = out["changes"]
    undecided = changes["decided_date"].notna() & (changes["decided_date"] > day)
    changes.loc[undecided, "status"] = "proposed"
    changes.loc[undecided, "decided_date"] = pd.NaT
    assignments = out["assignments"]
    assignments.loc[assignments["week_start"] > day, "actual_hours"] = np.nan
    projects = out["projects"]
    busy = out["tasks"].groupby("project_id")["percent_complete"].min() < 100
    reopen = projects["status"].astype(str).isin(["closed", "cancelled"]) & projects["project_id"].map(busy).fillna(False)
    if reopen.any():
        projects["status"] = projects["status"].astype(object).where(~reopen, "active").astype(
            tables["projects"]["status"].dtype)
    return out


def sample_history(tables: dict[str, pd.DataFrame], *, status_date, periods: int, params=None,
                   name: str | None = None) -> TrendHistory:
    """Snapshots of the generated portfolio at the ``periods`` weekly status dates before ``status_date``.

    Each week's tables are written, loaded and analysed exactly as a run
    would (so they pass the same validation), with ``params`` (the defaults
    when omitted).
    """
    from pmo_lib.analysis.core import PortfolioAnalysis
    from pmo_lib.data.loading import load_portfolio
    from pmo_lib.data.sample import write_portfolio
    from pmo_lib.parameters import load_parameters

    params = params or load_parameters(None)
    today = pd.Timestamp(status_date)
    history = TrendHistory(name or params.portfolio_name)
    with tempfile.TemporaryDirectory(prefix="pmo-sample-history-") as scratch:
        for k in range(periods, 0, -1):
            day = today - pd.Timedelta(weeks=k)
            folder = Path(scratch) / day.date().isoformat()
            write_portfolio(portfolio_as_of(tables, day=day, today=today), folder)
            analysis = PortfolioAnalysis(load_portfolio(folder), status_date=day.date(), params=params)
            history = history.with_snapshot(snapshot_from_analysis(analysis, source="pmo-report sample"))
    return history


__all__ = ["portfolio_as_of", "sample_history"]
