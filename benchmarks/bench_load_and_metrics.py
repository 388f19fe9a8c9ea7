"""Time loading a 1,000-project portfolio and every metric family, separately.

Run: ``.venv/bin/python benchmarks/bench_load_and_metrics.py [--projects N] [--seed S]
[--repeat R] [--regenerate] [--no-results]``.

The portfolio comes from :func:`pmo_lib.data.sample.generate_portfolio` (1,000 projects
give about 100,000 tasks, 1,000,000 cost lines and 500,000 assignment rows) and is
written as CSV into ``benchmarks/work/`` (git-ignored); it is reused by later runs
with the same arguments unless ``--regenerate`` is given.

Timed, in the same run:

- ``load_portfolio`` (read and validate every CSV), the best of ``--repeat`` runs;
- every metric family, each through a fresh :class:`pmo_lib.analysis.core.PortfolioAnalysis`
  per repeat, in the order a report touches them (``metrics`` first: the roll-ups,
  budget and demand reuse its cached table, as they do in a real run). Each family's
  figure is its best over the repeats; the total is the best complete pass.

The goal (issue: "all metrics take no longer than loading the data takes") is a
ratio ``metrics / load <= 1``. The table is printed and written to the section
``bench_load_and_metrics`` of ``benchmarks/RESULTS.md`` (other sections are kept).
A plain script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.sample import generate_portfolio, write_portfolio
from pmo_lib.files import write_text

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "RESULTS.md"
SECTION = "bench_load_and_metrics"
STATUS_DATE = dt.date(2026, 11, 20)

# Every metric family of PortfolioAnalysis: (label, how to compute it on a fresh analysis).
FAMILIES = (
    ("metrics", lambda a: a.metrics),
    ("s_curves", lambda a: a.s_curves),
    ("portfolio_s_curve", lambda a: a.portfolio_s_curve),
    ("programs", lambda a: a.programs),
    ("totals", lambda a: a.totals),
    ("milestones", lambda a: a.milestones),
    ("upcoming_milestones(60)", lambda a: a.upcoming_milestones(60)),
    ("overdue_tasks", lambda a: a.overdue_tasks),
    ("risk_register", lambda a: a.risk_register),
    ("issue_log", lambda a: a.issue_log),
    ("change_summary", lambda a: a.change_summary),
    ("baseline_movement", lambda a: a.baseline_movement),
    ("compliance", lambda a: a.compliance),
    ("budget", lambda a: a.budget),
    ("runway", lambda a: a.runway),
    ("capacity_monthly", lambda a: a.capacity_monthly),
    ("over_allocated", lambda a: a.over_allocated),
    ("demand_ranked", lambda a: a.demand_ranked),
)


def portfolio_folder(projects: int, seed: int, *, regenerate: bool) -> tuple[Path, float | None]:
    """Generate and write the portfolio unless an identical one is already there.

    Returns the folder and the seconds generation took (None when reused).
    """
    folder = WORK / f"portfolio-{projects}-seed{seed}-{STATUS_DATE.isoformat()}"
    stamp = folder / ".complete"
    if stamp.exists() and not regenerate:
        return folder, None
    begin = time.perf_counter()
    tables = generate_portfolio(projects=projects, seed=seed, status_date=STATUS_DATE)
    write_portfolio(tables, folder)
    seconds = time.perf_counter() - begin
    stamp.write_text("written by bench_load_and_metrics.py\n", encoding="utf-8")
    return folder, seconds


def time_load(folder: Path, repeat: int):
    """Best wall-clock seconds of ``repeat`` loads, and the last portfolio loaded."""
    times, portfolio = [], None
    for _ in range(repeat):
        portfolio = None  # let the previous one go before reading again
        begin = time.perf_counter()
        portfolio = load_portfolio(folder)
        times.append(time.perf_counter() - begin)
    return min(times), portfolio


def time_families(portfolio, repeat: int) -> tuple[dict[str, float], float, dict[str, int]]:
    """Per family the best seconds over ``repeat`` fresh analyses; the best total; result sizes."""
    best = {label: float("inf") for label, _ in FAMILIES}
    totals, sizes = [], {}
    for _ in range(repeat):
        analysis = PortfolioAnalysis(portfolio, status_date=STATUS_DATE)
        total = 0.0
        for label, compute in FAMILIES:
            begin = time.perf_counter()
            result = compute(analysis)
            seconds = time.perf_counter() - begin
            total += seconds
            best[label] = min(best[label], seconds)
            sizes[label] = 1 if isinstance(result, pd.Series) else len(result)
        totals.append(total)
    return best, min(totals), sizes


def machine() -> dict[str, str]:
    """nproc, CPU model, Python and pandas versions."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": str(cpus),
        "CPU": model,
        "Python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
    }


def report(counts, load_s, families, total_s, sizes, generated_s, args) -> str:
    """The results as Markdown (also printed)."""
    ratio = total_s / load_s
    lines = [
        f"## {SECTION}",
        "",
        f"Run on {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} with "
        f"`.venv/bin/python benchmarks/bench_load_and_metrics.py --projects {args.projects} "
        f"--seed {args.seed} --repeat {args.repeat}` (status date {STATUS_DATE.isoformat()}).",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()) + ".",
        "",
        "Portfolio: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + "."
        + ("" if generated_s is None else f" Generating and writing it took {generated_s:.1f} s."),
        "",
        "| step | seconds | rows out |",
        "|---|---:|---:|",
        f"| load_portfolio (best of {args.repeat}) | {load_s:.3f} | |",
    ]
    for label, _ in FAMILIES:
        lines.append(f"| {label} | {families[label]:.3f} | {sizes[label]:,} |")
    lines += [
        f"| **all metrics** (best complete pass of {args.repeat}) | **{total_s:.3f}** | |",
        "",
        f"Ratio all metrics / load: **{ratio:.2f}** "
        f"(goal <= 1: {'met' if ratio <= 1 else 'NOT met'}).",
        "",
    ]
    return "\n".join(lines)


def write_results(section: str) -> None:
    """Replace (or append) this script's section of RESULTS.md, keeping the others."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {SECTION}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    write_text(RESULTS, text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true", help="write the portfolio again")
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()

    folder, generated_s = portfolio_folder(args.projects, args.seed, regenerate=args.regenerate)
    load_s, portfolio = time_load(folder, args.repeat)
    counts = {k: portfolio.counts()[k] for k in ("projects", "tasks", "costs", "assignments")}
    families, total_s, sizes = time_families(portfolio, args.repeat)
    section = report(counts, load_s, families, total_s, sizes, generated_s, args)
    print(section)
    if not args.no_results:
        write_results(section)
        print(f"written to {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
