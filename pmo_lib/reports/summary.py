"""The written executive summary at the top of every page: plain sentences from computed facts.

Deterministic: each sentence is a text template kept as a file in
``pmo_lib/report_templates/summary/<key>.txt`` (Python ``str.format`` fields),
filled with figures the page also shows. No language model, no network.

A project's summary, in order: the overall colour and the rules that drove it
(a watermelon leads with the manager's colour and the measured one; closed,
on-hold and not-started projects have their own first sentence); how late
(forecast finish and slip against the baseline finish); how far over (EAC
against BAC, in money and percent); what changed since the previous run; the
top exception (a critical or high issue past its due date, a late milestone,
the worst open risk); the decisions needed. A program's or the portfolio's:
the headline colour with its reason and the project mix; the watermelons
inside; cost; schedule; what changed; the first project needing attention;
the decisions needed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from pmo_lib.formatting import escape, format_date, format_ratio, is_missing
from pmo_lib.rag import RAG_WORDS, normalize_rag, sort_worst_first
from pmo_lib.reports.html import HtmlFragment

TEMPLATES = Path(__file__).resolve().parent.parent / "report_templates" / "summary"


@cache
def template(key: str) -> str:
    """The text of template ``key`` (one line, ``str.format`` fields)."""
    return (TEMPLATES / f"{key}.txt").read_text(encoding="utf-8").strip()


def sentence(key: str, **facts) -> str:
    """Fill template ``key`` with ``facts``.

    Examples
    --------
    >>> sentence("decisions_none")
    'No decision is needed from the sponsor.'
    """
    return template(key).format(**facts)


def word(rag) -> str:
    """The RAG word a sentence uses (RED, AMBER, GREEN, N/A)."""
    return RAG_WORDS[normalize_rag(rag)]


def percent(part: float, whole: float) -> str:
    """``part`` as a percent of ``whole`` with one decimal ("27.1 %").

    Examples
    --------
    >>> percent(1_246_000, 3_569_600)
    '34.9 %'
    """
    return f"{abs(part) / whole * 100:.1f} %"


def summary_block(sentences: list[str]) -> HtmlFragment:
    """The summary element (``id="summary"``): the sentences as one escaped paragraph."""
    body = " ".join(s for s in sentences if s)
    html = (f'<section id="summary" class="pmo-summary" aria-label="Summary" style="border-left:4px solid '
            f'#0969da;background:#f6f8fa;padding:10px 14px;margin:0 0 1em;border-radius:0 4px 4px 0">'
            f'<h2 class="pmo-section" style="margin:0 0 4px;font-size:1.1em">Summary</h2>'
            f'<p style="margin:0">{escape(body)}</p></section>')
    return HtmlFragment(html, body)


# --- project --------------------------------------------------------------------------------------
def _lead(view) -> str:
    r, plan, name = view.row, view.plan, view.project["name"]
    stage = str(r.get("stage", "active"))
    rag, reason = word(r["overall_rag"]), r["overall_reason"]
    if stage in ("closed", "cancelled"):
        budget = plan.current_budget
        variance = float(budget) - float(r["ac"]) if not is_missing(budget) else 0.0
        slip = ""
        if not is_missing(plan.actual_finish) and not is_missing(r["planned_finish"]):
            days = (pd.Timestamp(plan.actual_finish) - pd.Timestamp(r["planned_finish"])).days
            slip = (f", {abs(days)} days {'after' if days > 0 else 'before'} its baseline finish"
                    if days else ", on its baseline finish")
        return sentence("project_closed", name=name, final_cost=view.money(r["ac"]), budget=view.money(budget),
                        variance=view.money(abs(variance)), direction="under" if variance >= 0 else "over",
                        finish=format_date(plan.actual_finish), finish_slip=slip)
    if stage == "not_started":
        days = (pd.Timestamp(r["planned_start"]) - pd.Timestamp(view.status_date)).days
        return sentence("project_not_started", name=name, start=format_date(r["planned_start"]), days=days,
                        bac=view.money(r["bac"]), finish=format_date(r["planned_finish"]))
    if bool(r.get("watermelon", False)):
        return sentence("project_watermelon", name=name, manager_rag=word(r["manager_rag"]),
                        manager_date=format_date(view.manager_rag_date), rag=rag, reason=reason)
    if stage == "on_hold" and not is_missing(plan.last_activity):
        days = (pd.Timestamp(view.status_date) - pd.Timestamp(plan.last_activity)).days
        return sentence("project_on_hold", name=name, since=format_date(plan.last_activity), days=days, rag=rag,
                        reason=reason)
    key = {"green": "project_green", "grey": "project_grey"}.get(normalize_rag(r["overall_rag"]), "project_status")
    return sentence(key, name=name, rag=rag, reason=reason)


def _schedule(view) -> str:
    r = view.row
    if is_missing(r["forecast_finish"]) or is_missing(r["planned_finish"]):
        return ""
    slip = (pd.Timestamp(r["forecast_finish"]) - pd.Timestamp(r["planned_finish"])).days
    facts = {"forecast": format_date(r["forecast_finish"]), "baseline": format_date(r["planned_finish"]),
             "slip": abs(slip), "spi_t": format_ratio(r["spi_t"])}
    return sentence("schedule_late" if slip > 0 else "schedule_early" if slip < 0 else "schedule_on_time", **facts)


def _cost(view, eac, bac, *, key_prefix: str = "cost") -> str:
    if is_missing(eac) or is_missing(bac) or float(bac) <= 0:
        return ""
    variance = round(float(eac) - float(bac), 2)
    if variance == 0:
        return sentence(f"{key_prefix}_on_budget", bac=view.money(bac))
    return sentence(f"{key_prefix}_over" if variance > 0 else f"{key_prefix}_under", eac=view.money(eac),
                    bac=view.money(bac), variance=view.money(abs(variance)), percent=percent(variance, float(bac)))


def _change(view, now: str, before: dict | None, indices: dict) -> str:
    if before is None:
        return sentence("change_none")
    moves = [f"{label} {format_ratio(old)} → {format_ratio(new)}" for label, (old, new) in indices.items()
             if not is_missing(old) and not is_missing(new) and format_ratio(old) != format_ratio(new)]
    detail = f"; {', '.join(moves)}" if moves else ""
    was = before.get("overall")
    if is_missing(was) or normalize_rag(was) == normalize_rag(now):
        return sentence("change_same", now=word(now), detail=detail)
    return sentence("change_status", was=word(was), now=word(now), detail=detail)


def _decisions(decisions: pd.DataFrame) -> str:
    if decisions.empty:
        return sentence("decisions_none")
    counts = decisions["kind"].value_counts()
    kinds = [f"{int(counts[k])} {KIND_WORDS[k][int(counts[k]) != 1]}" for k in KIND_WORDS if k in counts]
    return sentence("decisions", count=len(decisions), kinds=", ".join(kinds))


KIND_WORDS = {"asked": ("asked for by the manager", "asked for by the manager"),
              "change": ("change request", "change requests"), "issue": ("overdue issue", "overdue issues"),
              "risk": ("red risk past its date", "red risks past their date")}


def top_exception(view, ids) -> str | None:
    """The one exception a sponsor should hear of first, among the projects ``ids``.

    A critical or high issue past its due date, else the latest milestone that
    is late, else an open critical issue, else the highest-scoring open risk
    (scoring at least 15).
    """
    names = view.analysis.portfolio.projects.set_index("project_id")["name"]
    several = len(ids) > 1

    def where(pid):
        return f" ({names.get(pid, pid)})" if several else ""

    log = view.analysis.issue_log
    log = log[log["project_id"].isin(ids) & log["overdue"].astype(bool)
              & log["priority"].astype(str).isin(["critical", "high"])]
    if len(log):
        i = log.assign(_o=log["priority"].astype(str).map({"critical": 0, "high": 1})).sort_values(
            ["_o", "days_overdue"], ascending=[True, False]).iloc[0]
        return (f"{i['priority']} issue {i['issue_id']} “{i['title']}”{where(i['project_id'])} is "
                f"{int(i['days_overdue'])} days past its due date")
    stones = view.analysis.milestones
    stones = stones[stones["project_id"].isin(ids) & stones["state"].eq("late")]
    if len(stones):
        m = stones.sort_values(["slip_days", "task_id"], ascending=[False, True]).iloc[0]
        return (f"milestone “{m['name']}”{where(m['project_id'])} is late: baseline "
                f"{format_date(m['baseline_finish'])}, forecast {format_date(m['forecast_finish'])} "
                f"({int(m['slip_days'])} days after its baseline)")
    log = view.analysis.issue_log
    critical = log[log["project_id"].isin(ids) & log["is_open"].astype(bool) & log["priority"].astype(str).eq("critical")]
    if len(critical):
        i = critical.sort_values(["age_days", "issue_id"], ascending=[False, True]).iloc[0]
        return f"critical issue {i['issue_id']} “{i['title']}”{where(i['project_id'])} is open, {int(i['age_days'])} days old"
    if view.analysis.portfolio.has("risks"):
        register = view.analysis.risk_register
        risks = register[register["project_id"].isin(ids) & register["status"].astype(str).eq("open")
                         & register["score"].ge(15).fillna(False)]
        if len(risks):
            k = risks.sort_values(["score", "exposure"], ascending=False).iloc[0]
            return (f"risk {k['risk_id']} “{k['title']}”{where(k['project_id'])} scores {int(k['score'])}"
                    + (f" (exposure {view.money(k['exposure'])})" if not is_missing(k["exposure"]) else ""))
    return None


def project_sentences(view, decisions: pd.DataFrame) -> list[str]:
    """The summary sentences of a :class:`~pmo_lib.reports.project.ProjectReport`."""
    r = view.row
    stage = str(r.get("stage", "active"))
    out = [_lead(view)]
    if stage in ("active", "on_hold"):
        out += [_schedule(view), _cost(view, r["eac"], r["bac"])]
    before = view._before
    previous = None if before is None else {"overall": before.get("overall_rag")}
    indices = {} if before is None else {k.upper(): (before.get(k), r[k]) for k in ("cpi", "spi")}
    out.append(_change(view, r["overall_rag"], previous, indices))
    exception = top_exception(view, {view.project_id})
    if exception and stage not in ("closed", "cancelled", "not_started"):
        out.append(sentence("exception", exception=exception))
    out.append(_decisions(decisions))
    return [s for s in out if s]


# --- program and portfolio ------------------------------------------------------------------------
def rollup_sentences(view, scope: str, metrics: pd.DataFrame, totals: pd.Series, decisions: pd.DataFrame,
                     before: dict | None) -> list[str]:
    """The summary sentences of a program or the portfolio (``metrics``: its projects)."""
    out = [sentence("rollup_status", scope=scope, rag=word(totals["overall_rag"]), reason=totals["overall_reason"],
                    projects=f"{len(metrics)} project{'s' if len(metrics) != 1 else ''}",
                    mix=view.headline_mix(totals))]
    melons = metrics[metrics["watermelon"].astype(bool)]
    if len(melons):
        names = "; ".join(f"{r['project_id']} {r['name']} is reported {word(r['manager_rag'])} but measures "
                          f"{word(r['overall_rag'])}" for _, r in melons.iterrows())
        out.append(sentence("rollup_watermelons", count=len(melons),
                            watermelons="watermelon" if len(melons) == 1 else "watermelons", names=names))
    if not is_missing(totals["eac"]) and not is_missing(totals["bac"]) and totals["bac"] > 0:
        variance = round(float(totals["eac"]) - float(totals["bac"]), 2)
        out.append(sentence("rollup_cost", eac=view.money(totals["eac"]), bac=view.money(totals["bac"]),
                            variance=view.money(abs(variance)), percent=percent(variance, float(totals["bac"])),
                            direction="over" if variance > 0 else "under"))
    live = metrics[metrics["forecast_finish"].notna() & metrics["planned_finish"].notna()
                   & ~metrics["stage"].isin(["closed", "cancelled"])]
    slips = (live["forecast_finish"] - live["planned_finish"]).dt.days
    if len(live) and (slips > 0).any():
        worst = live.loc[slips.idxmax()]
        out.append(sentence("rollup_schedule", late=int((slips > 0).sum()), projects=len(live),
                            worst=f"{worst['project_id']} {worst['name']}", slip=int(slips.max())))
    elif len(live):
        out.append(sentence("rollup_schedule_on_time"))
    indices = {} if before is None else {"CPI": (before.get("cpi"), totals["cpi"]),
                                         "SPI": (before.get("spi"), totals["spi"])}
    out.append(_change(view, totals["overall_rag"], before, indices))
    attention = needs_attention(metrics)
    if len(attention):
        first = attention.iloc[0]
        out.append(sentence("rollup_attention", first=f"{first['project_id']} {first['name']} "
                                                       f"({word(first['overall_rag'])}: {first['why']})"))
    out.append(_decisions(decisions))
    return out


def needs_attention(metrics: pd.DataFrame) -> pd.DataFrame:
    """The exceptions of a program or portfolio: watermelons first, then red, then amber projects.

    Each row keeps its metrics and gains ``why``: for a watermelon the manager's
    and the measured colour, then the reason of the overall colour.
    """
    flagged = metrics[metrics["watermelon"].astype(bool) | metrics["overall_rag"].isin(["red", "amber"])]
    melon = flagged["watermelon"].astype(bool)
    why = flagged["overall_reason"].where(~melon, "watermelon: manager reports "
                                          + flagged["manager_rag"].astype(str).str.upper() + "; "
                                          + flagged["overall_reason"])
    ordered = sort_worst_first(flagged.assign(why=why, _melon=~melon), then=("_melon", "program", "project_id"))
    ordered = pd.concat([ordered[~ordered["_melon"]], ordered[ordered["_melon"]]])
    return ordered.drop(columns="_melon")
