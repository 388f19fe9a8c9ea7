"""Time loading a 5,000-task MS Project (MSPDI) schedule through MPXJ, cold, step by step.

Run: ``.venv/bin/python benchmarks/bench_mpxj_load.py [--tasks N] [--repeat R] [--no-results]``.

The schedule is written by MPXJ's own ``MSPDIWriter`` (:func:`write_plan`): ``--tasks``
tasks under one summary task per 50, each with a baseline (dates and cost), a % complete,
actual dates and cost where started, a finish-to-start link (with a lag on every tenth) to
the task before it, and one of 40 resources assigned (at 80-119 an hour) with its actual work
as a timephased item, which the writer writes as MSPDI ``TimephasedData``. It goes to ``benchmarks/work/`` (git-ignored).

Each repeat loads it in a fresh Python process (so the JVM start is counted, as a user's
``pmo-report validate --data plan.xml`` pays it) and reports, wall clock and the process's
CPU seconds (all threads, the JVM's included):

- ``python start + imports``: the interpreter and pandas, numpy, pmo_lib;
- ``JVM start``: ``jpype.startJVM`` with MPXJ's jars;
- ``MPXJ read``: ``UniversalProjectReader.readAll`` (XML parsing, in Java);
- ``contract rows``: walking tasks, assignments and resources through JPype into the
  contract's rows (predecessors, weekly actual costs);
- ``validation``: text tables to typed, checked tables (``check_portfolio`` minus the above);
- ``load_portfolio total``: everything from the first import, as a user waits for it.

The goal (issue 14) is under 10 s wall clock for 5,000 tasks. The table goes to the section
``bench_mpxj_load`` of ``benchmarks/RESULTS.md`` (other sections are kept). A plain script, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "RESULTS.md"
SECTION = "bench_mpxj_load"
STATUS = dt.date(2026, 6, 30)


def write_plan(path: Path, *, tasks: int, seed: int = 1) -> Path:
    """Write an MSPDI schedule of ``tasks`` tasks with MPXJ's own writer (the JVM is started if needed)."""
    import random

    import jpype
    import mpxj  # noqa: F401  (MPXJ's jars on the class path)

    if not jpype.isJVMStarted():
        jpype.startJVM(convertStrings=True)
    from java.io import FileOutputStream
    from java.lang import Double
    from java.time import LocalDateTime
    from org.mpxj import (
        CostRateTable,
        CostRateTableEntry,
        Duration,
        ProjectFile,
        Rate,
        Relation,
        RelationType,
        TimephasedWork,
        TimeUnit,
    )
    from org.mpxj.mspdi import MSPDIWriter

    rng = random.Random(seed)
    project = ProjectFile()
    calendar = project.addDefaultBaseCalendar()
    project.setDefaultCalendar(calendar)
    properties = project.getProjectProperties()
    properties.setProjectTitle(f"Generated plan of {tasks:,} tasks")
    properties.setManager("Ann Lee")
    properties.setStatusDate(LocalDateTime.of(STATUS.year, STATUS.month, STATUS.day, 17, 0))
    resources = []
    for number in range(40):
        resource = project.addResource()
        resource.setName(f"Engineer {number + 1:02d}")
        rates = CostRateTable()
        rates.add(CostRateTableEntry(LocalDateTime.of(2000, 1, 1, 0, 0), LocalDateTime.of(2049, 12, 31, 23, 59),
                                     Double(0.0), Rate(80.0 + number, TimeUnit.HOURS)))
        resource.setCostRateTable(0, rates)
        resources.append(resource)
    start = dt.date(2026, 1, 5)
    previous = summary = None
    for number in range(tasks):
        if number % 50 == 0:
            summary = project.addTask()
            summary.setName(f"Work package {number // 50 + 1}")
        task = summary.addTask()
        days = rng.randint(2, 15)
        begin = start + dt.timedelta(days=(number % 400) // 2)
        end = begin + dt.timedelta(days=days)
        first, last = (LocalDateTime.of(d.year, d.month, d.day, h, 0) for d, h in ((begin, 8), (end, 17)))
        task.setName(f"Task {number + 1}")
        task.setStart(first)
        task.setFinish(last)
        task.setDuration(Duration.getInstance(days, TimeUnit.DAYS))
        task.setBaselineStart(first)
        task.setBaselineFinish(last)
        cost = float(days * 8 * (80 + number % 40))  # the assigned engineer's hours at their rate
        task.setBaselineCost(Double(cost))
        task.setCost(Double(cost))
        done = 100.0 if end < STATUS else (rng.choice([0.0, 25.0, 50.0]) if begin < STATUS else 0.0)
        task.setPercentageComplete(Double(done))
        if done:
            task.setActualStart(first)
            task.setActualCost(Double(cost * done / 100))
            if done == 100.0:
                task.setActualFinish(last)
        assignment = task.addResourceAssignment(resources[number % len(resources)])
        assignment.setUnits(Double(100.0))
        assignment.setWork(Duration.getInstance(days * 8, TimeUnit.HOURS))
        assignment.setStart(first)
        assignment.setActualWork(Duration.getInstance(days * 8 * done / 100, TimeUnit.HOURS))
        assignment.setRemainingWork(Duration.getInstance(days * 8 * (100 - done) / 100, TimeUnit.HOURS))
        if done:
            assignment.setActualStart(first)
            assignment.setActualCost(Double(cost * done / 100))
            worked = TimephasedWork()  # the actual work as one timephased item; MPXJ spreads it over the weeks
            worked.setStart(first)
            worked.setFinish(last if done == 100.0 else LocalDateTime.of(STATUS.year, STATUS.month, STATUS.day, 17, 0))
            worked.setTotalAmount(Duration.getInstance(days * 8 * done / 100, TimeUnit.HOURS))
            worked.setAmountPerHour(Duration.getInstance(1, TimeUnit.HOURS))
            assignment.getRawTimephasedActualRegularWork().add(worked)
        if previous is not None and number % 50:
            lag = Duration.getInstance(2, TimeUnit.DAYS) if number % 10 == 0 else None
            builder = Relation.Builder().predecessorTask(previous).successorTask(task).type(RelationType.FINISH_START)
            task.addPredecessor(builder.lag(lag) if lag is not None else builder)
        previous = task
    writer = MSPDIWriter()
    writer.setWriteTimephasedData(True)
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = FileOutputStream(str(path))
    try:
        writer.write(project, stream)
    finally:
        stream.close()
    return path


_CHILD = r"""
import json, resource, sys, time
def now():
    return time.perf_counter(), time.process_time()
t0 = now()
import numpy, pandas  # noqa: F401
import pmo_lib.data.mpxj as reader
from pmo_lib.data.loading import check_portfolio
t1 = now()
reader._start_java()  # the JVM, on its own; read_schedules finds it started
t2 = now()
spans = {}
def timed(name, function):
    def wrapper(*args, **kwargs):
        a = now()
        try:
            return function(*args, **kwargs)
        finally:
            b = now()
            spans[name] = (b[0] - a[0], b[1] - a[1])
    return wrapper
cls = reader._start_java()
class Reader:
    def readAll(self, file):
        return timed("read", cls().readAll)(file)
reader._start_java = lambda: Reader
reader.read_schedules = timed("schedules", reader.read_schedules)
import pmo_lib.data.reading as reading
reading.read_schedules = reader.read_schedules  # the name reading.py calls
portfolio, problems = check_portfolio(sys.argv[1])
t3 = now()
print(json.dumps({"imports": [t1[0] - t0[0], t1[1] - t0[1]], "jvm": [t2[0] - t1[0], t2[1] - t1[1]],
                  "check": [t3[0] - t2[0], t3[1] - t2[1]], "spans": spans, "tasks": len(portfolio.tasks),
                  "costs": len(portfolio.costs), "links": int((portfolio.tasks["predecessors"] != "").sum()),
                  "errors": sum(p.is_error for p in problems),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(plan: Path) -> dict:
    """One cold load in a fresh process: wall and CPU seconds per step."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(plan)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"the loading process failed:\n{done.stderr}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    read, schedules, check = out["spans"]["read"], out["spans"]["schedules"], out["check"]
    steps = {
        "imports (pandas, numpy, pmo_lib)": tuple(out["imports"]),
        "JVM start": tuple(out["jvm"]),
        "MPXJ read (Java)": tuple(read),
        "contract rows (JPype walk)": (schedules[0] - read[0], schedules[1] - read[1]),
        "validation": (check[0] - schedules[0], check[1] - schedules[1]),
    }
    load = tuple(sum(v[i] for v in steps.values()) for i in (0, 1))
    return {"steps": steps, "load": load, **{k: out[k] for k in ("tasks", "costs", "links", "errors", "peak_mb")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    plan = WORK / f"plan-{args.tasks}.xml"
    if not plan.is_file():
        began = time.perf_counter()
        write_plan(plan, tasks=args.tasks)
        print(f"wrote {plan} ({plan.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - began:.1f} s")
    runs = [measure(plan) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["load"][0])
    lines = [f"Run on {dt.datetime.now():%Y-%m-%d %H:%M} with `.venv/bin/python benchmarks/bench_mpxj_load.py "
             f"--tasks {args.tasks} --repeat {args.repeat}`; the best of {args.repeat} cold loads (each in a "
             "fresh process).", "",
             f"Machine: nproc {os.cpu_count()}, {platform.processor() or platform.machine()}, Python "
             f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} when finished.", "",
             f"Schedule: {plan.stat().st_size / 1e6:.1f} MB MSPDI written by MPXJ's MSPDIWriter with timephased "
             f"data; {best['tasks']:,} tasks, {best['links']:,} with predecessors, {best['costs']:,} cost lines; "
             f"{best['errors']} errors. Peak memory of the loading process {best['peak_mb']:.0f} MB.", "",
             "| step | wall s | CPU s |", "|---|---:|---:|"]
    for name, (wall, cpu) in best["steps"].items():
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    lines.append(f"| **load, first import to checked tables** | **{best['load'][0]:.2f}** | **{best['load'][1]:.2f}** |")
    loads = ", ".join(f"{r['load'][0]:.2f}" for r in runs)
    lines += ["", f"Loads of all repeats (wall s): {loads}. "
              f"Goal: under 10 s wall clock: {'met' if best['load'][0] < 10 else 'NOT met'}."]
    text = "\n".join(lines)
    print(text)
    if not args.no_results:
        write_section(text)


def write_section(text: str) -> None:
    """Replace this benchmark's section of RESULTS.md (between its markers), keeping the others."""
    start, end = f"<!-- {SECTION}:start -->", f"<!-- {SECTION}:end -->"
    body = f"## {SECTION}\n\n{start}\n{text}\n{end}\n"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmark results\n"
    pattern = re.compile(rf"## {SECTION}\n\n{re.escape(start)}.*?{re.escape(end)}\n", re.DOTALL)
    new = pattern.sub(lambda _: body, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + body
    RESULTS.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
