"""The sample's plan: resources, projects, teams, tasks with their progress, and cost lines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.data.sample.banks import (
    _CATEGORIES,
    _CATEGORY_ODDS,
    _CATEGORY_WEIGHT,
    _COST_TEXT,
    _CYCLE,
    _MILESTONES,
    _PEOPLE,
    _PHASES,
    _PROJECTS,
    _RATES,
    _ROLE_WEIGHTS,
    _ROLES,
    _SLOT_STORIES,
    _SPONSORS,
    _TARGETS,
    _WORK_TASKS,
    PROGRAMS,
)
from pmo_lib.data.sample.common import (
    _dates,
    _frame,
    _ids,
    _pick,
    _round_to,
    _within,
    _workday,
)
from pmo_lib.data.schema import TABLES


# ---------------------------------------------------------------------------
# Resources, projects, teams
# ---------------------------------------------------------------------------
def _resources(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    i = np.arange(count)
    template = i % len(_PEOPLE)
    firsts = [n.split()[0] for n, _ in _PEOPLE]
    lasts = [n.split()[-1] for n, _ in _PEOPLE]
    names = [_PEOPLE[k][0] if k == j else f"{firsts[(7 * j + 3) % 30]} {lasts[(11 * j + j // 30) % 30]}"
             for j, k in zip(i, template)]
    role = np.array([_ROLES.index(_PEOPLE[k][1]) for k in template])
    capacity = rng.choice([37.5, 40.0, 30.0, 22.5], size=count, p=[0.55, 0.35, 0.05, 0.05])
    rate = _round_to(np.array(_RATES)[role] * rng.uniform(0.9, 1.15, count), 0.5)
    return {
        "id": np.array(_ids("RES-", i + 1, max(3, len(str(count))))),
        "name": np.array(names, dtype=object),
        "role": np.array(_ROLES, dtype=object)[role],
        "role_index": role,
        "capacity": capacity,
        "rate": rate,
    }


def _plan_projects(rng: np.random.Generator, count: int, today: int, people: dict) -> pd.DataFrame:
    i = np.arange(count)
    slot, cycle = i % _CYCLE, i // _CYCLE
    program = slot // 6
    k = cycle * 6 + slot % 6
    story = np.array(_SLOT_STORIES, dtype=object)[slot]
    bank = [_PROJECTS[PROGRAMS[p]][n % 8] for p, n in zip(program, k)]
    name = [b[0] if n < 8 else f"{b[0]} – Wave {n // 8 + 1}" for b, n in zip(bank, k)]
    targets = np.array([_TARGETS[s] for s in story])
    spi = rng.uniform(targets[:, 0], targets[:, 1])
    cpi = rng.uniform(targets[:, 2], targets[:, 3])
    elapsed = rng.uniform(targets[:, 4], targets[:, 5])
    duration = rng.integers(150, 481, count)
    start = today - np.round(elapsed * duration).astype(np.int64)
    closed_gap = rng.integers(35, 101, count)
    start = np.where(story == "closed", today - closed_gap - duration, start)
    start = np.where(story == "not_started", today + rng.integers(10, 46, count), start)
    managers = np.flatnonzero(people["role_index"] == 0)
    manager = managers[rng.permutation(count) % len(managers)]
    sponsor_pick = rng.integers(0, 2, count)
    return pd.DataFrame({
        "project_id": _ids("PRJ-", i + 1, max(3, len(str(count)))),
        "name": name,
        "description": [b[1] for b in bank],
        "program": program,
        "story": story,
        "spi_target": spi,
        "cpi_target": cpi,
        "start": start,
        "duration": duration,
        "bac": np.exp(rng.uniform(np.log(250_000), np.log(4_000_000), count)) * duration / 300,
        "budget_factor": np.where(story == "budget_exceeded", rng.uniform(0.88, 0.92, count),
                                  rng.uniform(1.02, 1.12, count)),
        "priority": rng.integers(1, 6, count),
        "manager": manager,
        "manager_name": people["name"][manager],
        "sponsor": [_SPONSORS[p][s] for p, s in zip(program, sponsor_pick)],
        "hold_days": np.where(story == "on_hold", rng.integers(35, 50, count), 0),
    })


def _teams(rng: np.random.Generator, plan: pd.DataFrame, people: dict, scale: int) -> pd.DataFrame:
    """Who works on which project: its manager plus 3-6 others (more at larger scales)."""
    weights = _ROLE_WEIGHTS[plan["program"].to_numpy()][:, people["role_index"]]
    counts = rng.integers(3 + 2 * (scale - 1), 6 + 3 * (scale - 1) + 1, len(plan))
    rows, members = _pick(rng, counts, weights)
    team = pd.DataFrame({
        "p": np.r_[np.arange(len(plan)), rows],
        "r": np.r_[plan["manager"].to_numpy(), members],
        "lead": np.r_[np.ones(len(plan), bool), np.zeros(len(rows), bool)],
    })
    return team.sort_values(["p", "lead", "r"], ascending=[True, False, True], kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------
# Tasks and earned value
# ---------------------------------------------------------------------------
def _tasks(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict,
           sizes: tuple[int, int]) -> pd.DataFrame:
    """Tasks on the baseline: work spread over the plan in lifecycle order, plus 2-4 milestones."""
    n_projects = len(plan)
    count = rng.integers(sizes[0], sizes[1] + 1, n_projects)
    n_milestones = np.minimum(rng.integers(2, 5, n_projects), count - 3)
    n_work = count - n_milestones
    program = plan["program"].to_numpy()
    start, duration = plan["start"].to_numpy(), plan["duration"].to_numpy()

    wp = np.repeat(np.arange(n_projects), n_work)
    j = _within(wp)
    per = n_work[wp]
    jitter = np.where(j == 0, 0.0, rng.uniform(0, 0.6, wp.size))
    at = (j + jitter) / per * 0.85
    length = rng.uniform(0.06, 0.2, wp.size) + 0.5 / per
    w_start = start[wp] + np.round(at * duration[wp])
    w_finish = start[wp] + np.round(np.minimum(at + length, 1.0) * duration[wp])
    w_finish = np.maximum(w_finish, w_start + 3)
    # work on working days: a start moves to Monday, a finish back to Friday (spans >= 3 days stay valid)
    w_start, w_finish = _workday(w_start, later=True), _workday(w_finish, later=False)
    bank_size = np.array([len(_WORK_TASKS[p]) for p in PROGRAMS])[program[wp]]
    which = (j * bank_size) // per
    part = pd.Series(j).groupby([wp, which]).cumcount().to_numpy()
    many = pd.Series(j).groupby([wp, which]).transform("size").to_numpy() > 1
    w_name = [_WORK_TASKS[PROGRAMS[p]][w] + (f" – part {k + 1}" if m else "")
              for p, w, k, m in zip(program[wp], which, part, many)]

    mp = np.repeat(np.arange(n_projects), n_milestones)
    q = _within(mp)
    m_count = n_milestones[mp]
    fraction = np.array([_MILESTONES[m][1][x] for m, x in zip(m_count, q)])
    m_day = _workday(start[mp] + np.round(fraction * duration[mp]), later=False)
    m_name = [_MILESTONES[m][0][x] for m, x in zip(m_count, q)]

    p = np.r_[wp, mp]
    b_start = np.r_[w_start, m_day].astype(np.int64)
    b_finish = np.r_[w_finish, m_day].astype(np.int64)
    milestone = np.r_[np.zeros(wp.size, bool), np.ones(mp.size, bool)]
    names = np.array(w_name + m_name, dtype=object)
    order = np.lexsort((b_finish, milestone, b_start, p))
    p, b_start, b_finish, milestone, names = p[order], b_start[order], b_finish[order], milestone[order], names[order]

    weight = (b_finish - b_start) * rng.gamma(5.0, 1 / 5, p.size)
    weight = np.where(milestone, 0.0, weight)
    share = weight / np.bincount(p, weight, n_projects)[p]
    budget = np.where(milestone, 0.0, np.maximum(_round_to(plan["bac"].to_numpy()[p] * share, 100), 500.0))

    # owners: a team member of the project (not its manager); milestones belong to the manager
    members = team[~team["lead"]]
    first = np.searchsorted(members["p"].to_numpy(), np.arange(n_projects))
    size = np.bincount(members["p"].to_numpy(), minlength=n_projects)
    member = members["r"].to_numpy()[first[p] + (rng.random(p.size) * size[p]).astype(np.int64)]
    owner = np.where(milestone, plan["manager"].to_numpy()[p], member)
    owner_name = people["name"][owner].astype(object)
    owner_name[rng.random(p.size) < 0.05] = ""
    return pd.DataFrame({
        "p": p, "name": names, "start": b_start, "finish": b_finish, "milestone": milestone,
        "budget": budget, "owner": owner_name,
        # each task runs a little early or late; milestones (no budget) keep closer to their project's pace
        "noise": np.clip(rng.standard_normal(p.size), -2.5, 2.5) * np.where(milestone, 0.0125, 0.025) * duration[p],
    })


def _progress(when: np.ndarray, work: pd.DataFrame) -> np.ndarray:
    """Fraction of each task done if it runs to baseline and ``when`` is the date."""
    start, finish = work["start"].to_numpy(), work["finish"].to_numpy()
    span = np.maximum(finish - start, 1)
    linear = np.clip((when - start) / span, 0.0, 1.0)
    return np.where(work["milestone"].to_numpy(), (when >= finish).astype(float), linear)


def _fit_progress(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int) -> None:
    """Set each project's slip so its SPI hits the story's target, then the task actuals.

    A project runs ``lag`` days behind its baseline (plus a little per task):
    task progress is the baseline progress at ``today - lag``. The lag of a
    project with a target SPI is found by bisection.
    """
    n = len(plan)
    p = work["p"].to_numpy()
    story = plan["story"].to_numpy()[p]
    budget = work["budget"].to_numpy()
    duration = plan["duration"].to_numpy().astype(float)
    noise = work["noise"].to_numpy()
    noise = np.where((story == "on_hold") | (story == "not_started"), np.abs(noise), noise)
    pv = np.bincount(p, budget * _progress(np.full(p.size, float(today)), work), n)
    target = plan["spi_target"].to_numpy() * pv
    low, high = -0.3 * duration, duration.copy()
    for _ in range(60):
        mid = (low + high) / 2
        ev = np.bincount(p, budget * _progress(today - mid[p] - noise, work), n)
        ahead = ev > target
        low, high = np.where(ahead, mid, low), np.where(ahead, high, mid)
    kind = plan["story"].to_numpy()
    lag = (low + high) / 2
    lag = np.where(kind == "on_hold", plan["hold_days"].to_numpy() + rng.uniform(0, 7, n), lag)
    lag = np.where(kind == "closed", rng.uniform(-3, 7, n), lag)
    lag = np.where(kind == "not_started", 0.0, lag)
    finish = work["finish"].to_numpy()
    noise = np.where(story == "closed", np.minimum(noise, today - 7 - finish - lag[p]), noise)
    slip = lag[p] + noise
    done = _progress(today - slip, work)
    pct = np.round(done * 100)
    pct = np.where((done > 0) & (pct == 0), 1, np.where((done < 1) & (pct == 100), 99, pct))
    started, finished = done > 0, done >= 1
    x_start, x_finish = work["start"].to_numpy() + slip, finish + slip
    milestone = work["milestone"].to_numpy()
    actual_start = np.where(started, np.floor(np.where(milestone, x_finish, x_start)), np.nan)
    actual_finish = np.where(finished, np.floor(x_finish), np.nan)
    forecast_start = np.where(finished, np.nan, np.where(started, actual_start, np.ceil(x_start)))
    forecast_finish = np.where(finished, np.nan, np.ceil(x_finish))

    # the deliberate warning: the furthest-along open task reported finished below 100 %
    candidates = started & ~finished & ~milestone & (story == "finish_warning")
    if candidates.any():
        ranked = pd.Series(np.where(candidates, pct, -1.0)).groupby(p).idxmax()
        pick = ranked[plan["story"].to_numpy()[ranked.index] == "finish_warning"].to_numpy()
        pick = pick[candidates[pick]]
        actual_finish[pick], forecast_finish[pick] = today - 1, np.nan

    work["pct"] = pct
    # working days: actuals move back (they stay on or before today), forecasts forward (stay after it)
    work["actual_start"] = _workday(actual_start, later=False)
    work["actual_finish"] = _workday(actual_finish, later=False)
    forecast_start = np.where(started, work["actual_start"], _workday(forecast_start, later=True))
    work["forecast_start"] = np.where(finished, np.nan, forecast_start)
    work["forecast_finish"] = _workday(forecast_finish, later=True)
    plan["pv"] = pv
    plan["ev"] = np.bincount(p, budget * pct / 100, n)
    plan["bac"] = np.bincount(p, budget, n)
    plan["spi"] = plan["ev"] / plan["pv"].where(plan["pv"] > 0)
    first_actual = work["actual_start"].groupby(p).min().reindex(range(n)).to_numpy()
    last_actual = work["actual_finish"].groupby(p).max().reindex(range(n)).to_numpy()
    planned_end = pd.Series(np.fmax(np.fmax(work["forecast_finish"], work["actual_finish"]), finish)).groupby(p).max()
    plan["first_actual"] = first_actual
    end = planned_end.reindex(range(n)).to_numpy().astype(float)
    end = np.where(kind == "closed", last_actual + 14, end)
    plan["work_end"] = np.where(kind == "on_hold", today - plan["hold_days"].to_numpy(), end)


def _phase(plan: pd.DataFrame) -> list[str]:
    done = plan["ev"] / plan["bac"]
    phase = [next(name for limit, name in _PHASES if d < limit) for d in done]
    story = plan["story"].to_numpy()
    return ["Closure" if s == "closed" else "Initiation" if s == "not_started" else ph
            for s, ph in zip(story, phase)]


def _projects_table(plan: pd.DataFrame) -> pd.DataFrame:
    story = plan["story"].to_numpy()
    status = np.where(story == "on_hold", "on_hold", np.where(story == "closed", "closed", "active"))
    return _frame("projects", {
        "project_id": plan["project_id"],
        "name": plan["name"],
        "program": np.array(PROGRAMS, dtype=object)[plan["program"].to_numpy()],
        "manager": plan["manager_name"],
        "sponsor": plan["sponsor"],
        "phase": _phase(plan),
        "status": status,
        "budget": _approved_budget(plan),
        "priority": plan["priority"],
        "description": plan["description"],
    })


def _approved_budget(plan: pd.DataFrame) -> np.ndarray:
    """Round up to 5,000 to cover the task budgets, or down where the story wants them exceeded."""
    raw = plan["bac"].to_numpy() * plan["budget_factor"].to_numpy()
    over = plan["story"].to_numpy() == "budget_exceeded"
    return np.where(over, np.floor(raw / 5000), np.ceil(raw / 5000)) * 5000.0


def _tasks_table(plan: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    p = work["p"].to_numpy()
    position = _within(p) + 1
    width = max(2, len(str(position.max())))
    return _frame("tasks", {
        "project_id": plan["project_id"].to_numpy()[p],
        "task_id": _ids("T", position, width),
        "name": work["name"],
        "baseline_start": work["start"],
        "baseline_finish": work["finish"],
        "percent_complete": work["pct"],
        "budget": work["budget"],
        "is_milestone": work["milestone"],
        "forecast_start": work["forecast_start"],
        "forecast_finish": work["forecast_finish"],
        "actual_start": work["actual_start"],
        "actual_finish": work["actual_finish"],
        "owner": work["owner"],
    })


# ---------------------------------------------------------------------------
# Costs
# ---------------------------------------------------------------------------
def _costs(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int, scale: int) -> pd.DataFrame:
    """Weekly cost lines on Fridays, summing to EV / CPI-target for each project.

    A week's spend follows how many tasks were running that week; its first
    line is labour, the others are drawn from the remaining categories. A few
    duplicate postings are reversed the following Friday (net zero).
    """
    n = len(plan)
    kind = plan["story"].to_numpy()
    first = plan["first_actual"].to_numpy()
    stops = np.isin(kind, ("on_hold", "closed"))
    last = np.where(stops, np.minimum(plan["work_end"].to_numpy(), today), today)
    g0 = np.ceil((first - 1) / 7)  # first Friday on or after the first actual start (day 1 was a Friday)
    g1 = np.floor((last - 1) / 7)
    spend = plan["ev"].to_numpy() / plan["cpi_target"].to_numpy()
    weeks = np.where(np.isnan(g0) | (spend <= 0), 0, np.maximum(g1 - g0 + 1, 0)).astype(np.int64)
    g0 = np.nan_to_num(g0).astype(np.int64)
    if weeks.sum() == 0:
        plan["ac"] = 0.0
        return _frame("costs", {c: [] for c in TABLES["costs"].names})

    # how many tasks ran each week, on a (project, week) grid
    base = int(g0[weeks > 0].min())
    width = int((g0 + weeks)[weeks > 0].max()) - base + 1
    running = ~np.isnan(work["actual_start"].to_numpy()) & ~work["milestone"].to_numpy()
    tp = work["p"].to_numpy()[running]
    t_end = np.fmin(work["actual_finish"].to_numpy()[running], last[tp])
    gs = np.clip(np.ceil((work["actual_start"].to_numpy()[running] - 1) / 7).astype(np.int64) - base, 0, width - 1)
    ge = np.clip(np.floor((t_end - 1) / 7).astype(np.int64) - base, gs, width - 1)
    grid = np.zeros((n, width + 1))
    np.add.at(grid, (tp, gs), 1.0)
    np.add.at(grid, (tp, ge + 1), -1.0)
    grid = np.cumsum(grid, axis=1)

    wp = np.repeat(np.arange(n), weeks)
    week = g0[wp] + _within(wp)
    weight = (grid[wp, week - base] + 0.5) * rng.gamma(6.0, 1 / 6, wp.size)
    week_amount = spend[wp] * weight / np.bincount(wp, weight, n)[wp]

    lines = 1 + rng.poisson(1.5 + 5.0 * (scale - 1), wp.size)
    lw = np.repeat(np.arange(wp.size), lines)
    category = np.where(_within(lw) == 0, 0, rng.choice(len(_CATEGORIES), lw.size, p=_CATEGORY_ODDS))
    share = _CATEGORY_WEIGHT[category] * rng.gamma(2.0, 0.5, lw.size)
    amount = np.round(week_amount[lw] * share / np.bincount(lw, share, wp.size)[lw], 2) + 0.0
    texts = np.array([t for group in _COST_TEXT for t in group], dtype=object)
    sizes = np.array([len(group) for group in _COST_TEXT])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    text = texts[offsets[category] + (rng.random(lw.size) * sizes[category]).astype(np.int64)]
    p, day = wp[lw], 7 * week[lw] + 1

    # a couple of duplicate postings, reversed the next Friday
    candidates = np.flatnonzero((category >= 1) & (category <= 3) & (day <= today - 7) & (amount > 0))
    chosen = np.sort(rng.choice(candidates, min(len(candidates), max(2, n // 12)), replace=False))
    posted = _dates(day[chosen]).astype("datetime64[D]").astype(str)
    p = np.r_[p, p[chosen], p[chosen]]
    seq = np.r_[np.arange(lw.size), chosen + 0.5, chosen + 0.5]
    day = np.r_[day, day[chosen], day[chosen] + 7]
    amount = np.r_[amount, amount[chosen], -amount[chosen]]
    category = np.r_[category, category[chosen], category[chosen]]
    text = np.r_[text, np.array(["Duplicate posting – " + t for t in text[chosen]], dtype=object),
                 np.array([f"Reversal of duplicate posting of {d}" for d in posted], dtype=object)]
    order = np.lexsort((seq, day, p))
    plan["ac"] = np.bincount(p, amount, n)
    return _frame("costs", {
        "project_id": plan["project_id"].to_numpy()[p[order]],
        "date": day[order],
        "amount": amount[order],
        "category": np.array(_CATEGORIES, dtype=object)[category[order]],
        "description": text[order],
    })


