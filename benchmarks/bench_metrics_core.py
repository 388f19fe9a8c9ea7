"""Time the core metrics on a synthetic portfolio: 1,000 projects, ~100 tasks each, ~1,000,000 costs.

Run: ``.venv/bin/python benchmarks/bench_metrics_core.py [--projects N] [--seed S]``.
A plain script, not a test: it prints the size of the data and one timing per call
(the best of ``--repeat`` runs).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.earned_schedule import earned_schedule
from pmo_lib.metrics.evm import earned_value
from pmo_lib.metrics.s_curve import s_curve
from pmo_lib.metrics.table import metrics_table

STATUS_DATE = pd.Timestamp("2026-11-20")


def synthetic_portfolio(n_projects: int, seed: int) -> dict[str, pd.DataFrame]:
    """Projects starting over two years, ~100 tasks each over up to ~700 days, ~1,000 costs each."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"P{i:05d}" for i in range(n_projects)])
    project_start = STATUS_DATE - pd.to_timedelta(rng.integers(-120, 600, n_projects), unit="D")
    n_tasks = rng.integers(80, 121, n_projects)
    owner = np.repeat(np.arange(n_projects), n_tasks)
    duration = rng.integers(0, 60, owner.size)  # some zero-length tasks: milestones
    offset = rng.integers(0, 640, owner.size)
    start = project_start.to_numpy()[owner] + offset.astype("timedelta64[D]")
    finish = start + duration.astype("timedelta64[D]")
    tasks = empty_table("tasks").reindex(range(owner.size))
    tasks = tasks.assign(
        project_id=ids[owner],
        task_id=[f"T{i}" for i in range(owner.size)],
        name="task",
        baseline_start=start.astype("datetime64[ns]"),
        baseline_finish=finish.astype("datetime64[ns]"),
        percent_complete=np.round(rng.uniform(0, 100, owner.size)),
        budget=np.round(rng.uniform(0, 50_000, owner.size), 2),
        is_milestone=duration == 0,
        actual_finish=pd.Series(pd.NaT, index=range(owner.size), dtype="datetime64[ns]"),
    )
    n_costs = 1_000 * n_projects
    payer = rng.integers(0, n_projects, n_costs)
    cost_day = project_start.to_numpy()[payer] + rng.integers(0, 700, n_costs).astype("timedelta64[D]")
    costs = empty_table("costs").reindex(range(n_costs))
    costs = costs.assign(
        project_id=ids[payer],
        date=cost_day.astype("datetime64[ns]"),
        amount=np.round(rng.normal(4_000, 2_000, n_costs), 2),
        category="",
        description="",
    )
    projects = empty_table("projects").reindex(range(n_projects))
    projects = projects.assign(
        project_id=ids,
        name=[f"Project {i}" for i in range(n_projects)],
        program=np.array(["Core", "Digital", "Grid", "Unassigned"])[np.arange(n_projects) % 4],
        manager="",
        status=pd.Categorical(["active"] * n_projects, categories=["active", "on_hold", "closed", "cancelled"]),
    )
    return {"projects": projects, "tasks": tasks, "costs": costs}


def best_of(repeat: int, call) -> float:
    """Best wall-clock seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = synthetic_portfolio(args.projects, args.seed)
    tasks, costs, projects = data["tasks"], data["costs"], data["projects"]
    print(f"{len(projects):,} projects, {len(tasks):,} tasks, {len(costs):,} cost rows")
    calls = {
        "earned_value": lambda: earned_value(tasks, costs, status_date=STATUS_DATE),
        "earned_schedule": lambda: earned_schedule(tasks, status_date=STATUS_DATE),
        "s_curve (W-FRI)": lambda: s_curve(tasks, costs, status_date=STATUS_DATE),
        "metrics_table": lambda: metrics_table(projects, tasks, costs, status_date=STATUS_DATE),
    }
    total = 0.0
    for label, call in calls.items():
        seconds = best_of(args.repeat, call)
        total += seconds
        print(f"{label:<18} {seconds * 1000:8.1f} ms")
    print(f"{'all four':<18} {total * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
