"""The project status report: what the notebook ``project_status.ipynb`` shows, cell by cell."""

from __future__ import annotations

import pandas as pd

from pmo_lib import charts
from pmo_lib.analysis.handoff import load_analysis
from pmo_lib.charts.render import show_chart
from pmo_lib.errors import ReportError
from pmo_lib.formatting import format_date, format_days, format_ratio, is_missing
from pmo_lib.metrics.risk import heat_map, top_risks
from pmo_lib.reports.base import RAG_DIMENSIONS, ReportView, combine, dimension_rag
from pmo_lib.reports.context import read_previous_metrics
from pmo_lib.reports.facts import ProjectPlan
from pmo_lib.reports.forecast import project_forecast
from pmo_lib.reports.html import HtmlFragment, Tile, kpi_tiles, missing_table, note, report_header
from pmo_lib.reports.slices import rows_of
from pmo_lib.reports.summary import project_sentences, summary_block
from pmo_lib.reports.trends import project_trends, with_earned_value_history


class ProjectReport(ReportView):
    """One project's status report.

    Examples
    --------
    >>> report = ProjectReport.load(data_path="data/sample", status_date="2026-11-20",
    ...                             project_id="PRJ-008")  # doctest: +SKIP
    >>> report.header()  # doctest: +SKIP
    """

    def __init__(self, analysis, *, project_id: str, previous=None):
        super().__init__(analysis, previous=previous)
        metrics = analysis.metrics
        match = metrics[metrics["project_id"] == project_id]
        if match.empty:
            raise ReportError(f"project {project_id!r} is not in the portfolio "
                              f"({len(metrics)} projects; e.g. {', '.join(metrics['project_id'].head(3))})")
        self.project_id = project_id
        self.row = match.iloc[0]
        self.project = analysis.portfolio.projects.set_index("project_id").loc[project_id]
        self.plan = ProjectPlan.of(analysis, project_id)
        self.here = self.links.page("project", project_id)

    @classmethod
    def load(cls, *, data_path: str, status_date: str, project_id: str, params_file: str = "",
             previous_metrics: str = "") -> ProjectReport:
        """Load (or reuse) the portfolio's analysis and pick one project."""
        analysis = load_analysis(data_path=data_path, status_date=status_date, params_file=params_file)
        return cls(analysis, project_id=project_id, previous=read_previous_metrics(previous_metrics))

    def _mine(self, frame: pd.DataFrame) -> pd.DataFrame:
        return rows_of(frame, self.project_id)

    @property
    def _before(self) -> pd.Series | None:
        rows = self.previous_row([self.project_id])
        return None if rows is None else rows.iloc[0]

    # --- header ------------------------------------------------------------------------------
    def header(self) -> HtmlFragment:
        """Name, people, status date, overall RAG with each dimension's RAG and its change."""
        p, r = self.project, self.row
        people = [f"Manager: {p['manager']}"] + ([f"Sponsor: {p['sponsor']}"] if p["sponsor"] else [])
        facts = [f"{self.project_id} · Program: {p['program']}"]
        facts.append(" · ".join(people))
        facts.append(" · ".join(x for x in (f"Phase: {p['phase']}" if p["phase"] else "",
                                               f"Status: {str(p['status']).replace('_', ' ')}",
                                               f"Status date: {self.status_date.isoformat()}") if x))
        dims = {k: r[c] for k, c in RAG_DIMENSIONS.items() if c in r}
        header = report_header(p["name"], facts, rag=r["overall_rag"], dimensions=dims,
                               changes=self.rag_changes(r, self._before))
        return combine(header, self.nav([("Part of", [self.link("program", str(p["program"]), f"{p['program']} program"),
                                                      self.link("portfolio", "", "Portfolio overview")])]))

    @property
    def manager_rag_date(self):
        """The date of the update in which the manager last stated a RAG (None without one)."""
        updates = self.analysis.portfolio.status_updates if self.analysis.portfolio.has("status_updates") else None
        if updates is None:
            return None
        mine = self._mine(updates)
        mine = mine[mine["status_date"].le(pd.Timestamp(self.status_date)) & mine["manager_rag"].notna()
                    & mine["manager_rag"].astype(str).str.strip().ne("")]
        return mine["status_date"].max() if len(mine) else None

    def summary(self) -> HtmlFragment:
        """The executive summary: plain sentences from the page's own figures (``id="summary"``)."""
        return summary_block(project_sentences(self, self.all_decisions[
            self.all_decisions["project_id"] == self.project_id]))

    def decisions(self) -> HtmlFragment:
        """What the sponsor must decide or unblock for this project."""
        return self.decisions_block([self.project_id])

    def manager_summary(self) -> HtmlFragment:
        """The manager's latest status update, and a warning when the numbers disagree."""
        portfolio = self.analysis.portfolio
        if not portfolio.has("status_updates"):
            return missing_table("status_updates")
        updates = self._mine(portfolio.status_updates)
        updates = updates[updates["status_date"] <= pd.Timestamp(self.status_date)]
        if updates.empty:
            return note("No status update from the project manager yet.", kind="warning")
        latest = updates.sort_values("status_date").iloc[-1]
        frame = pd.DataFrame({"": ["Summary", "Achievements", "Next steps", "Manager's RAG"],
                              "update": [latest["summary"], latest["achievements"], latest["next_steps"],
                                         latest["manager_rag"].upper() if isinstance(latest["manager_rag"], str) else ""]})
        frame = frame[frame["update"].astype(str).str.strip() != ""]
        parts = [self.table(frame, caption=f"Status update of {format_date(latest['status_date'])}",
                            labels={"update": "Update"})]
        age = (pd.Timestamp(self.status_date) - latest["status_date"]).days
        limit = self.analysis.params.windows.status_update_days
        if age > limit:
            parts.append(note(f"The latest status update is {age} days old (PMO standard: {limit} days).",
                              kind="warning"))
        if bool(self.row.get("watermelon", False)):
            parts.append(note(
                f"Watermelon warning: the manager reports {str(latest['manager_rag']).upper()} but the numbers say "
                f"schedule {self.row['schedule_rag'].upper()} (SPI {format_ratio(self.row['spi'])}) and cost "
                f"{self.row['cost_rag'].upper()} (CPI {format_ratio(self.row['cpi'])}).", kind="warning"))
        return combine(*parts)

    # --- KPIs ----------------------------------------------------------------------------------
    def kpis(self) -> HtmlFragment:
        """The key figures, by stage: an active project's forecasts, a closed one's final figures,
        a paused one's standstill, a future one's start. Each tile takes its dimension's colour."""
        stage = str(self.row.get("stage", "active"))
        if stage == "not_started":
            return kpi_tiles(self._tiles_not_started())
        if stage in ("closed", "cancelled"):
            return kpi_tiles(self._tiles_closed())
        tiles = self._tiles_active()
        if stage == "on_hold":
            tiles.insert(0, self._paused_tile())
        lines = [line for line in (self.plan.reconciliation(self), self.plan.plan_line()) if line]
        return combine(kpi_tiles(tiles), *(note(line) for line in lines))

    def _prev(self, column):
        before = self._before
        return None if before is None or column not in before else before[column]

    def _tiles_active(self) -> list:
        r, plan = self.row, self.plan
        cost = dimension_rag(r["cost_rag"])
        return [
            Tile("Budget at completion", self.money(r["bac"]), sub=plan.budget_sub(self)),
            Tile("Estimate at completion", self.money(r["eac"]),
                 sub=f"spent {self.money(r['ac'])}", rag=cost),
            Tile("Variance at completion", self.money(r["vac"]), sub="BAC − EAC", rag=cost),
            self.index_tile("CPI", r["cpi"], previous=self._prev("cpi"), rag=r["cost_rag"]),
            self.index_tile("SPI", r["spi"], previous=self._prev("spi"), rag=r["schedule_rag"]),
            self.index_tile("SPI(t)", r["spi_t"], previous=self._prev("spi_t"), rag=r["forecast_rag"]),
            self.finish_tile(r["planned_finish"], r["forecast_finish"], rag=r["forecast_rag"],
                             adjusted=plan.adjusted_finish),
        ]

    def _tiles_closed(self) -> list:
        r = self.row
        budget = self.plan.current_budget
        variance = None if is_missing(budget) else float(budget) - float(r["ac"])
        finish = self.plan.actual_finish
        slip = None if is_missing(finish) or is_missing(r["planned_finish"]) else \
            (pd.Timestamp(finish) - pd.Timestamp(r["planned_finish"])).days
        cost = dimension_rag(r["cost_rag"])
        return [
            Tile("Final cost", self.money(r["ac"]), sub=f"budget {self.money(budget)}",
                 rag=cost),
            Tile("Under budget" if variance is None or variance >= 0 else "Over budget",
                 self.money(None if variance is None else abs(variance)),
                 sub="budget after approved changes − final cost" if self.plan.changed_budget
                 else "budget − final cost", rag=cost),
            self.index_tile("Final CPI", r["cpi"], rag=r["cost_rag"]),
            Tile("Finished", format_date(finish),
                 sub=f"planned {format_date(r['planned_finish'])}" + (f" ({format_days(slip)})" if slip is not None
                                                                       else "")),
        ]

    def _tiles_not_started(self) -> list:
        r = self.row
        start = r["planned_start"]
        days = None if is_missing(start) else (pd.Timestamp(start) - pd.Timestamp(self.status_date)).days
        return [
            Tile("Starts", format_date(start), sub=None if days is None else f"in {days} days"),
            Tile("Budget at completion", self.money(r["bac"]), sub=self.plan.budget_sub(self)),
            Tile("Planned finish", format_date(r["planned_finish"]),
                 sub=None if is_missing(r["pd_days"]) else f"{int(r['pd_days'])} days planned"),
            Tile("Spent so far", self.money(r["ac"])),
        ]

    def _paused_tile(self) -> Tile:
        since = self.plan.last_activity
        days = None if is_missing(since) else (pd.Timestamp(self.status_date) - pd.Timestamp(since)).days
        return Tile("On hold", "paused", sub="no activity recorded" if since is None else
                    f"last activity {format_date(since)} ({days} days ago)")

    # --- charts and tables -------------------------------------------------------------------
    def s_curve(self):
        """Cumulative planned value, earned value and actual cost, with the EAC projection (none once closed)."""
        curve = with_earned_value_history(self._mine(self.analysis.s_curves).drop(columns="project_id"),
                                          self.analysis.history, self.project_id)
        if curve.empty:
            return note("No baseline tasks: nothing to plot.")
        if str(self.project.get("status")) in ("closed", "cancelled"):
            curve = curve[curve["series"] != "eac_forecast"]  # nothing is left to forecast
        return show_chart(charts.s_curve_chart(curve, currency=self.currency, status_date=self.status_date,
                                               title=f"S-curve: {self.project['name']}"))

    def trends(self) -> HtmlFragment:
        """Trends (indices, RAG history, milestone trend analysis, EAC/finish drift, exposure) and forecast ranges."""
        history = self.analysis.history
        rows = None if history is None else history.project(self.project_id)
        return combine(*project_trends(self, self.project_id), project_forecast(self, self.project_id, rows))

    def milestones(self) -> HtmlFragment:
        """Milestones, baseline against forecast or actual finish."""
        frame = self._mine(self.analysis.milestones)[
            ["name", "baseline_finish", "forecast_finish", "actual_finish", "slip_days", "state"]]
        return self.table(frame, dates=["baseline_finish", "forecast_finish", "actual_finish"], days=["slip_days"],
                          labels={"name": "Milestone", "baseline_finish": "Baseline", "forecast_finish": "Forecast",
                                  "actual_finish": "Actual", "slip_days": "Slip", "state": "State"},
                          empty_message="This project has no milestones.")

    def milestone_timeline(self):
        """Milestones on a time line: baseline (hollow) and forecast or actual (filled)."""
        frame = self._mine(self.analysis.milestones)
        if frame.empty:
            return note("This project has no milestones.")
        return show_chart(charts.milestone_timeline(frame, status_date=self.status_date))

    def risk_heat_map(self):
        """Open risks by probability and impact."""
        if not self.analysis.portfolio.has("risks"):
            return missing_table("risks")
        heat = heat_map(self._mine(self.analysis.portfolio.risks), status_date=self.status_date, by_project=False)
        return show_chart(charts.risk_heat_map(heat, bands=self.analysis.params.rag_rules.heat_map))

    def top_risks(self) -> HtmlFragment:
        """The open risks with the highest score."""
        if not self.analysis.portfolio.has("risks"):
            return missing_table("risks")
        open_ = top_risks(self._mine(self.analysis.portfolio.risks), status_date=self.status_date,
                          n=self.analysis.params.windows.top_risks)
        frame = open_[["title", "score", "probability", "impact", "exposure", "owner", "mitigation", "due_date",
                       "overdue"]]
        return self.table(frame, money=["exposure"], dates=["due_date"],
                          labels={"title": "Risk", "score": "Score", "probability": "P", "impact": "I",
                                  "exposure": "Exposure", "owner": "Owner", "mitigation": "Mitigation",
                                  "due_date": "Due", "overdue": "Overdue"},
                          empty_message="No open risks.")

    def open_issues(self) -> HtmlFragment:
        """Open issues with their age in days."""
        if not self.analysis.portfolio.has("issues"):
            return missing_table("issues")
        log = self._mine(self.analysis.issue_log)
        open_ = log[log["is_open"]].copy()
        order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        open_ = open_.assign(_o=open_["priority"].astype(str).map(order)).sort_values(["_o", "age_days"],
                                                                                      ascending=[True, False])
        frame = open_[["title", "priority", "owner", "opened_date", "age_days", "due_date", "overdue"]]
        return self.table(frame, dates=["opened_date", "due_date"],
                          labels={"title": "Issue", "priority": "Priority", "owner": "Owner",
                                  "opened_date": "Opened", "age_days": "Age (days)", "due_date": "Due",
                                  "overdue": "Overdue"},
                          empty_message="No open issues.")

    def changes(self) -> HtmlFragment:
        """Change requests and what the approved ones did to the baseline."""
        if not self.analysis.portfolio.has("changes"):
            return missing_table("changes")
        log = self._mine(self.analysis.portfolio.changes)
        log = log[log["raised_date"] <= pd.Timestamp(self.status_date)].sort_values("raised_date", ascending=False)
        frame = log[["change_id", "title", "status", "cost_impact", "schedule_impact_days", "raised_date",
                     "decided_date"]]
        parts = [self.table(frame, money=["cost_impact"], dates=["raised_date", "decided_date"],
                            days=["schedule_impact_days"],
                            labels={"change_id": "ID", "title": "Change", "status": "Status",
                                    "cost_impact": "Cost impact", "schedule_impact_days": "Schedule impact",
                                    "raised_date": "Raised", "decided_date": "Decided"},
                            empty_message="No change requests.")]
        plan = self.plan
        if plan.changed_budget or plan.changed_finish:
            moves = []
            if plan.changed_budget:
                moves.append(f"the budget from {self.money(plan.bac)} (BAC) to {self.money(plan.adjusted_bac)}")
            if plan.changed_finish:
                moves.append(f"the planned finish from {format_date(plan.planned_finish)} (baseline) to "
                             f"{format_date(plan.adjusted_finish)}")
            parts.append(note(f"Approved changes move {' and '.join(moves)}."))
        elif not frame.empty:
            parts.append(note("No approved change moves the budget or the planned finish."))
        return combine(*parts)

    def resource_loading(self):
        """Planned hours per week by role for this project, and its over-allocated people."""
        portfolio = self.analysis.portfolio
        if not (portfolio.has("assignments") and portfolio.has("resources")):
            return missing_table("assignments")
        mine = self._mine(portfolio.assignments)
        if mine.empty:
            return note("No resources are assigned to this project.")
        chart = show_chart(charts.resource_loading(portfolio.assignments, portfolio.resources,
                                                   project_id=self.project_id))
        over = self.analysis.over_allocated
        over = over[over["resource_id"].isin(mine["resource_id"])]
        if over.empty:
            return chart
        frame = over[["name", "role", "weeks_over", "peak_utilisation", "weeks"]]
        frame = frame.assign(peak_utilisation=frame["peak_utilisation"] * 100)
        return combine(chart, self.table(
            frame, percent=["peak_utilisation"],
            labels={"name": "Over-allocated person", "role": "Role", "weeks_over": "Weeks over",
                    "peak_utilisation": "Peak load", "weeks": "Weeks"},
            caption="People on this project booked above 100% in some weeks (across all projects)"))

    def compliance(self) -> HtmlFragment:
        """The PMO standards this project breaches."""
        row = self._mine(self.analysis.compliance)
        if row.empty or not bool(row.iloc[0]["checked"]):
            return note("PMO standards are checked for active and on-hold projects only.")
        r = row.iloc[0]
        breaches = [b for b in str(r["breaches"]).split("; ") if b.strip()]
        if not breaches:
            return note(f"All PMO standards met (score {r['score']:.0%}).")
        frame = pd.DataFrame({"breach": breaches})
        return self.table(frame, labels={"breach": "Breach"},
                          caption=f"PMO standards score {r['score']:.0%}: {len(breaches)} breach"
                                  f"{'es' if len(breaches) != 1 else ''}")

