"""Time loading a 1,000-project portfolio and every metric family, separately; loading at other sizes and from a workbook.

Run: ``.venv/bin/python benchmarks/bench_load_and_metrics.py [--projects N] [--seed S]
[--repeat R] [--regenerate] [--no-results] [--load-sizes 1000,3000] [--workbook-projects N]``.

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

Loading is also measured in fresh child processes (one per size and way, so that each
reports its own peak memory, ``VmHWM``, the figure ``/usr/bin/time -v`` prints), as CPU
seconds (the machine is shared: CPU time is disturbed less than wall-clock time) and wall
seconds, best of ``--repeat``:

- ``validate`` (``check_portfolio``, what ``pmo-report validate`` runs) of the CSV folder
  at each size of ``--load-sizes``, beside a plain ``pandas.read_csv`` of the same files
  (issue 16's goals: within 2x of it at 1,000 projects, under 5 s at 3,000);
- the same with the forgiving steps switched off (header matching, delimiter sniffing, the
  title-row check): what forgiving reading costs on a clean portfolio (issue 14: under 10 %);
- with ``--workbook-projects N``, ``validate`` of that portfolio written as one ``.xlsx``
  workbook (``benchmarks/xlsx_writer.py``: typed cells, percent-formatted
  ``percent_complete``; 1,000 projects make about 43 MB): issue 16's goal under 60 s.

The load average is printed before and after each phase. The metrics goal (issue: "all
metrics take no longer than loading the data takes") is a ratio ``metrics / load <= 1``. The table is printed and written to the section
``bench_load_and_metrics`` of ``benchmarks/RESULTS.md`` (other sections are kept).
A plain script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
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


def _plain_read(folder: Path) -> None:
    for file in sorted(folder.glob("*.csv")):
        pd.read_csv(file)


def _strict_validate(folder: Path) -> None:
    """Validate with the forgiving steps switched off: headers taken as written, ',' separators, no title check."""
    from unittest import mock

    from pmo_lib.data import csv_arrow, raw, reading
    from pmo_lib.data.loading import check_portfolio

    with mock.patch.object(raw, "match_headers", lambda headers, table, label="": ({}, [])), \
            mock.patch.object(reading, "find_header_row", lambda top, table: None), \
            mock.patch.object(csv_arrow, "sniff_delimiter", lambda line: ","):
        check_portfolio(folder)


def child(way: str, source: str, repeat: int) -> None:
    """Run in a fresh process: time ``way`` on ``source`` ``repeat`` times; print CPU, wall and peak RSS as JSON."""
    from pmo_lib.data.loading import check_portfolio

    run = {"validate": lambda: check_portfolio(source), "plain": lambda: _plain_read(Path(source)),
           "strict": lambda: _strict_validate(Path(source))}[way]
    cpu, wall = [], []
    for _ in range(repeat):
        begin_cpu, begin = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - begin_cpu)
        wall.append(time.perf_counter() - begin)
    print(json.dumps({"cpu": min(cpu), "wall": min(wall), "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``, what ``/usr/bin/time -v`` reports as maximum RSS).

    Not ``ru_maxrss``: on Linux a child started by a large parent inherits the parent's figure.
    """
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(way: str, source: Path, repeat: int) -> dict:
    """:func:`child` in a fresh interpreter, with the load average around it."""
    before = os.getloadavg()[0]
    done = subprocess.run([sys.executable, __file__, "--child", way, str(source), "--repeat", str(repeat)],
                          check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = (before, os.getloadavg()[0])
    return result


def workbook_file(projects: int, seed: int, *, regenerate: bool) -> tuple[Path, float | None]:
    """The portfolio of ``projects`` written as one workbook (reused unless ``regenerate``)."""
    from xlsx_writer import write_workbook

    folder, _ = portfolio_folder(projects, seed, regenerate=regenerate)
    book = WORK / f"{folder.name}.xlsx"
    if book.exists() and not regenerate:
        return book, None
    begin = time.perf_counter()
    write_workbook(folder, book)
    return book, time.perf_counter() - begin


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


def _load_lines(loads: dict, book: tuple | None, args) -> list[str]:
    """The loading table: validate against a plain read per size, forgiving overhead, the workbook."""
    lines = [
        "### Loading (fresh process per row; CPU and wall seconds, best of "
        f"{args.repeat}; peak RSS of the process)",
        "",
        "| source | way | CPU s | wall s | peak MB | load average before / after |",
        "|---|---|---:|---:|---:|---|",
    ]

    def row(source, way, m):
        return (f"| {source} | {way} | {m['cpu']:.2f} | {m['wall']:.2f} | {m['peak_mb']:,.0f} | "
                f"{m['load'][0]:.1f} / {m['load'][1]:.1f} |")

    for size, found in loads.items():
        for way, label in (("validate", "`check_portfolio` (validate)"), ("plain", "plain `pandas.read_csv`"),
                           ("strict", "validate, forgiving steps off")):
            if way in found:
                lines.append(row(f"{size:,} projects, CSV", label, found[way]))
    if book is not None:
        path, measured = book
        lines.append(row(f"{path.stat().st_size / 1e6:.0f} MB workbook", "`check_portfolio` (validate)", measured))
    lines.append("")
    for size, found in loads.items():
        v, p = found["validate"], found.get("plain")
        if p:
            lines.append(f"- {size:,} projects: validate / plain read = **{v['cpu'] / p['cpu']:.2f}x** CPU, "
                         f"{v['wall'] / p['wall']:.2f}x wall (issue 16's goal at 1,000: within 2x).")
        if "strict" in found:
            over = v["cpu"] / found["strict"]["cpu"] - 1
            lines.append(f"- {size:,} projects: forgiving steps cost **{over * 100:+.1f} %** CPU "
                         "(issue 14's goal: under 10 %).")
    if book is not None:
        lines.append(f"- Workbook: **{book[1]['wall']:.1f} s** wall, {book[1]['cpu']:.1f} s CPU, peak "
                     f"{book[1]['peak_mb']:,.0f} MB (issue 16's goal: under 60 s).")
    lines.append("")
    return lines


def report(counts, load_s, families, total_s, sizes, generated_s, args, loads=None, book=None) -> str:
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
    if loads or book:
        lines += _load_lines(loads or {}, book, args)
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
    parser.add_argument("--load-sizes", default="1000",
                        help="portfolio sizes whose loading is measured in fresh processes ('' for none)")
    parser.add_argument("--workbook-projects", type=int, default=0,
                        help="also validate a workbook of this many projects (0: no workbook)")
    parser.add_argument("--child", nargs=2, metavar=("WAY", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.repeat)
        return

    print(f"load average {os.getloadavg()[0]:.1f}")
    folder, generated_s = portfolio_folder(args.projects, args.seed, regenerate=args.regenerate)
    load_s, portfolio = time_load(folder, args.repeat)
    counts = {k: portfolio.counts()[k] for k in ("projects", "tasks", "costs", "assignments")}
    families, total_s, sizes = time_families(portfolio, args.repeat)
    del portfolio
    loads = {}
    for size in [int(s) for s in args.load_sizes.split(",") if s.strip()]:
        where, _ = portfolio_folder(size, args.seed, regenerate=args.regenerate and size != args.projects)
        loads[size] = {way: measure(way, where, args.repeat) for way in ("validate", "plain", "strict")}
        print(size, loads[size])
    book = None
    if args.workbook_projects:
        path, written_s = workbook_file(args.workbook_projects, args.seed, regenerate=args.regenerate)
        if written_s is not None:
            print(f"wrote {path.name} in {written_s:.0f} s")
        book = (path, measure("validate", path, 1))
        print(path.name, book[1])
    section = report(counts, load_s, families, total_s, sizes, generated_s, args, loads, book)
    print(section)
    if not args.no_results:
        write_results(section)
        print(f"written to {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
