"""The sample's registers: risks, issues, changes, assignments, status updates and demand."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from pmo_lib.data.sample.banks import (
    _CHANGES,
    _CRITICAL_ISSUES,
    _DEMAND,
    _FITS,
    _ISSUES,
    _LATEST_SUMMARIES,
    _RAG_LEVELS,
    _RISKS,
    _SPECIAL_ISSUE,
    _SPECIAL_RISK,
    _SPONSORS,
    _SUMMARIES,
    _TROUBLED,
    _WATCH_ISSUE,
    _WATCH_RISK,
    PROGRAMS,
)
from pmo_lib.data.sample.common import (
    _frame,
    _ids,
    _pick,
    _rag,
    _round_to,
    _within,
    _workday,
)


# ---------------------------------------------------------------------------
# Registers: risks, issues, changes
# ---------------------------------------------------------------------------
def _member(rng: np.random.Generator, team: pd.DataFrame, p: np.ndarray) -> np.ndarray:
    """A random member (manager included) of each project in ``p``."""
    owners = team["p"].to_numpy()
    first = np.searchsorted(owners, np.arange(owners.max() + 1))
    size = np.bincount(owners)
    return team["r"].to_numpy()[first[p] + (rng.random(p.size) * size[p]).astype(np.int64)]


def _raised(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A whole day between ``low`` and ``high`` inclusive."""
    high = np.maximum(high, low)
    return low + np.floor(rng.random(low.size) * (high - low + 1)).astype(np.int64)


def _register(rng: np.random.Generator, plan: pd.DataFrame, counts: np.ndarray,
              titles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick ``counts`` distinct register entries per project, suited to its program."""
    fits = np.array([_FITS.get(title, (1.0,) * len(PROGRAMS)) for title in titles]).T
    p, which = _pick(rng, counts, fits[plan["program"].to_numpy()])
    return p, which, plan["story"].to_numpy()[p]


def _risks(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict, today: int) -> pd.DataFrame:
    """Three to seven risks a project, scored so the risk RAG tells the project's story.

    Troubled projects (late, over budget, watermelon) draw probability and
    impact freely (1-5 each), so they hold the scores of 20 and more, and half
    of their overdue mitigations are left overdue. Elsewhere risks score at
    most 12 and nearly every overdue mitigation has been given a new date;
    the amber-risk project's first risk scores 15 or 16 (amber), and so does
    that of about one other sound project in thirty. An on-hold project's
    first three risks stay open with their mitigations overdue since the
    pause (more than two overdue: red).
    """
    p, which, story = _register(rng, plan, rng.integers(3, 8, len(plan)), [r[0] for r in _RISKS])
    j = _within(p)
    title = np.array([_RISKS[w][0] for w in which], dtype=object)
    mitigation = np.array([_RISKS[w][1] for w in which], dtype=object)
    special = (story == "late") & (j == 0)
    title[special], mitigation[special] = _SPECIAL_RISK
    watch = (story == "amber_risk") & (j == 0)
    title[watch], mitigation[watch] = _WATCH_RISK
    troubled = np.isin(story, _TROUBLED)
    stalled = (story == "on_hold") & (j < 3)
    sound = ~troubled & ~np.isin(story, ("closed", "on_hold"))
    elevated = watch | ((rng.random(len(plan)) < 0.03)[p] & (j == 0) & sound)
    status = np.where(rng.random(p.size) < 0.7, "open", "closed")
    status = np.where(special | stalled | elevated | (story == "not_started"), "open", status)
    status = np.where(story == "closed", "closed", status)
    is_open = (status == "open") & ~special & ~watch
    owner = people["name"][_member(rng, team, p)].astype(object)
    owner[is_open & (rng.random(p.size) < 0.08)] = ""
    mitigation[is_open & (rng.random(p.size) < 0.08)] = ""
    start = plan["start"].to_numpy()[p]
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today).astype(np.int64)
    raised = _raised(rng, np.minimum(start, today) - 30, end)
    due = raised + rng.integers(21, 121, p.size)
    # paused work: the mitigation fell due during the hold (at least a week ago) and nobody moved it
    paused_due = today - plan["hold_days"].to_numpy()[p] + rng.integers(7, 29, p.size)
    due = np.where(stalled, paused_due, due)
    raised = _workday(np.where(stalled, np.minimum(raised, due - 28), raised), later=False)
    due = np.where(stalled, _workday(due, later=False), _workday(due, later=True))
    kept_up = np.where(troubled, 0.5, 0.99)  # share of overdue mitigations given a new date
    reviewed = watch | (is_open & ~stalled & (due < today) & (rng.random(p.size) < kept_up))
    due = np.where(reviewed, _workday(today + rng.integers(7, 91, p.size), later=True), due)
    probability = rng.integers(1, 6, p.size)
    impact = rng.integers(1, 6, p.size)
    # on sound projects a risk scores at most 12: a likely risk has a limited impact and vice versa
    calm_probability = rng.choice(np.arange(1, 6), p.size, p=[0.20, 0.35, 0.30, 0.10, 0.05])
    calm_impact = rng.choice(np.arange(1, 6), p.size, p=[0.10, 0.30, 0.35, 0.15, 0.10])
    calm_probability = np.minimum(calm_probability, 12 // calm_impact)
    probability = np.where(troubled, probability, calm_probability)
    impact = np.where(troubled, impact, calm_impact)
    high = np.array([[3, 5], [4, 4], [5, 3]])[rng.integers(0, 3, p.size)]  # 15 or 16: amber, not red
    probability = np.where(elevated, high[:, 0], np.where(special, 4, probability))
    impact = np.where(elevated, high[:, 1], np.where(special, 5, impact))
    return _frame("risks", {
        "project_id": plan["project_id"].to_numpy()[p],
        "risk_id": _ids("R", j + 1, 2),
        "title": title,
        "probability": probability,
        "impact": impact,
        "status": status,
        "owner": owner,
        "mitigation": mitigation,
        "raised_date": raised,
        "due_date": due,
        "cost_impact": _round_to(rng.random(p.size) ** 2 * 50_000 * impact, 1000),
    })


def _issues(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict, today: int) -> pd.DataFrame:
    """Up to four issues a project, their priorities and due dates following the project's story.

    The late, over-budget and stale-update projects each have an open
    critical issue (red); the stale one is overdue and was opened after the
    project's last status update. The amber-issue project has an open high
    issue, not yet due. Open issues of the other sound projects are low or
    medium, rarely high (amber), never critical, and nearly all past their
    due date have been given a new one; troubled projects draw priorities
    freely and leave more issues overdue.
    """
    kind = plan["story"].to_numpy()
    counts = rng.integers(0, 5, len(plan))
    counts = np.where(kind == "not_started", np.minimum(counts, 1), counts)
    counts = np.where(kind == "amber_issue", np.maximum(counts, 1), counts)
    counts = np.where(np.isin(kind, ("closed", "watermelon", *_CRITICAL_ISSUES)), np.maximum(counts, 2), counts)
    p, which, story = _register(rng, plan, counts, list(_ISSUES))
    j = _within(p)
    title = np.array(_ISSUES, dtype=object)[which]
    special = (story == "watermelon") & (j == 0)
    title[special] = _SPECIAL_ISSUE
    watch = (story == "amber_issue") & (j == 0)
    title[watch] = _WATCH_ISSUE
    critical = np.isin(story, tuple(_CRITICAL_ISSUES)) & (j == 0)
    for s, text in _CRITICAL_ISSUES.items():
        title[critical & (story == s)] = text
    troubled = np.isin(story, _TROUBLED)
    priority = rng.choice(4, p.size, p=[0.3, 0.4, 0.22, 0.08])
    closed = ~special & ~critical & ~watch & ((story == "closed") | (rng.random(p.size) < 0.5))
    calm = rng.choice(3, p.size, p=[0.35, 0.63, 0.02])  # open issues of sound projects: rarely high
    priority = np.where(closed | troubled, priority, calm)
    priority = np.where(critical, 3, np.where(special | watch, 2, priority))
    owner = people["name"][_member(rng, team, p)].astype(object)
    owner[~closed & ~critical & ~watch & (rng.random(p.size) < 0.1)] = ""
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today).astype(np.int64)
    start = np.maximum(plan["start"].to_numpy()[p], np.where(closed, today - 200, today - 60))
    opened = _raised(rng, np.minimum(start, end - 5), end)
    unreported = critical & (story == "stale_update")  # after the last update, six weeks ago
    opened = _workday(np.where(unreported, today - rng.integers(15, 29, p.size), opened), later=False)
    closed_on = _workday(np.minimum(opened + rng.integers(2, 41, p.size), today), later=False)
    due = opened + np.array([35, 21, 10, 5])[priority]
    kept_up = np.where(troubled, 0.6, np.where(unreported, 0.0, np.where(watch, 1.0, 0.98)))  # share of overdue issues given a new date
    replanned = ~closed & (due < today) & (rng.random(p.size) < kept_up)
    due = _workday(np.where(replanned, today + rng.integers(3, 30, p.size), due), later=True)
    return _frame("issues", {
        "project_id": plan["project_id"].to_numpy()[p],
        "issue_id": _ids("I", j + 1, 2),
        "title": title,
        "priority": np.array(("low", "medium", "high", "critical"), dtype=object)[priority],
        "status": np.where(closed, "closed", "open"),
        "opened_date": opened,
        "owner": owner,
        "closed_date": np.where(closed, closed_on, np.nan),
        "due_date": due,
    })


def _every_status(rng: np.random.Generator, choices: int, size: int, odds: list[float]) -> np.ndarray:
    """Random statuses, the first ``choices`` rows forced to show every one."""
    status = rng.choice(choices, size, p=odds)
    head = min(size, choices)
    status[:head] = rng.permutation(choices)[:head]
    return status


def _changes(rng: np.random.Generator, plan: pd.DataFrame, today: int) -> pd.DataFrame:
    kind = plan["story"].to_numpy()
    counts = np.where(kind == "not_started", 0, rng.integers(0, 4, len(plan)))
    counts = np.where(np.isin(kind, ("over_budget", "late", "closed")), np.maximum(counts, 2), counts)
    p, which, story = _register(rng, plan, counts, list(_CHANGES))
    status = _every_status(rng, 4, p.size, [0.25, 0.35, 0.15, 0.25])
    start = plan["start"].to_numpy()[p]
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today - 1).astype(np.int64)
    raised = _workday(_raised(rng, np.minimum(start + 14, end), end), later=False)
    cost = rng.gamma(1.5, 30_000, p.size) * np.where(rng.random(p.size) < 0.15, -0.5, 1.0)
    return _frame("changes", {
        "project_id": plan["project_id"].to_numpy()[p],
        "change_id": _ids("CR-", _within(p) + 1, 2),
        "title": np.array(_CHANGES, dtype=object)[which],
        "status": np.array(("proposed", "approved", "rejected", "implemented"), dtype=object)[status],
        "cost_impact": _round_to(cost, 100),
        "schedule_impact_days": rng.integers(-5, 46, p.size),
        "raised_date": raised,
        "decided_date": np.where(status == 0, np.nan, _workday(np.minimum(raised + rng.integers(3, 31, p.size), today), later=False)),
    })


# ---------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------
def _assignments(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict,
                 today: int) -> pd.DataFrame:
    """Planned hours for 13 weeks before and 13 from the status date's week; actuals for past weeks.

    Each person books a share of their capacity (65-95 %) spread over the
    projects active that week; a few people have a crunch of 3-6 weeks at
    110-135 % of capacity, so the capacity report has something to show.
    """
    monday = today - ((today - 4) % 7)  # day 4 (1970-01-05) was a Monday
    weeks = monday + 7 * np.arange(-13, 13)
    n_people = len(people["id"])
    begin = np.fmin(plan["first_actual"].to_numpy(), plan["start"].to_numpy())
    end = plan["work_end"].to_numpy()
    pair_p, pair_r = team["p"].to_numpy(), team["r"].to_numpy()
    pair_weight = np.where(team["lead"].to_numpy(), 0.6, 1.0) * rng.gamma(2.0, 0.5, len(team))
    row = np.repeat(np.arange(len(team)), weeks.size)
    week = np.tile(np.arange(weeks.size), len(team))
    p = pair_p[row]
    keep = (weeks[week] + 6 >= begin[p]) & (weeks[week] <= end[p])
    row, week, p = row[keep], week[keep], p[keep]
    r = pair_r[row]
    key = r * weeks.size + week
    total = np.bincount(key, pair_weight[row], n_people * weeks.size)

    capacity = people["capacity"]
    load = capacity[:, None] * rng.uniform(0.65, 0.95, n_people)[:, None] * rng.uniform(0.9, 1.1, (n_people, weeks.size))
    crunch = rng.choice(n_people, max(3, round(0.15 * n_people)), replace=False)
    first = rng.integers(0, weeks.size - 5, crunch.size)
    span = (np.arange(weeks.size) >= first[:, None]) & (np.arange(weeks.size) < (first + rng.integers(3, 7, crunch.size))[:, None])
    load[crunch] = np.where(span, capacity[crunch, None] * rng.uniform(1.1, 1.35, (crunch.size, 1)), load[crunch])
    planned = np.maximum(_round_to(load.ravel()[key] * pair_weight[row] / total[key], 0.5), 0.5)
    past = weeks[week] < monday
    actual = np.where(past, _round_to(planned * rng.uniform(0.85, 1.15, planned.size), 0.5), np.nan)
    return _frame("assignments", {
        "project_id": plan["project_id"].to_numpy()[p],
        "resource_id": people["id"][r],
        "week_start": weeks[week],
        "planned_hours": planned,
        "actual_hours": actual,
    })


# ---------------------------------------------------------------------------
# Status updates
# ---------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _say(day: float) -> str:
    """A day number as ``6 Nov 2026`` (month names fixed, not the locale's)."""
    when = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def _nearest(updates: pd.DataFrame, tasks: pd.DataFrame, on: str, direction: str) -> pd.DataFrame:
    """For each update, the task of the same project nearest in ``on`` (before or after its date)."""
    found = pd.merge_asof(
        updates.sort_values("d", kind="stable"), tasks.sort_values(on, kind="stable"),
        left_on="d", right_on=on, by="p", direction=direction,
        allow_exact_matches=direction == "backward",
    )
    return found.sort_values("row", kind="stable").reset_index(drop=True)


def _status_updates(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int) -> pd.DataFrame:
    """Four fortnightly updates per project, ending on the last Friday on or before the status date."""
    n = len(plan)
    kind = plan["story"].to_numpy()
    friday = today - ((today - 1) % 7)
    ac = plan["ac"].to_numpy()
    cpi = np.where(ac > 0, plan["ev"].to_numpy() / np.where(ac > 0, ac, 1), np.nan)
    schedule_rag, cost_rag = _rag(plan["spi"].to_numpy()), _rag(cpi)
    dimension = np.where(cost_rag > schedule_rag, " cost", " schedule")
    latest = np.maximum(schedule_rag, cost_rag)
    latest = np.where(np.isin(kind, ("watermelon", "closed", "not_started")), 0, latest)
    latest = np.where(kind == "on_hold", np.maximum(latest, 1), latest)  # at least amber, never greener than its numbers
    step = rng.random((n, 4)) < 0.35
    step[:, 0] = False
    rag = np.maximum(latest[:, None] - np.cumsum(step, axis=1), 0)
    rag = np.where((kind == "watermelon")[:, None], 0, rag)[:, ::-1].ravel()  # oldest first

    p = np.repeat(np.arange(n), 4)
    age = np.tile(np.arange(3, -1, -1), n)  # fortnights before the latest
    d = friday - 14 * (age + np.where(kind == "stale_update", 3, 0)[p])
    updates = pd.DataFrame({"p": p, "d": d, "row": np.arange(p.size)})
    # what each update talks about, as known on its date: tasks by actual (else forecast) dates
    milestones = work["milestone"].to_numpy()
    begins = work["actual_start"].fillna(work["forecast_start"]).to_numpy().astype(np.int64)
    ends = work["actual_finish"].fillna(work["forecast_finish"]).to_numpy().astype(np.int64)
    tasks = pd.DataFrame({"p": work["p"], "begins": begins, "ends": ends, "name": work["name"],
                          "milestone": milestones})
    steps = tasks[~milestones]
    first_step = steps.sort_values("begins", kind="stable").groupby("p")["name"].first()
    current = _nearest(updates, steps, "begins", "backward")["name"]
    current = current.fillna(pd.Series(first_step.reindex(p).to_numpy())).to_numpy()
    milestone = _nearest(updates, tasks[milestones], "ends", "forward")["name"].fillna("go-live").to_numpy()
    finished = tasks[work["actual_finish"].notna().to_numpy()]
    recent = _nearest(updates, finished, "ends", "backward")
    upcoming = _nearest(updates, steps, "begins", "forward")

    story = kind[p]
    held = (story == "on_hold") & (d > today - plan["hold_days"].to_numpy()[p])
    pick = rng.integers(0, 6, p.size)
    summary, achievements, next_steps, decisions = [], [], [], []
    for i in range(p.size):
        s = story[i]
        level = _RAG_LEVELS[rag[i]] + (dimension[p[i]] if rag[i] else "")
        fill = {"task": current[i], "milestone": milestone[i]}
        if held[i]:
            text = _LATEST_SUMMARIES["on_hold"]
        elif age[i] == 0 and s in _LATEST_SUMMARIES:
            text = _LATEST_SUMMARIES[s]
        elif s == "closed":
            text = "Hypercare complete; the closure report is with the sponsor for approval."
        elif s == "not_started":
            text = "Initiation: business case approved and the project team being recruited."
        else:
            text = _SUMMARIES[level][pick[i] % len(_SUMMARIES[level])]
        summary.append(text.format(**fill))
        if s == "not_started":
            achievements.append("Charter signed off; team members confirmed with their line managers.")
        elif held[i]:
            achievements.append("No delivery work this period: the project is paused.")
        elif s == "closed" and age[i] < 3:
            achievements.append("Lessons-learned workshop held; final supplier invoices paid.")
        elif pd.notna(recent["ends"][i]) and recent["ends"][i] > d[i] - 14:
            verb = "Reached the milestone" if recent["milestone"][i] else "Completed"
            achievements.append(f"{verb} {recent['name'][i]} on {_say(recent['ends'][i])}.")
        else:
            achievements.append(f"Good progress on {current[i]}.")
        if held[i]:
            next_steps.append("Await the funding decision; a restart plan is ready within two weeks of approval.")
        elif pd.notna(upcoming["begins"][i]):
            next_steps.append(f"Start {upcoming['name'][i]} (planned {_say(upcoming['begins'][i])}).")
        elif s == "closed":
            next_steps.append("Track benefits with the business owner for six months.")
        else:
            next_steps.append(f"Finish {current[i]} and prepare for {milestone[i]}.")
        # What the manager asks the sponsor to decide, in the latest update only.
        if age[i] == 0 and held[i]:
            decisions.append("Approve or refuse the funding needed to restart the project")
        elif age[i] == 0 and s == "over_budget":
            decisions.append("Approve extra funding or cut scope: the forecast cost is above the approved budget")
        else:
            decisions.append("")
    return _frame("status_updates", {
        "project_id": plan["project_id"].to_numpy()[p],
        "status_date": d,
        "summary": summary,
        "achievements": achievements,
        "next_steps": next_steps,
        "manager_rag": np.array(_RAG_LEVELS, dtype=object)[rag],
        "decisions_needed": decisions,
    })


# ---------------------------------------------------------------------------
# Demand
# ---------------------------------------------------------------------------
def _demand(rng: np.random.Generator, projects: int, today: int) -> pd.DataFrame:
    count = max(15, round(0.625 * projects))
    order = np.resize(rng.permutation(len(_DEMAND)), count)
    wave = np.arange(count) // len(_DEMAND)
    sponsors = np.array(sorted({s for pair in _SPONSORS for s in pair}), dtype=object)
    cost = _round_to(np.exp(rng.uniform(np.log(40_000), np.log(2_500_000), count)), 1000)
    submitted = _workday(today - rng.integers(5, 300, count), later=False)
    status = _every_status(rng, 4, count, [0.4, 0.25, 0.15, 0.2])
    rank = np.argsort(submitted, kind="stable")
    frame = {
        "request_id": _ids("DR-", np.arange(1, count + 1), max(3, len(str(count)))),
        "title": [_DEMAND[o][0] + (f" – phase {w + 1}" if w else "") for o, w in zip(order[rank], wave[rank])],
        "sponsor": sponsors[rng.integers(0, len(sponsors), count)],
        "estimated_cost": cost[rank],
        "expected_benefit": _round_to(cost * rng.uniform(0.5, 3.5, count), 1000)[rank],
        "strategic_alignment": rng.integers(1, 6, count),
        "risk_level": rng.integers(1, 6, count),
        "status": np.array(("submitted", "approved", "rejected", "deferred"), dtype=object)[status[rank]],
        "submitted_date": submitted[rank],
        "description": [_DEMAND[o][1] for o in order[rank]],
    }
    return _frame("demand", frame)


