"""Time the Monte Carlo forecast and one history snapshot write (moved here from timed tests).

Run: ``.venv/bin/python benchmarks/bench_forecast_and_history.py [--repeat R]``.
A plain script, not a test: the shared machine's load makes timings flaky in a test run. It prints

* the CPU time of 10,000 Monte Carlo draws of a 100-task project with 10 open risks (best of
  ``--repeat``; target: under 100 ms), and
* the wall-clock time of writing one 1,000-project snapshot (four milestones each) into a fresh
  SQLite history store (best of ``--repeat``; target: under 1 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.history.snapshot import snapshot_from_metrics
from pmo_lib.history.store import open_store
from pmo_lib.metrics.forecast import monte_carlo_forecast

STATUS = pd.Timestamp("2026-01-01")


def forecast_cpu_seconds(repeat: int) -> float:
    """Best CPU seconds of one 10,000-draw forecast of 100 tasks and 10 open risks."""
    tasks = pd.DataFrame({"budget": 1000.0, "percent_complete": 0.0, "baseline_start": [STATUS] * 100,
                          "baseline_finish": [STATUS + pd.Timedelta(days=10)] * 100})
    risks = pd.DataFrame({"risk_id": [f"R{i}" for i in range(10)], "title": "r", "probability": 3,
                          "status": "open", "cost_impact": 100.0})
    options = {"status_date": STATUS, "ac": 0.0, "bac": 100_000.0, "planned_finish": STATUS + pd.Timedelta(days=10)}
    monte_carlo_forecast(tasks, risks, **options)  # warm up numpy
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        monte_carlo_forecast(tasks, risks, **options)
        best = min(best, time.process_time() - started)
    return best


def snapshot_write_seconds(repeat: int) -> float:
    """Best wall-clock seconds of writing a 1,000-project snapshot into a new SQLite store."""
    rng = np.random.default_rng(3)
    spi = rng.uniform(0.7, 1.1, 1000)
    ids = [f"P{i:04d}" for i in range(1000)]
    rag = np.where(spi >= 0.95, "green", np.where(spi >= 0.85, "amber", "red"))
    frame = pd.DataFrame({"project_id": ids, "name": [f"Project {p}" for p in ids], "program": "Core",
                          "bac": 100.0, "pv": 50.0, "ev": 50 * spi, "ac": 50.0, "spi": spi, "cpi": spi,
                          "eac": 100 / spi, "forecast_finish": pd.Timestamp("2026-06-30"), "schedule_rag": rag,
                          "cost_rag": rag, "overall_rag": rag})
    milestones = pd.DataFrame({"project_id": np.repeat(ids, 4), "task_id": "M",
                               "baseline_finish": pd.Timestamp("2026-05-01")})
    snap = snapshot_from_metrics(frame, portfolio_name="Bench", status_date="2026-01-09", milestones=milestones)
    best = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            store = open_store(f"sqlite:///{Path(scratch) / 'history.sqlite'}", write=True)
            started = time.perf_counter()
            store.write(snap)
            best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    cpu = forecast_cpu_seconds(args.repeat)
    print(f"Monte Carlo forecast, 10,000 draws x 100 tasks + 10 risks: {cpu * 1000:.0f} ms CPU "
          f"(best of {args.repeat}; target < 100 ms: {'met' if cpu < 0.1 else 'NOT met'})")
    wall = snapshot_write_seconds(min(args.repeat, 5))
    print(f"history snapshot of 1,000 projects into SQLite: {wall:.2f} s "
          f"(best of {min(args.repeat, 5)}; target < 1 s: {'met' if wall < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
