"""Everything a run computes, from one loaded portfolio, once.

:class:`PortfolioAnalysis` is pure: a :class:`~pmo_lib.data.tables.Portfolio`,
the status date and the run parameters in; every metric frame out, each
computed on first use and kept. Reports take their slice of it (one project,
one program) instead of recomputing. Nothing here reads or writes files.

Examples
--------
>>> from pmo_lib.data.loading import load_portfolio
>>> analysis = PortfolioAnalysis(load_portfolio("data/sample"), status_date="2026-11-20")  # doctest: +SKIP
>>> analysis.metrics.loc[0, "overall_rag"]  # doctest: +SKIP
'green'
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import pandas as pd

from pmo_lib.data.tables import Portfolio
from pmo_lib.metrics import changes, compliance, demand, finance, issues, reasons, resources, risk, schedule, status
from pmo_lib.metrics.rollup import exposure, portfolio_totals, rollup
from pmo_lib.metrics.s_curve import s_curve
from pmo_lib.metrics.status import RagThresholds, rag_from_index
from pmo_lib.metrics.table import metrics_table
from pmo_lib.parameters import RunParameters
from pmo_lib.rag import worst_of, worst_rag


def thresholds_from(params: RunParameters) -> RagThresholds:
    """The SPI/CPI thresholds of the run parameters as a :class:`RagThresholds`."""
    t = params.rag_thresholds
    return RagThresholds(spi_green=t.spi.green, spi_amber=t.spi.amber,
                         cpi_green=t.cpi.green, cpi_amber=t.cpi.amber)


class PortfolioAnalysis:
    """All metrics of one portfolio as of one status date.

    Parameters
    ----------
    portfolio : Portfolio
        The loaded data.
    status_date : datetime.date or str
        The as-of date of every metric.
    params : RunParameters, optional
        Thresholds, windows and weights; the defaults when omitted.
    """

    history = None
    """The run's :class:`~pmo_lib.history.series.TrendHistory` (earlier periods and this one), set by the runner."""

    def __init__(self, portfolio: Portfolio, *, status_date, params: RunParameters | None = None):
        self.portfolio = portfolio
        self.status_date = pd.Timestamp(status_date).date() if not isinstance(status_date, dt.date) else status_date
        self.params = params or RunParameters()
        self.pages: frozenset[str] | None = None
        """The pages a run produces (paths in its folder), set by the runner before it shares the
        analysis, so that pages link only to pages that exist; None: every page of the catalog."""

    # --- the RAG dimensions this project adds to schedule and cost -------------------------
    PARTS = ("metrics", "s_curves", "portfolio_s_curve", "programs", "totals", "milestones", "risk_register",
             "issue_log", "baseline_movement", "compliance", "capacity_monthly", "over_allocated", "demand_ranked")
    """The parts every report reads; :meth:`compute_all` computes them before the analysis is shared."""

    def compute_all(self) -> PortfolioAnalysis:
        """Compute every part in :data:`PARTS` now (each is kept), and return the analysis."""
        for name in self.PARTS:
            getattr(self, name)
        return self

    @cached_property
    def dimension_rags(self) -> pd.DataFrame:
        """Milestone, risk and issue RAG per project (grey where the data is absent), each with its reason."""
        p, d, rules = self.portfolio, self.status_date, self.params.rag_rules
        ids = pd.Index(p.projects["project_id"], name="project_id")
        milestone_rules, risk_rules = rules.milestones.model_dump(), rules.risks.model_dump()
        milestone = schedule.milestone_rag(p.projects, p.tasks, status_date=d, at_risk_days=self.at_risk_days,
                                           **milestone_rules).set_index("project_id").reindex(ids)
        risks = risk.risk_rag(p.projects, p.risks, status_date=d, **risk_rules).set_index("project_id").reindex(ids)
        issue = issues.issue_rag(p.projects, p.issues, status_date=d,
                                 **rules.issues.model_dump()).set_index("project_id").reindex(ids)
        for frame, column in ((milestone, "milestone_rag"), (risks, "risk_rag"), (issue, "issue_rag")):
            frame[column] = frame[column].fillna("grey")
        return pd.DataFrame({
            "milestone_rag": milestone["milestone_rag"], "risk_rag": risks["risk_rag"],
            "issue_rag": issue["issue_rag"],
            "milestone_reason": reasons.milestone_reasons(
                milestone.fillna({"milestones": 0, "late": 0, "at_risk": 0, "late_beyond": 0}), **milestone_rules),
            "risk_reason": reasons.risk_reasons(risks.fillna({"overdue": 0, "open": 0}), red_score=risk_rules["red_score"],
                                                red_overdue=risk_rules["red_overdue"],
                                                amber_score=risk_rules["amber_score"]),
            "issue_reason": reasons.issue_reasons(issue, **rules.issues.model_dump()),
        }, index=ids)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """The metrics table (spec section 3 columns in order, then extras), one row per project.

        The extras after the spec's columns: ``tspi, status, manager_rag, watermelon``,
        the milestone, risk and issue RAGs, one reason per dimension
        (``schedule_reason`` ... ``issue_reason``, e.g. "cost red: CPI 0.74 < 0.85"),
        ``overall_reason``, ``forecast_rag`` (the SPI thresholds applied to SPI(t),
        the colour of the forecast finish) and ``stage`` (see :func:`project_stage`).
        """
        p = self.portfolio
        t = thresholds_from(self.params)
        table = metrics_table(p.projects, p.tasks, p.costs, status_date=self.status_date,
                              thresholds=t, status_updates=p.status_updates,
                              extra=self.dimension_rags[["milestone_rag", "risk_rag", "issue_rag"]])
        table = table.merge(self.dimension_rags.reset_index(), on="project_id", how="left")
        table["schedule_reason"] = reasons.index_reasons(table["spi"], table["schedule_rag"], name="schedule",
                                                        label="SPI", green=t.spi_green, amber=t.spi_amber)
        table["cost_reason"] = reasons.index_reasons(table["cpi"], table["cost_rag"], name="cost", label="CPI",
                                                    green=t.cpi_green, amber=t.cpi_amber)
        table["overall_reason"] = reasons.overall_reasons(table)
        table["forecast_rag"] = rag_from_index(table["spi_t"], green=t.spi_green, amber=t.spi_amber).to_numpy()
        table["forecast_reason"] = reasons.index_reasons(table["spi_t"], table["forecast_rag"], name="forecast finish",
                                                        label="SPI(t)", green=t.spi_green, amber=t.spi_amber)
        table["stage"] = status.project_stage(table, status_date=self.status_date)
        return table

    # --- earned value over time ----------------------------------------------------------------
    @cached_property
    def s_curves(self) -> pd.DataFrame:
        """Cumulative PV, AC, EV and the EAC projection per project and week (long form)."""
        return s_curve(self.portfolio.tasks, self.portfolio.costs, status_date=self.status_date)

    @cached_property
    def portfolio_s_curve(self) -> pd.DataFrame:
        """The S-curve summed over every project (long form, ``date, series, value``)."""
        curves = self.s_curves
        if curves.empty:
            return curves.drop(columns="project_id")
        grid = curves.pivot_table(index="date", columns=["series", "project_id"], values="value", aggfunc="sum")
        grid = grid.sort_index().ffill()  # a finished project's curve stays at its last value
        summed = {series: grid[series].sum(axis=1, min_count=1) for series in ("pv", "ac", "ev")
                  if series in grid.columns.get_level_values(0)}
        out = pd.DataFrame(summed).reset_index().melt(id_vars="date", var_name="series", value_name="value")
        out = out.dropna()
        status = pd.Timestamp(self.status_date)
        out = out[~((out["series"].isin(["ac", "ev"])) & (out["date"] > status))]
        ev = out[out["series"] == "ev"]
        out = pd.concat([out[out["series"] != "ev"], ev[ev["date"] == ev["date"].max()]])
        return out.reset_index(drop=True)

    # --- roll-ups --------------------------------------------------------------------------------
    @cached_property
    def programs(self) -> pd.DataFrame:
        """Program roll-up: sums and ratios recomputed from sums, with schedule/cost/overall RAG."""
        frame = rollup(self.metrics, self.portfolio.projects, by="program")
        out = self.with_rags(frame, self.metrics.groupby("program")["overall_rag"].agg(worst_of))
        return self.with_exposure(out, self.metrics["program"])

    @cached_property
    def totals(self) -> pd.Series:
        """Portfolio totals: one row of sums and recomputed ratios, with RAGs."""
        frame = portfolio_totals(self.metrics, label=self.params.portfolio_name)
        worst = pd.Series({frame.index[0]: worst_of(self.metrics["overall_rag"])})
        out = self.with_rags(frame, worst)
        return self.with_exposure(out, pd.Series(frame.index[0], index=self.metrics.index)).iloc[0]

    def with_exposure(self, frame: pd.DataFrame, keys: pd.Series, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
        """Roll-up rows with the exposure rule: counts per RAG, BAC shares, and the headline RAG.

        ``index_rag`` keeps the RAG of the indices from the sums; ``overall_rag``
        becomes the worse of it and ``exposure_rag`` (docs/metrics.md, "Roll-ups:
        programs and portfolio"); ``overall_reason`` names what drove it.
        ``metrics`` (default: this run's) holds the projects' ``bac`` and
        ``overall_rag``, aligned with ``keys``.
        """
        rule = self.params.rollup_exposure
        shares = exposure(self.metrics if metrics is None else metrics, keys.to_numpy(), red_share=rule.red_share,
                          amber_share=rule.amber_share).reindex(frame.index)
        out = frame.copy()
        out["index_rag"] = out["overall_rag"]
        out = out.join(shares)
        out["exposure_rag"] = out["exposure_rag"].fillna("grey")
        out["overall_rag"] = worst_rag(out[["index_rag", "exposure_rag"]]).to_numpy()
        t = thresholds_from(self.params)
        index_reason = [
            "; ".join(r for r in (sched, cost) if r) for sched, cost in zip(
                reasons.index_reasons(out["spi"], out["schedule_rag"], name="schedule", label="SPI",
                                     green=t.spi_green, amber=t.spi_amber).where(out["schedule_rag"].eq(out["overall_rag"]), ""),
                reasons.index_reasons(out["cpi"], out["cost_rag"], name="cost", label="CPI",
                                     green=t.cpi_green, amber=t.cpi_amber).where(out["cost_rag"].eq(out["overall_rag"]), ""))]
        exposure_reason = out["exposure_reason"].where(out["exposure_rag"].eq(out["overall_rag"]), "")
        # Green: both halves of the rule, so a reader sees the exposure that stayed below its edge.
        out["overall_reason"] = [
            "; ".join(p for p in (a, b) if p) if level in ("red", "amber") else
            (f"indices green; {e}" if level == "green" else "not rated: no figure to judge by")
            for a, b, e, level in zip(index_reason, exposure_reason, out["exposure_reason"], out["overall_rag"])]
        return out

    def with_rags(self, frame: pd.DataFrame, worst_project: pd.Series | None = None) -> pd.DataFrame:
        """Schedule, cost and overall RAG of roll-up rows (from their SPI and CPI), with this run's thresholds."""
        worst_project = pd.Series(dtype="str") if worst_project is None else worst_project
        t = thresholds_from(self.params)
        out = frame.copy()
        out["schedule_rag"] = rag_from_index(out["spi"], green=t.spi_green, amber=t.spi_amber).to_numpy()
        out["cost_rag"] = rag_from_index(out["cpi"], green=t.cpi_green, amber=t.cpi_amber).to_numpy()
        out["overall_rag"] = worst_rag(out[["schedule_rag", "cost_rag"]]).to_numpy()
        out["worst_project_rag"] = worst_project.reindex(out.index).fillna("grey").to_numpy()
        return out

    # --- the other PMO dimensions ------------------------------------------------------------
    @cached_property
    def milestones(self) -> pd.DataFrame:
        return schedule.milestones(self.portfolio.tasks, status_date=self.status_date, at_risk_days=self.at_risk_days)

    def upcoming_milestones(self, days: int) -> pd.DataFrame:
        return schedule.upcoming_milestones(self.portfolio.tasks, status_date=self.status_date, days=days,
                                            at_risk_days=self.at_risk_days)

    @property
    def at_risk_days(self) -> int:
        """Forecast slip (days) beyond which an unfinished milestone is "at risk"."""
        return self.params.windows.milestone_at_risk_days

    @cached_property
    def overdue_tasks(self) -> pd.DataFrame:
        return schedule.overdue_tasks(self.portfolio.tasks, status_date=self.status_date)

    @cached_property
    def risk_register(self) -> pd.DataFrame:
        return risk.risk_register(self.portfolio.risks, status_date=self.status_date)

    @cached_property
    def issue_log(self) -> pd.DataFrame:
        return issues.issue_log(self.portfolio.issues, status_date=self.status_date)

    @cached_property
    def change_summary(self) -> pd.DataFrame:
        return changes.change_summary(self.portfolio.changes, status_date=self.status_date)

    @cached_property
    def baseline_movement(self) -> pd.DataFrame:
        return changes.baseline_movement(self.portfolio.tasks, self.portfolio.changes, status_date=self.status_date)

    @cached_property
    def compliance(self) -> pd.DataFrame:
        p = self.portfolio
        return compliance.compliance(p.projects, p.tasks, p.risks, p.status_updates, status_date=self.status_date,
                                     update_within_days=self.params.windows.status_update_days)

    @cached_property
    def budget(self) -> pd.DataFrame:
        return finance.budget_summary(self.portfolio.projects, self.metrics)

    @cached_property
    def runway(self) -> pd.DataFrame:
        return finance.budget_runway(self.portfolio.projects, self.portfolio.costs, status_date=self.status_date,
                                     weeks=self.params.windows.burn_rate_weeks)

    @cached_property
    def capacity_monthly(self) -> pd.DataFrame:
        return resources.capacity_vs_demand(self.portfolio.resources, self.portfolio.assignments, freq="MS")

    @cached_property
    def over_allocated(self) -> pd.DataFrame:
        return resources.over_allocated(self.portfolio.resources, self.portfolio.assignments)

    @cached_property
    def demand_ranked(self) -> pd.DataFrame:
        w = self.params.demand_weights
        weights = demand.DemandWeights(strategic_alignment=w.strategic_alignment,
                                       benefit_per_cost=w.benefit_per_cost, risk=w.risk)
        ranked = demand.score_demand(self.portfolio.demand, weights=weights)
        capacity = self.demand_capacity
        fit = demand.demand_fit(self.portfolio.demand, capacity=capacity, weights=weights)
        return ranked.merge(fit[["request_id", "cumulative_cost", "fits"]], on="request_id", how="left")

    @property
    def demand_capacity(self) -> float:
        """Budget left for new work: the parameter, else approved budgets not yet forecast to be spent."""
        if self.params.demand_capacity is not None:
            return float(self.params.demand_capacity)
        active = self.metrics[self.metrics["status"].astype(str).isin(["active", "on_hold"])]
        approved = self.portfolio.projects.set_index("project_id")["budget"].reindex(active["project_id"]).fillna(0)
        # An undefined EAC counts as AC + (BAC - EV), as in the roll-ups.
        fallback = active["ac"].fillna(0) + active["bac"].fillna(0) - active["ev"].fillna(0)
        return float(max(approved.sum() - active["eac"].fillna(fallback).sum(), 0.0))


def portfolio_metrics(portfolio: Portfolio, *, status_date, params: RunParameters | None = None) -> pd.DataFrame:
    """The metrics table of a portfolio (what ``pmo-report metrics`` prints)."""
    return PortfolioAnalysis(portfolio, status_date=status_date, params=params).metrics
