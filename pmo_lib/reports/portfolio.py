"""The portfolio overview: what the notebook ``portfolio_overview.ipynb`` shows, cell by cell."""

from __future__ import annotations

import pandas as pd

from pmo_lib import charts
from pmo_lib.analysis.handoff import load_analysis
from pmo_lib.charts.render import show_chart
from pmo_lib.rag import sort_worst_first
from pmo_lib.reports.base import ReportView, combine
from pmo_lib.reports.context import read_previous_metrics
from pmo_lib.reports.html import HtmlFragment, missing_table, note, report_header
from pmo_lib.reports.program import project_table, rollup_tiles, top_risks_table, upcoming
from pmo_lib.reports.summary import rollup_sentences, summary_block
from pmo_lib.reports.trends import rollup_trends, with_earned_value_history


class PortfolioReport(ReportView):
    """The whole portfolio on one page."""

    @classmethod
    def load(cls, *, data_path: str, status_date: str, params_file: str = "",
             previous_metrics: str = "") -> PortfolioReport:
        """Load (or reuse) the portfolio's analysis."""
        analysis = load_analysis(data_path=data_path, status_date=status_date, params_file=params_file)
        return cls(analysis, previous=read_previous_metrics(previous_metrics))

    def __init__(self, analysis, *, previous=None):
        super().__init__(analysis, previous=previous)
        self.here = self.links.page("portfolio")

    @property
    def metrics(self) -> pd.DataFrame:
        return self.analysis.metrics

    def summary(self) -> HtmlFragment:
        """The executive summary: the headline and its reason, watermelons, cost, schedule, decisions."""
        return summary_block(rollup_sentences(self, "The portfolio", self.metrics, self.analysis.totals,
                                              self.all_decisions, self.previous_totals()))

    def decisions(self) -> HtmlFragment:
        """What the sponsor must decide or unblock, across every project."""
        return self.decisions_block(self.metrics["project_id"].tolist())

    def attention(self) -> HtmlFragment:
        """Needs attention: watermelons, then red and amber projects, each with its reason."""
        return self.attention_table(self.metrics)

    def header(self) -> HtmlFragment:
        """Portfolio name, size, status date and the rolled-up RAG."""
        t = self.analysis.totals
        lines = [f"{len(self.metrics)} projects in {self.metrics['program'].nunique()} programs: "
                 f"{self.headline_mix(t)}",
                 f"Why {str(t['overall_rag']).upper()}: {t['overall_reason']}",
                 f"Status date: {self.status_date.isoformat()}"]
        header = report_header(f"{self.analysis.params.portfolio_name}: portfolio overview", lines,
                               rag=t["overall_rag"], dimensions={"schedule": t["schedule_rag"], "cost": t["cost_rag"]},
                               changes=self.previous_totals())
        groups = [("Programs", [self.link("program", p, p) for p in sorted(self.metrics["program"].unique())])]
        for program, members in self.metrics.sort_values("project_id").groupby("program", sort=True):
            groups.append((f"Projects of {program}", [self.link("project", pid, pid) for pid in members["project_id"]]))
        return combine(header, self.nav(groups))

    def kpis(self) -> HtmlFragment:
        """Headline KPIs: sums over all projects, ratios from the sums."""
        return rollup_tiles(self, self.analysis.totals, before=self.previous_totals())

    def trends(self) -> HtmlFragment:
        """The portfolio's SPI and CPI, RAG counts and EAC over the stored periods."""
        return combine(*rollup_trends(self, level="portfolio", name=None))

    def rag_distribution(self):
        """How many projects are red, amber, green (and without data)."""
        return show_chart(charts.rag_distribution(self.metrics))

    def projects(self) -> HtmlFragment:
        """Every project, worst first."""
        return project_table(self, sort_worst_first(self.metrics))

    def bubble(self):
        """CPI against SPI per project, coloured by overall RAG, bubble size the budget."""
        return show_chart(charts.cpi_spi_bubble(self.metrics, color="overall_rag"))

    def budget_by_program(self):
        """Approved budget, BAC, EAC and actual cost per program."""
        programs = self.analysis.programs.copy()
        approved = self.analysis.portfolio.projects.groupby("program")["budget"].sum(min_count=1)
        programs["budget"] = approved.reindex(programs.index)
        return show_chart(charts.budget_vs_eac(programs, currency=self.currency))

    def s_curve(self):
        """The portfolio's cumulative planned value, earned value and actual cost."""
        curve = with_earned_value_history(self.analysis.portfolio_s_curve, self.analysis.history, None)
        return show_chart(charts.s_curve_chart(curve, currency=self.currency, status_date=self.status_date,
                                               title="Portfolio S-curve"))

    def milestones_next(self, days: int) -> HtmlFragment:
        """Milestones due in the next ``days`` days across the portfolio."""
        return upcoming(self, days)

    def top_risks(self) -> HtmlFragment:
        """The highest-scoring open risks and the portfolio's total exposure."""
        return top_risks_table(self)

    def capacity(self):
        """Capacity against planned demand by role and month."""
        portfolio = self.analysis.portfolio
        if not (portfolio.has("resources") and portfolio.has("assignments")):
            return missing_table("assignments")
        chart = show_chart(charts.capacity_heat_map(self.analysis.capacity_monthly))
        over = self.analysis.over_allocated
        if over.empty:
            return chart
        frame = over[["name", "role", "weeks_over", "peak_utilisation", "peak_week"]]
        frame = frame.assign(peak_utilisation=frame["peak_utilisation"] * 100)
        return combine(chart, self.table(
            frame, percent=["peak_utilisation"], dates=["peak_week"],
            labels={"name": "Person", "role": "Role", "weeks_over": "Weeks over 100%",
                    "peak_utilisation": "Peak load", "peak_week": "Peak week"},
            caption=f"{len(over)} people booked above their capacity in some weeks"))

    def demand(self) -> HtmlFragment:
        """The demand pipeline ranked by weighted score, and what fits the remaining budget."""
        if not self.analysis.portfolio.has("demand"):
            return missing_table("demand")
        ranked = self.analysis.demand_ranked.sort_values("rank")
        chart = show_chart(charts.demand_pipeline(ranked, currency=self.currency))
        ranked = ranked.assign(fits=ranked["fits"].map({True: "yes", False: "no"}).fillna(""))
        frame = ranked[["rank", "request_id", "title", "sponsor", "status", "estimated_cost", "expected_benefit",
                        "score", "fits"]]
        table = self.table(frame, money=["estimated_cost", "expected_benefit"],
                           labels={"rank": "Rank", "request_id": "ID", "title": "Request", "sponsor": "Sponsor",
                                   "status": "Status", "estimated_cost": "Cost", "expected_benefit": "Benefit",
                                   "score": "Score", "fits": "Fits budget"},
                           caption=f"Budget available for approved demand: {self.money(self.analysis.demand_capacity)}")
        return combine(chart, table)

    def compliance(self) -> HtmlFragment:
        """PMO standards: each checked project's score and breaches."""
        frame = self.analysis.compliance
        frame = frame[frame["checked"].fillna(False).astype(bool)].sort_values(["score", "project_id"])
        names = self.analysis.portfolio.projects.set_index("project_id")["name"]
        frame = frame.assign(project=frame["project_id"].map(names), score=frame["score"] * 100)
        met = int((frame["score"] >= 100 - 1e-9).sum())
        shown = frame[["project", "project_id", "score", "breaches"]]
        return self.table(shown, percent=["score"],
                          labels={"project": "Project", "project_id": "ID", "score": "Standards met",
                                  "breaches": "Breaches"},
                          caption=f"{met} of {len(frame)} checked projects meet every PMO standard")

    def watermelons(self) -> HtmlFragment:
        """Projects whose manager reports a greener status than their numbers."""
        flagged = self.metrics[self.metrics["watermelon"].astype(bool)]
        if flagged.empty:
            return note("No watermelon projects: every manager's RAG is at least as severe as the numbers.")
        frame = flagged[["name", "project_id", "manager_rag", "schedule_rag", "cost_rag", "spi", "cpi"]]
        return self.table(frame, rag=["manager_rag", "schedule_rag", "cost_rag"], ratios=["spi", "cpi"],
                          labels={"name": "Project", "project_id": "ID", "manager_rag": "Manager says",
                                  "schedule_rag": "Schedule", "cost_rag": "Cost", "spi": "SPI", "cpi": "CPI"})
