"""One project's money and plan facts, named once: the vocabulary every page and summary uses.

- **Approved budget**: ``projects.budget``, what the sponsor approved.
- **BAC** (budget at completion): the sum of the task budgets, the baseline
  earned value is measured against.
- **Budget after approved changes**: BAC plus the cost impact of approved
  (or implemented) change requests.
- **EAC** (estimate at completion): the forecast of the final cost.
- **Baseline finish**: the latest baseline finish of the tasks;
  **finish after approved changes** adds the approved schedule impact;
  **forecast finish** comes from earned schedule.

A page names each once and, where they differ, reconciles them in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pmo_lib.formatting import format_date, is_missing
from pmo_lib.reports.slices import rows_of


def _value(frame: pd.DataFrame, column: str) -> Any:
    return frame.iloc[0][column] if len(frame) and column in frame else None


def _differs(a, b) -> bool:
    return not is_missing(a) and not is_missing(b) and round(float(a), 2) != round(float(b), 2)


@dataclass(frozen=True)
class ProjectPlan:
    """The money and plan figures of one project as of the status date."""

    approved: Any
    bac: Any
    adjusted_bac: Any
    eac: Any
    ac: Any
    planned_finish: Any
    adjusted_finish: Any
    forecast_finish: Any
    actual_finish: Any
    last_activity: Any
    approved_changes: int

    @classmethod
    def of(cls, analysis, project_id: str) -> ProjectPlan:
        """The figures of ``project_id`` from a :class:`~pmo_lib.analysis.core.PortfolioAnalysis`."""
        portfolio, stamp = analysis.portfolio, pd.Timestamp(analysis.status_date)
        row = analysis.metrics.set_index("project_id").loc[project_id]
        approved = portfolio.projects.set_index("project_id")["budget"].get(project_id)
        moved = analysis.baseline_movement
        moved = rows_of(moved, project_id)
        changes = rows_of(analysis.change_summary, project_id)
        tasks = rows_of(portfolio.tasks, project_id)
        finished = tasks["actual_finish"].where(tasks["actual_finish"].le(stamp))
        costs = rows_of(portfolio.costs, project_id)
        costs = costs[costs["date"].le(stamp)]
        activity = pd.concat([finished.dropna(), costs["date"]])
        all_done = len(tasks) and bool(tasks["percent_complete"].ge(100).all())
        return cls(
            approved=approved, bac=row["bac"], adjusted_bac=_value(moved, "adjusted_bac"), eac=row["eac"],
            ac=row["ac"], planned_finish=row["planned_finish"], adjusted_finish=_value(moved, "adjusted_finish"),
            forecast_finish=row["forecast_finish"],
            actual_finish=finished.max() if all_done and finished.notna().any() else None,
            last_activity=activity.max() if len(activity) else None,
            approved_changes=int(_value(changes, "approved") or 0) if "approved" in changes else 0,
        )

    @property
    def changed_budget(self) -> bool:
        """Approved changes moved the budget."""
        return _differs(self.adjusted_bac, self.bac)

    @property
    def changed_finish(self) -> bool:
        """Approved changes moved the planned finish."""
        return (not is_missing(self.adjusted_finish) and not is_missing(self.planned_finish)
                and pd.Timestamp(self.adjusted_finish) != pd.Timestamp(self.planned_finish))

    @property
    def current_budget(self):
        """The budget a final cost is judged against: after approved changes, else approved, else BAC."""
        if self.changed_budget:
            return self.adjusted_bac
        return self.bac if is_missing(self.approved) else self.approved

    def budget_sub(self, view) -> str:
        """The line under the BAC tile: the approved budget, and the budget after approved changes."""
        parts = []
        if is_missing(self.approved) or not _differs(self.approved, self.bac):
            parts.append("= approved budget" if not is_missing(self.approved) else "no approved budget")
        else:
            parts.append(f"approved {view.money(self.approved)}")
        if self.changed_budget:
            parts.append(f"after approved changes {view.money(self.adjusted_bac)}")
        return "; ".join(parts)

    def reconciliation(self, view) -> str | None:
        """One line reconciling approved budget, BAC, budget after changes and EAC; None when all agree."""
        figures = [("approved budget", self.approved), ("BAC (sum of task budgets)", self.bac)]
        if self.changed_budget:
            figures.append(("after approved changes", self.adjusted_bac))
        figures.append(("EAC (forecast)", self.eac))
        known = [(label, value) for label, value in figures if not is_missing(value)]
        if len({round(float(v), 2) for _, v in known}) <= 1:
            return None
        line = "Budgets: " + " → ".join(f"{label} {view.money(value)}" for label, value in known)
        reference = self.adjusted_bac if self.changed_budget else self.approved
        if not is_missing(reference) and not is_missing(self.eac):
            gap = float(self.eac) - float(reference)
            what = "budget after approved changes" if self.changed_budget else "approved budget"
            if round(gap, 2) != 0:
                line += f"; the forecast is {view.money(abs(gap))} {'over' if gap > 0 else 'under'} the {what}"
        return line + "."

    def plan_line(self) -> str | None:
        """One line on the finish dates: baseline, after approved changes, forecast; None without a baseline."""
        if is_missing(self.planned_finish):
            return None
        line = f"Finish: baseline {format_date(self.planned_finish)}"
        if self.changed_finish:
            line += f" → after approved changes {format_date(self.adjusted_finish)}"
        if not is_missing(self.forecast_finish):
            line += f" → forecast {format_date(self.forecast_finish)}"
        return line + "."
