"""Governance compliance: which PMO rules each project meets, as of the status date.

Only projects whose status is in ``checked_statuses`` (by default ``active``
and ``on_hold``) are checked; ``closed`` and ``cancelled`` projects are listed
with ``checked`` False, every rule ``<NA>``, ``score`` NaN and no breaches.

The rules, one boolean column each (risks raised after the status date T and
status updates dated after it do not count):

``has_baseline``
    The project has tasks, all with baseline dates and a budget.
``recent_status_update``
    A status update dated within ``update_within_days`` days before T (T
    itself and the day that many days before included).
``risks_owned_and_mitigated``
    Every open risk has an owner and a mitigation (blank text is missing).
``no_overdue_mitigations``
    No open risk is past its ``due_date``.
``tasks_have_owners``
    Every task has an owner.
``budget_covers_bac``
    The approved budget is at least the BAC (sum of task budgets); a project
    without an approved budget fails.

``score`` is the share of rules met (0-1) and ``breaches`` says what is wrong,
one phrase per problem joined by ``"; "``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp
from pmo_lib.metrics.risk import risk_register

RULES = [
    "has_baseline", "recent_status_update", "risks_owned_and_mitigated",
    "no_overdue_mitigations", "tasks_have_owners", "budget_covers_bac",
]
COMPLIANCE_COLUMNS = ["project_id", "checked", *RULES, "score", "breaches"]


def _blank(text: pd.Series) -> pd.Series:
    return text.fillna("").str.strip().eq("")


def _counted(count: pd.Series, singular: str, plural: str, rest: str) -> pd.Series:
    """``"1 task" + rest`` / ``"3 tasks" + rest`` where count > 0, else ``""``."""
    count = count.astype("int64")
    noun = pd.Series(np.where(count == 1, singular, plural), index=count.index, dtype="str")
    phrase = count.astype("str") + " " + noun + rest
    return phrase.where(count > 0, "")


def _when(condition: pd.Series, text: str | pd.Series) -> pd.Series:
    """``text`` where ``condition`` holds, else ``""``."""
    return pd.Series(text, index=condition.index, dtype="str").where(condition, "")


def _money(amount: pd.Series) -> pd.Series:
    return amount.map("{:,.0f}".format, na_action="ignore").astype("str")


def compliance(
    projects: pd.DataFrame,
    tasks: pd.DataFrame,
    risks: pd.DataFrame,
    status_updates: pd.DataFrame,
    *,
    status_date: StatusDate,
    update_within_days: int = 14,
    checked_statuses: tuple[str, ...] = ("active", "on_hold"),
) -> pd.DataFrame:
    """Check every project against the PMO's governance rules (see the module docstring).

    Returns
    -------
    DataFrame
        ``project_id, checked``, one nullable boolean column per rule,
        ``score`` and ``breaches``, one row per project in ``projects``.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> projects = pd.concat([empty_table("projects"), pd.DataFrame({
    ...     "project_id": ["P1"], "name": ["CRM"], "program": ["X"], "manager": ["Ann"],
    ...     "status": pd.Categorical(["active"], categories=["active", "on_hold", "closed", "cancelled"]),
    ...     "budget": [900.0]})])
    >>> tasks = pd.concat([empty_table("tasks"), pd.DataFrame({
    ...     "project_id": ["P1"], "task_id": ["T1"], "name": ["Build"], "owner": ["Bo"],
    ...     "baseline_start": pd.to_datetime(["2026-01-01"]),
    ...     "baseline_finish": pd.to_datetime(["2026-02-01"]),
    ...     "percent_complete": [0.0], "budget": [1000.0]})])
    >>> updates = pd.concat([empty_table("status_updates"), pd.DataFrame({
    ...     "project_id": ["P1"], "status_date": pd.to_datetime(["2026-01-30"]), "summary": ["ok"]})])
    >>> row = compliance(projects, tasks, empty_table("risks"), updates,
    ...                  status_date="2026-02-06").iloc[0]
    >>> float(row["score"]), row["breaches"]
    (0.8333333333333334, 'approved budget 900 is below BAC 1,000')
    """
    status = status_timestamp(status_date)
    ids = pd.Index(projects["project_id"].sort_values().unique(), name="project_id")
    frame = projects.drop_duplicates("project_id").set_index("project_id").reindex(ids)

    missing = tasks[["baseline_start", "baseline_finish", "budget"]].isna().any(axis=1)
    work = tasks.assign(no_baseline=missing, no_owner=_blank(tasks["owner"])).groupby("project_id")
    work = work.agg(
        tasks=("task_id", "size"),
        no_baseline=("no_baseline", "sum"),
        no_owner=("no_owner", "sum"),
        bac=("budget", "sum"),
    ).reindex(ids).fillna({"tasks": 0, "no_baseline": 0, "no_owner": 0, "bac": 0.0})

    register = risk_register(risks, status_date=status)
    open_risks = register[register["status"].eq("open")]
    exposed = open_risks.assign(
        unowned=_blank(open_risks["owner"]), unmitigated=_blank(open_risks["mitigation"])
    ).groupby("project_id")[["unowned", "unmitigated", "overdue"]].sum().reindex(ids, fill_value=0)

    updated = status_updates[happened(status_updates["status_date"], status)]
    last_update = updated.groupby("project_id")["status_date"].max().reindex(ids)

    budget = frame["budget"].astype("float64")
    rules = pd.DataFrame(
        {
            "has_baseline": work["tasks"].gt(0) & work["no_baseline"].eq(0),
            "recent_status_update": last_update.ge(status - pd.Timedelta(days=update_within_days)),
            "risks_owned_and_mitigated": exposed["unowned"].eq(0) & exposed["unmitigated"].eq(0),
            "no_overdue_mitigations": exposed["overdue"].eq(0),
            "tasks_have_owners": work["no_owner"].eq(0),
            "budget_covers_bac": budget.ge(work["bac"]),
        },
        index=ids,
    )
    stale = f"no status update in the last {update_within_days} days (last: "
    stale = (stale + last_update.dt.strftime("%Y-%m-%d") + ")").fillna("no status update on record")
    phrases = [
        _when(work["tasks"].eq(0), "no tasks, so no baseline"),
        _counted(work["no_baseline"], "task", "tasks", " without baseline dates or budget"),
        _when(~rules["recent_status_update"], stale),
        _counted(exposed["unowned"], "open risk", "open risks", " without an owner"),
        _counted(exposed["unmitigated"], "open risk", "open risks", " without a mitigation"),
        _counted(exposed["overdue"], "open risk", "open risks", " past due"),
        _counted(work["no_owner"], "task", "tasks", " without an owner"),
        _when(budget.isna(), "no approved budget"),
        _when(
            budget.lt(work["bac"]),
            "approved budget " + _money(budget) + " is below BAC " + _money(work["bac"]),
        ),
    ]
    joined = phrases[0].str.cat(phrases[1:], sep="; ")
    breaches = joined.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")

    checked = frame["status"].isin(checked_statuses)
    out = rules.astype("boolean")
    out.loc[~checked] = pd.NA
    out.insert(0, "checked", checked.astype(bool))
    out["score"] = rules.mean(axis=1).where(checked)
    out["breaches"] = breaches.where(checked, "").astype("str")
    return out.reset_index()[COMPLIANCE_COLUMNS]
