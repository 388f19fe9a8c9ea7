"""Decisions needed: what a sponsor must decide or unblock, stated and derived.

Four sources, in this order of a project's list:

1. ``status_updates.decisions_needed`` of the latest update on or before the
   status date: what the manager asks for, shown whole as one item.
2. Change requests still ``proposed`` (raised on or before the status date).
3. Critical or high issues open past their due date.
4. Red risks (open, scoring at least the red score of the risk rule) past their
   mitigation due date.

Each decision is one row of ``project_id, kind, text``; a page shows them
under "Decisions needed" and says so in one line when there are none.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.formatting import format_date, format_money, is_missing

DECISION_COLUMNS = ["project_id", "kind", "text"]
KINDS = ("asked", "change", "issue", "risk")
"""The kinds of decision, in the order a project lists them."""


def _items(text) -> list[str]:
    if is_missing(text):
        return []
    text = str(text).strip()
    return [text] if text else []


def _asked(portfolio, status: pd.Timestamp) -> list[dict]:
    if not portfolio.has("status_updates"):
        return []
    updates = portfolio.status_updates
    if "decisions_needed" not in updates:
        return []
    updates = updates[updates["status_date"].le(status)]
    latest = updates.sort_values("status_date").drop_duplicates("project_id", keep="last")
    return [{"project_id": pid, "kind": "asked", "text": f"The manager asks: {item}"}
            for pid, text in zip(latest["project_id"], latest["decisions_needed"]) for item in _items(text)]


def _changes(portfolio, status: pd.Timestamp, currency: str) -> list[dict]:
    if not portfolio.has("changes"):
        return []
    log = portfolio.changes
    log = log[log["status"].astype(str).eq("proposed") & log["raised_date"].le(status)]
    rows = []
    for r in log.sort_values(["raised_date", "change_id"]).itertuples(index=False):
        impact = []
        if not is_missing(r.cost_impact) and float(r.cost_impact) != 0:
            impact.append(f"{'+' if r.cost_impact > 0 else '−'}{format_money(abs(r.cost_impact), currency)}")
        if not is_missing(r.schedule_impact_days) and int(r.schedule_impact_days) != 0:
            impact.append(f"{int(r.schedule_impact_days):+d} days")
        rows.append({"project_id": r.project_id, "kind": "change",
                     "text": f"Approve or reject change request {r.change_id} “{r.title}”"
                             + (f" ({', '.join(impact)})" if impact else "")
                             + f", proposed {format_date(r.raised_date)}"})
    return rows


def _issues(issue_log: pd.DataFrame, status: pd.Timestamp) -> list[dict]:
    if issue_log.empty:
        return []
    severe = issue_log[issue_log["overdue"].astype(bool) & issue_log["priority"].astype(str).isin(["critical", "high"])]
    severe = severe.assign(_o=severe["priority"].astype(str).map({"critical": 0, "high": 1}))
    rows = []
    for r in severe.sort_values(["_o", "due_date", "issue_id"]).itertuples(index=False):
        late = (status - pd.Timestamp(r.due_date)).days
        rows.append({"project_id": r.project_id, "kind": "issue",
                     "text": f"Unblock {r.priority} issue {r.issue_id} “{r.title}”, due {format_date(r.due_date)} "
                             f"({late} days overdue)"})
    return rows


def _risks(register: pd.DataFrame, status: pd.Timestamp, red_score: int) -> list[dict]:
    if register.empty:
        return []
    red = register[register["status"].astype(str).eq("open") & register["score"].ge(red_score).fillna(False)
                   & register["overdue"].astype(bool)]
    rows = []
    for r in red.sort_values(["score", "due_date", "risk_id"], ascending=[False, True, True]).itertuples(index=False):
        late = (status - pd.Timestamp(r.due_date)).days
        rows.append({"project_id": r.project_id, "kind": "risk",
                     "text": f"Act on red risk {r.risk_id} “{r.title}” (score {int(r.score)}): mitigation was due "
                             f"{format_date(r.due_date)} ({late} days ago)"})
    return rows


def decisions_needed(analysis, *, red_score: int = 20) -> pd.DataFrame:
    """Every decision needed across the portfolio, per project in :data:`KINDS` order.

    Parameters
    ----------
    analysis : PortfolioAnalysis
        The portfolio's analysis (its data, issue log and risk register).
    red_score : int, default 20
        The score from which an open risk is red (the risk rule's).

    Returns
    -------
    DataFrame
        ``project_id, kind, text``, sorted by project then kind.
    """
    status = pd.Timestamp(analysis.status_date)
    portfolio = analysis.portfolio
    rows = (_asked(portfolio, status) + _changes(portfolio, status, analysis.params.currency)
            + _issues(analysis.issue_log if portfolio.has("issues") else pd.DataFrame(), status)
            + _risks(analysis.risk_register if portfolio.has("risks") else pd.DataFrame(), status, red_score))
    frame = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    order = {kind: i for i, kind in enumerate(KINDS)}
    frame = frame.assign(_k=frame["kind"].map(order), _n=range(len(frame)))
    return frame.sort_values(["project_id", "_k", "_n"]).drop(columns=["_k", "_n"]).reset_index(drop=True)
