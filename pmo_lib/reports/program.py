"""The program summary: what the notebook ``program_summary.ipynb`` shows, cell by cell."""

from __future__ import annotations

import pandas as pd

from pmo_lib import charts
from pmo_lib.analysis.handoff import load_analysis
from pmo_lib.charts.render import show_chart
from pmo_lib.errors import ReportError
from pmo_lib.metrics.risk import top_risks
from pmo_lib.reports.base import ReportView, combine, dimension_rag
from pmo_lib.reports.context import read_previous_metrics
from pmo_lib.reports.html import HtmlFragment, kpi_tiles, missing_table, report_header
from pmo_lib.reports.summary import rollup_sentences, summary_block
from pmo_lib.reports.trends import rollup_trends

PROJECT_TABLE_COLUMNS = {
    "name": "Project", "project_id": "ID", "manager": "Manager", "status": "Status",
    "overall_rag": "Overall", "overall_reason": "Reason", "schedule_rag": "Schedule", "cost_rag": "Cost",
    "spi": "SPI", "cpi": "CPI", "bac": "BAC", "eac": "EAC", "forecast_finish": "Forecast finish",
}


def project_table(view: ReportView, metrics: pd.DataFrame) -> HtmlFragment:
    """The projects of a program or portfolio with their RAGs and key figures."""
    projects = view.analysis.portfolio.projects.set_index("project_id")
    frame = metrics.assign(manager=metrics["project_id"].map(projects["manager"]),
                           status=metrics["status"].astype(str).str.replace("_", " "))
    frame = frame[list(PROJECT_TABLE_COLUMNS)].assign(
        overall_reason=frame["overall_reason"].where(frame["overall_rag"].isin(["red", "amber"]), ""))
    return view.table(frame, money=["bac", "eac"], ratios=["spi", "cpi"], dates=["forecast_finish"],
                      rag=["overall_rag", "schedule_rag", "cost_rag"], labels=PROJECT_TABLE_COLUMNS,
                      empty_message="No projects.")


def fallback_note(totals: pd.Series) -> str:
    """How many projects entered the EAC sum at AC + (BAC − EV) (no CPI yet), or nothing.

    Examples
    --------
    >>> fallback_note(pd.Series({"eac_fallback_projects": 2})), fallback_note(pd.Series({"eac_fallback_projects": 0}))
    ('; 2 projects at AC + (BAC − EV)', '')
    """
    count = int(totals.get("eac_fallback_projects", 0) or 0)
    return f"; {count} project{'s' if count != 1 else ''} at AC + (BAC − EV)" if count else ""


def rollup_tiles(view: ReportView, totals: pd.Series, *, before: dict | None) -> HtmlFragment:
    """Rolled-up KPIs: sums, and ratios recomputed from the sums (``before``: the previous run's)."""
    tiles = [
        {"label": "Projects", "value": str(int(totals["projects"]))},
        {"label": "Budget at completion", "value": view.money(totals["bac"])},
        {"label": "Estimate at completion", "value": view.money(totals["eac"]),
         "sub": f"spent {view.money(totals['ac'])}" + fallback_note(totals),
         "rag": dimension_rag(totals["cost_rag"])},
        {"label": "Variance at completion", "value": view.money(totals["vac"]), "sub": "BAC − EAC",
         "rag": dimension_rag(totals["cost_rag"])},
        view.index_tile("CPI", totals["cpi"], previous=(before or {}).get("cpi"), rag=totals["cost_rag"]),
        view.index_tile("SPI", totals["spi"], previous=(before or {}).get("spi"), rag=totals["schedule_rag"]),
    ]
    return kpi_tiles(tiles)


class ProgramReport(ReportView):
    """One program's summary: its projects, rolled-up KPIs, milestones and risks."""

    def __init__(self, analysis, *, program: str, previous=None):
        super().__init__(analysis, previous=previous)
        metrics = analysis.metrics
        self.program = program
        self.metrics = metrics[metrics["program"] == program]
        if self.metrics.empty:
            known = ", ".join(sorted(metrics["program"].unique()))
            raise ReportError(f"program {program!r} is not in the portfolio (programs: {known})")
        self.ids = set(self.metrics["project_id"])
        self.totals = analysis.programs.loc[program]
        self.here = self.links.page("program", program)

    @classmethod
    def load(cls, *, data_path: str, status_date: str, program: str, params_file: str = "",
             previous_metrics: str = "") -> ProgramReport:
        """Load (or reuse) the portfolio's analysis and pick one program."""
        analysis = load_analysis(data_path=data_path, status_date=status_date, params_file=params_file)
        return cls(analysis, program=program, previous=read_previous_metrics(previous_metrics))

    def _mine(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["project_id"].isin(self.ids)]

    def header(self) -> HtmlFragment:
        """Program name, size, status date and the rolled-up RAG."""
        t = self.totals
        worst = t["worst_project_rag"]
        lines = [f"{len(self.ids)} projects · {self.analysis.params.portfolio_name}: {self.headline_mix(t)}",
                 f"Why {str(t['overall_rag']).upper()}: {t['overall_reason']}",
                 f"Status date: {self.status_date.isoformat()}",
                 f"Worst project: {worst.upper() if isinstance(worst, str) else 'n/a'}"]
        header = report_header(f"Program: {self.program}", lines, rag=t["overall_rag"],
                               dimensions={"schedule": t["schedule_rag"], "cost": t["cost_rag"]},
                               changes=self.previous_totals(self.ids))
        ordered = self.metrics.sort_values("project_id")
        nav = self.nav([("Portfolio", [self.link("portfolio", "", "Portfolio overview")]),
                        ("Projects", [self.link("project", pid, f"{pid} {name}")
                                      for pid, name in zip(ordered["project_id"], ordered["name"])])])
        return combine(header, nav)

    def summary(self) -> HtmlFragment:
        """The executive summary: the headline and its reason, watermelons, cost, schedule, decisions."""
        decisions = self.all_decisions[self.all_decisions["project_id"].isin(self.ids)]
        return summary_block(rollup_sentences(self, f"The {self.program} program", self.metrics, self.totals,
                                              decisions, self.previous_totals(self.ids)))

    def decisions(self) -> HtmlFragment:
        """What the sponsor must decide or unblock in this program's projects."""
        return self.decisions_block(sorted(self.ids))

    def attention(self) -> HtmlFragment:
        """Needs attention: watermelons, then red and amber projects, each with its reason."""
        return self.attention_table(self.metrics)

    def kpis(self) -> HtmlFragment:
        """Rolled-up KPIs of the program."""
        return rollup_tiles(self, self.totals, before=self.previous_totals(self.ids))

    def projects(self) -> HtmlFragment:
        """The program's projects with their RAGs and key figures."""
        return project_table(self, self.metrics)

    def bubble(self):
        """CPI against SPI per project, bubble size the budget."""
        return show_chart(charts.cpi_spi_bubble(self.metrics, color="overall_rag"))

    def trends(self) -> HtmlFragment:
        """The program's SPI and CPI, RAG counts and EAC over the stored periods."""
        return combine(*rollup_trends(self, level="program", name=self.program))

    def upcoming_milestones(self) -> HtmlFragment:
        """Milestones due in the look-ahead window."""
        return upcoming(self, self.analysis.params.windows.milestone_days, self.ids)

    def top_risks(self) -> HtmlFragment:
        """The highest-scoring open risks across the program."""
        return top_risks_table(self, self.ids)


def upcoming(view: ReportView, days: int, ids=None) -> HtmlFragment:
    """Milestones due within ``days`` of the status date (of the given projects)."""
    frame = view.analysis.upcoming_milestones(days)
    if ids is not None:
        frame = frame[frame["project_id"].isin(ids)]
    names = view.analysis.portfolio.projects.set_index("project_id")["name"]
    frame = frame.assign(project=frame["project_id"].map(names))
    frame = frame[["project", "name", "baseline_finish", "forecast_finish", "days_to_go", "state"]]
    return view.table(frame, dates=["baseline_finish", "forecast_finish"],
                      labels={"project": "Project", "name": "Milestone", "baseline_finish": "Baseline",
                              "forecast_finish": "Forecast", "days_to_go": "Days to go", "state": "State"},
                      empty_message=f"No milestones due in the next {days} days.")


def top_risks_table(view: ReportView, ids=None) -> HtmlFragment:
    """The highest-scoring open risks, with their project and exposure."""
    if not view.analysis.portfolio.has("risks"):
        return missing_table("risks")
    risks = view.analysis.portfolio.risks
    if ids is not None:
        risks = risks[risks["project_id"].isin(ids)]
    open_ = top_risks(risks, status_date=view.status_date, n=len(risks))  # every open risk, worst first
    names = view.analysis.portfolio.projects.set_index("project_id")["name"]
    frame = open_.head(view.analysis.params.windows.top_risks * 2)
    frame = frame.assign(project=frame["project_id"].map(names))[
        ["project", "title", "score", "exposure", "owner", "due_date", "overdue"]]
    exposure = open_["exposure"].sum(min_count=1)
    return view.table(frame, money=["exposure"], dates=["due_date"],
                      labels={"project": "Project", "title": "Risk", "score": "Score", "exposure": "Exposure",
                              "owner": "Owner", "due_date": "Mitigation due", "overdue": "Overdue"},
                      caption=f"{len(open_)} open risks, total exposure {view.money(exposure)}",
                      empty_message="No open risks.")

