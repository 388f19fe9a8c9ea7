"""What every report view shares: the analysis, the currency, the previous run."""

from __future__ import annotations

import functools
import html as html_module
import inspect
import re

import pandas as pd
from altair.utils.schemapi import debug_mode

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.formatting import (
    escape,
    format_date,
    format_days,
    format_money,
    format_ratio,
    is_missing,
    use_number_format,
)
from pmo_lib.metrics.rollup import portfolio_totals
from pmo_lib.rag import normalize_rag
from pmo_lib.reports.decisions import decisions_needed
from pmo_lib.reports.html import HtmlFragment, Tile, _badge_html
from pmo_lib.reports.links import PageLinks
from pmo_lib.reports.memo import remember
from pmo_lib.reports.summary import needs_attention
from pmo_lib.reports.tables import table

RAG_DIMENSIONS = {"schedule": "schedule_rag", "cost": "cost_rag", "milestones": "milestone_rag",
                  "risks": "risk_rag", "issues": "issue_rag"}


def dimension_rag(value):
    """A tile's colour from its dimension's RAG: None (no pill) where the dimension is not rated.

    Examples
    --------
    >>> dimension_rag("red"), dimension_rag("grey"), dimension_rag(None)
    ('red', None, None)
    """
    level = normalize_rag(value)
    return None if level == "grey" else level


def combine(*parts) -> HtmlFragment:
    """One fragment showing several fragments or charts in order (keeping the first part's metadata).

    Examples
    --------
    >>> combine(HtmlFragment("<p>a</p>", "a", meta={"rag": "red"}), HtmlFragment("<p>b</p>", "b")).html
    '<p>a</p><p>b</p>'
    >>> combine(HtmlFragment("<p>a</p>", "a", meta={"rag": "red"}), HtmlFragment("<p>b</p>", "b")).meta
    {'rag': 'red'}
    """
    shown = [p for p in parts if p is not None]
    html = "".join(p._repr_html_() for p in shown)
    text = "\n".join(repr(p) for p in shown)
    meta = next((p.meta for p in shown if getattr(p, "meta", None)), None)
    return HtmlFragment(html, text, meta=dict(meta) if meta else None)


def _named_output(name: str, method):
    """Wrap a view method so that what it returns carries its section name in the output metadata."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        # The chart builders are validated by their own tests; Altair's validation of every object
        # as it is built (its "debug mode") would cost about a tenth of a project page.
        with debug_mode(False):
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
        use_number_format(analysis.params.number_format)  # the run's one format, for every output
        self.links = PageLinks(analysis.params.reports, analysis.metrics["program"].astype(str).unique(),
                               existing=getattr(analysis, "pages", None))

    here: str | None = None
    """This page's path in the run folder (``projects/PRJ-003.html``), for relative links."""

    def link(self, scope: str, subject: str, text: str) -> str:
        """An escaped link from this page to another page of the run (the escaped text where none exists)."""
        return self.links.anchor(self.here, scope, subject, text)

    def nav(self, groups: list[tuple[str, list[str]]]) -> HtmlFragment:
        """A navigation block: ``(label, [link html, ...])`` lines, e.g. the program and the portfolio."""
        lines = [f'<li><span class="pmo-nav__label">{escape(label)}:</span> {" · ".join(items)}</li>'
                 for label, items in groups if items]
        html = ('<nav class="pmo-nav" aria-label="Related pages"><ul style="list-style:none;margin:0 0 1em;'
                f'padding:0;font-size:0.9em">{"".join(lines)}</ul></nav>')
        # the plain text (a mail's text part) names the pages: the links' own text, unescaped
        text = "\n".join(f"{label}: " + " · ".join(html_module.unescape(re.sub(r"<[^>]+>", "", i)) for i in items)
                         for label, items in groups if items)
        return HtmlFragment(html, text)

    def attention_table(self, metrics: pd.DataFrame) -> HtmlFragment:
        """Needs attention: watermelons first, then red and amber projects, each with its reason."""
        flagged = needs_attention(metrics)
        if flagged.empty:
            return HtmlFragment('<p class="pmo-attention pmo-attention--none">No project needs attention: none is '
                                'red, amber or a watermelon.</p>', "No project needs attention.")
        rows = []
        for _, r in flagged.iterrows():
            melon = bool(r["watermelon"])
            rows.append(
                f"<tr><td>{self.link('project', r['project_id'], str(r['name']))}</td>"
                f'<td style="white-space:nowrap">{escape(r["project_id"])}</td>'
                f"<td>{_badge_html(r['overall_rag'])}</td>"
                f"<td>{'watermelon: manager says ' + _badge_html(r['manager_rag']) if melon else ''}</td>"
                f"<td>{escape(r['overall_reason'])}</td></tr>")
        html = ('<div class="pmo-table-wrap" style="overflow-x:auto;margin:0.5em 0 1em">'
                '<table class="pmo-table pmo-attention" style="border-collapse:collapse">'
                f'<caption class="pmo-caption" style="caption-side:top;text-align:left;font-weight:600">'
                f'{len(flagged)} project{"s" if len(flagged) != 1 else ""} need{"s" if len(flagged) == 1 else ""} '
                'attention</caption><thead><tr><th scope="col">Project</th><th scope="col">ID</th>'
                '<th scope="col">Overall</th><th scope="col">Reported</th><th scope="col">Reason</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div>')
        text = "\n".join(f"{r['project_id']} {str(r['overall_rag']).upper()}: {r['why']}" for _, r in flagged.iterrows())
        return HtmlFragment(html, text)

    @property
    def status_date(self):
        return self.analysis.status_date

    def money(self, value, *, compact: bool | None = None) -> str:
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
        """SPI, CPI and the RAGs of the previous run, recomputed from the sums of these projects (headline rule)."""
        if self.previous is None:
            return None
        rows = self.previous if project_ids is None else self.previous_row(project_ids)
        if rows is None or not len(rows) or not {"bac", "ev", "pv", "ac", "eac"} <= set(rows.columns):
            return None
        totals = self.analysis.with_rags(portfolio_totals(rows, label="previous"))
        if "overall_rag" in rows:  # the headline then, as now: the indices and the exposure rule
            totals = self.analysis.with_exposure(totals, pd.Series("previous", index=rows.index), metrics=rows)
        totals = totals.iloc[0]
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

    def finish_tile(self, planned, forecast, *, rag=None, adjusted=None) -> Tile:
        """Forecast finish against the baseline (the slip in days), and the plan after approved changes.

        The tile takes the colour of the schedule forecast (``rag``: the SPI
        thresholds applied to SPI(t), from which the forecast finish comes).
        """
        sub = f"baseline {format_date(planned)}"
        if not is_missing(planned) and not is_missing(forecast):
            slip = (pd.Timestamp(forecast) - pd.Timestamp(planned)).days
            sub += f" ({format_days(slip)})"
        if not is_missing(adjusted) and not is_missing(planned) and pd.Timestamp(adjusted) != pd.Timestamp(planned):
            sub += f"; after approved changes {format_date(adjusted)}"
        return Tile("Forecast finish", format_date(forecast), sub=sub, rag=dimension_rag(rag))

    @functools.cached_property
    def all_decisions(self) -> pd.DataFrame:
        """Every decision needed in the portfolio (see :mod:`pmo_lib.reports.decisions`)."""
        red_score = self.analysis.params.rag_rules.risks.red_score
        # the same for every page of the run: computed once per analysis, not once per page
        return remember(self.analysis, ("decisions_needed", red_score),
                        lambda: decisions_needed(self.analysis, red_score=red_score))

    def decisions_block(self, ids) -> HtmlFragment:
        """The "Decisions needed" list of these projects; one line when there are none."""
        frame = self.all_decisions[self.all_decisions["project_id"].isin(list(ids))]
        title = '<h2 class="pmo-section" id="decisions">Decisions needed</h2>'
        if frame.empty:
            return HtmlFragment(f'{title}<p class="pmo-decisions pmo-decisions--none">No decision is needed: no '
                                'change request awaits a decision, no critical or high issue and no red risk is '
                                'past its date, and no manager asked for one.</p>', "No decision is needed.")
        names = self.analysis.portfolio.projects.set_index("project_id")["name"]
        several = len(set(ids)) > 1
        items = [f"{names.get(pid, pid)} ({pid}): {text}" if several else text
                 for pid, text in zip(frame["project_id"], frame["text"])]
        html = title + '<ol class="pmo-decisions">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ol>"
        return HtmlFragment(html, "Decisions needed:\n" + "\n".join(f"- {i}" for i in items))

    @staticmethod
    def headline_mix(totals: pd.Series) -> str:
        """The counts and budget shares beside a roll-up's colour: "5 red (20 % of budget), 4 amber, 15 green".

        Examples
        --------
        >>> ReportView.headline_mix(pd.Series({"red": 5, "amber": 4, "green": 15, "grey": 0,
        ...                                    "red_bac_share": 0.197, "amber_bac_share": 0.2}))
        '5 red (20 % of budget), 4 amber (20 %), 15 green'
        """
        parts = []
        for level in ("red", "amber", "green", "grey"):
            count = int(totals.get(level, 0) or 0)
            if not count:
                continue
            word = "not rated" if level == "grey" else level
            share = totals.get(f"{level}_bac_share")
            if level in ("red", "amber") and not is_missing(share):
                label = " of budget" if level == "red" or not parts else ""
                parts.append(f"{count} {word} ({share * 100:.0f} %{label})")
            else:
                parts.append(f"{count} {word}")
        return ", ".join(parts) or "no projects"

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
