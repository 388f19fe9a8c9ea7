"""Time the report suite: the naive papermill + nbconvert way, ``pmo-report run``, and the compute floor.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--sizes 40,200,1000] [--naive-projects 3]
[--workers 2] [--floor-sizes 40,200] [--engines warm,direct] [--seed 1] [--no-papermill-engine] [--no-breakdown]
[--no-results]``.

On generated portfolios (``pmo-report sample --seed S``, one per size, written once into
``benchmarks/work/reports/`` and reused), in the same run and on the same notebooks:

1. **naive**, on the smallest portfolio only, for ``--naive-projects`` projects: per report one
   ``papermill notebooks/project_status.ipynb OUT.ipynb -p data_path ... -p status_date ...
   -p project_id ...`` process, then one ``jupyter nbconvert --to html --no-input OUT.ipynb``
   process, sequentially (the CLIs of ``.venv/bin``);
2. **run**: ``pmo-report run`` on the whole portfolio (subprocess, fresh output folder,
   ``--workers W``) once per engine of ``--engines`` (warm and direct) for every size, and once
   with ``--engine papermill`` on the smallest; total and per-report wall time, the per-job seconds of its manifest, CPU seconds and
   the peak memory of the whole process tree (sum of RSS of the CLI, its workers and their
   kernels, sampled every 0.1 s with psutil, the process list refreshed every 0.5 s; shared
   pages are counted in every process, so this is an upper bound);
3. **floor**: every report of the run (portfolio, programs, projects) produced in this one Python
   process with no kernel: the analysis is loaded once, then per report the view methods of the
   notebook's cells are called, their outputs put into a copy of the notebook (same markdown
   cells, ``execute_result`` outputs as the kernel makes them), the notebook JSON written and the
   page exported with :func:`pmo_lib.run.export.export_html` and written: all the real work minus the
   kernel;
4. **breakdown** of one warm-engine report, in this process with a :class:`WarmKernel`: the
   stages of ``pmo_lib.run.job.run_job`` timed separately (parameterise, execute, notebook
   JSON, nbconvert render, active-content strip, writes), plus the one-off costs per worker;
5. **sizes**: project pages (min/median/max), program pages, the portfolio page, the index, and
   e-mail sizes when an e-mail renderer is committed (``pmo_lib.mail.compose``).

It prints the ratios against the issue's goals (naive / run >= 15 on the smallest portfolio,
run / floor <= 3, per-report time flat from the smallest to the largest portfolio, peak memory
< 4 GB) and writes its section of ``benchmarks/RESULTS.md`` (between the
``<!-- bench_reports:start -->`` and ``<!-- bench_reports:end -->`` markers; other sections are
kept). A plain script, not a test.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work" / "reports"
RESULTS = HERE / "RESULTS.md"
SECTION = "bench_reports"
START, END = f"<!-- {SECTION}:start -->", f"<!-- {SECTION}:end -->"
BIN = Path(sys.executable).parent  # .venv/bin: python, pmo-report, papermill, jupyter
STATUS_DATE = "2026-11-20"
NOTEBOOK = "notebooks/project_status.ipynb"
_CALL = re.compile(r"^\s*report\.\w+\(.*\)\s*$", re.S)

GOAL_NAIVE_RATIO = 20.0  # issue 16 (issue 6 asked for 15)
GOAL_FLOOR_RATIO = 1.3  # issue 16 (issue 6 asked for 3)
GOAL_FLOOR_SECONDS = 0.2  # issue 16: the floor's time per project page
GOAL_OVERHEAD_MS = 40.0  # issue 16: CPU per report beyond the floor's
GOAL_LINEAR = 1.25  # per-report time at the largest size at most this times the smallest
GOAL_MEMORY_GB = 2.0  # issue 16, at 1,000 projects (issue 6 asked for 4)


# --- helpers ---------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}", flush=True)


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def env() -> dict:
    """The environment of every subprocess: the venv's bin first on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONUNBUFFERED": "1"}


def version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, str]:
    """nproc, CPU model, memory, Python, pandas and whether jupyterlab is in this venv."""
    model, mem = "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 ** 2:.1f} GiB"
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lab = version("jupyterlab")
    return {
        "nproc": str(cpus),
        "CPU": model,
        "memory": mem,
        "Python": platform.python_version(),
        "pandas": version("pandas") or "?",
        "jupyterlab in venv": f"yes ({lab})" if lab else "no",
        "rfc3987-syntax in venv": "yes" if version("rfc3987-syntax") else "no",
    }


def code_version() -> str:
    """The commit measured, and whether pmo_lib or the notebooks had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "pmo_lib", "notebooks", "parameters")
    return f"commit {commit}" + (" with uncommitted changes in pmo_lib/notebooks/parameters" if dirty else "")


def median(values):
    return statistics.median(values) if values else float("nan")


def kb(n: float) -> str:
    return f"{n / 1024:,.1f}"


# --- portfolios ------------------------------------------------------------------------------
def portfolio(size: int, seed: int) -> tuple[Path, float | None]:
    """``pmo-report sample`` into the work folder, unless already there; (folder, seconds or None)."""
    folder = WORK / f"portfolio-{size}-seed{seed}-{STATUS_DATE}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    begin = time.perf_counter()
    subprocess.run([str(BIN / "pmo-report"), "sample", "--out", str(folder), "--projects", str(size),
                    "--seed", str(seed), "--status-date", STATUS_DATE], check=True, env=env(), cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    stamp.write_text("written by bench_reports.py\n", encoding="utf-8")
    return folder, time.perf_counter() - begin


def project_ids(folder: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(folder / "projects.csv", dtype=str)["project_id"].tolist()


# --- 1. naive ----------------------------------------------------------------------------------
def naive(folder: Path, ids: list[str]) -> dict:
    """papermill CLI then nbconvert CLI, one process each, per report, sequentially."""
    out = WORK / "naive"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    rows = []
    for pid in ids:
        executed = out / f"{pid}.ipynb"
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        begin = time.perf_counter()
        subprocess.run([str(BIN / "papermill"), NOTEBOOK, str(executed), "-p", "data_path", str(folder),
                        "-p", "status_date", STATUS_DATE, "-p", "project_id", pid, "--no-progress-bar"],
                       check=True, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        middle = time.perf_counter()
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        page = executed.with_suffix(".html")
        rows.append({"project": pid, "papermill": middle - begin, "nbconvert": end - middle,
                     "total": end - begin, "page_bytes": page.stat().st_size,
                     "cpu": after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime})
        log(f"naive {pid}: papermill {middle - begin:.2f} s + nbconvert {end - middle:.2f} s")
    return {"reports": rows, "per_report": statistics.mean(r["total"] for r in rows),
            "cpu_per_report": statistics.mean(r["cpu"] for r in rows),
            "papermill": statistics.mean(r["papermill"] for r in rows),
            "nbconvert": statistics.mean(r["nbconvert"] for r in rows)}


# --- 2. pmo-report run ---------------------------------------------------------------------------
class TreeSampler(threading.Thread):
    """Every ``interval`` seconds: the sum of RSS over a process and all its descendants,
    and each process's CPU seconds (the last value seen per process is kept).

    Finding the descendants scans every process of the machine, so the tree is refreshed
    every ``rescan`` seconds only; the processes found are sampled every ``interval``.
    """

    def __init__(self, pid: int, interval: float = 0.1, rescan: float = 0.5):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval, self.rescan = interval, rescan
        self.peak = 0
        self.peak_processes = 0
        self.peak_detail: list[tuple[str, int]] = []
        self.cpu: dict[tuple[int, float], float] = {}
        self.names: dict[tuple[int, float], str] = {}
        self.samples = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        psutil = self.psutil
        procs: list = []
        scanned = 0.0
        while not self.stopping.is_set():
            if time.monotonic() - scanned >= self.rescan:
                try:
                    procs = [self.root] + self.root.children(recursive=True)
                except psutil.Error:
                    break
                scanned = time.monotonic()
            total, detail = 0, []
            for proc in procs:
                try:
                    with proc.oneshot():
                        key = (proc.pid, proc.create_time())
                        rss = proc.memory_info().rss
                        times = proc.cpu_times()
                        if key not in self.names:
                            self.names[key] = _kind(proc.cmdline())
                except psutil.Error:
                    continue
                total += rss
                detail.append((self.names[key], rss))
                self.cpu[key] = times.user + times.system
            self.samples += 1
            if total > self.peak:
                self.peak, self.peak_processes, self.peak_detail = total, len(detail), detail
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def _kind(cmdline: list[str]) -> str:
    """A short name for a process of the run's tree."""
    text = " ".join(cmdline)
    for needle, name in (("ipykernel", "kernel"), ("forkserver", "worker (or forkserver)"),
                         ("resource_tracker", "resource tracker"), ("pmo-report", "pmo-report")):
        if needle in text:
            return name
    return Path(cmdline[0]).name if cmdline else "?"


def pmo_run(folder: Path, label: str, *, workers: int, engine: str = "warm") -> dict:
    """``pmo-report run`` on the whole portfolio into a fresh folder, with its peak memory."""
    parent = WORK / "runs" / label
    shutil.rmtree(parent, ignore_errors=True)
    out = parent / STATUS_DATE
    command = [str(BIN / "pmo-report"), "run", "--data", str(folder), "--status-date", STATUS_DATE,
               "--out", str(out), "--workers", str(workers), "--engine", engine]
    load_before = load_avg()
    begin = time.perf_counter()
    process = subprocess.Popen(command, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - begin
    sampler.stop()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"pmo-report run failed ({process.returncode}): {stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    reports = manifest["reports"]
    job_seconds = [r["seconds"] for r in reports]
    project_jobs = [r["seconds"] for r in reports if r["scope"] == "project"]
    return {
        "label": label, "engine": engine, "workers": workers, "out": out, "seconds": seconds,
        "reports": len(reports), "ok": manifest["counts"]["ok"], "failed": manifest["counts"]["failed"],
        "per_report": seconds / len(reports),
        "job_median": median(job_seconds), "job_sum": sum(job_seconds),
        "project_job_median": median(project_jobs),
        "first_jobs": sorted(job_seconds, reverse=True)[:workers],
        "cpu_seconds": sampler.cpu_seconds, "cpu_per_report": sampler.cpu_seconds / len(reports), "peak_rss": sampler.peak, "peak_processes": sampler.peak_processes,
        "peak_detail": sorted(sampler.peak_detail, key=lambda x: -x[1]), "samples": sampler.samples,
        "load_before": load_before, "load_after": load_avg(),
    }


# --- 3. compute floor ----------------------------------------------------------------------------
def _jobs(folder: Path):
    """The run's job list, planned exactly as ``pmo-report run`` plans it."""
    from pmo_lib.analysis.handoff import load_analysis
    from pmo_lib.history.recording import read_trends
    from pmo_lib.parameters import load_parameters
    from pmo_lib.run.plan import plan_jobs

    params = load_parameters()
    analysis = load_analysis(data_path=str(folder), status_date=STATUS_DATE)
    # the trend pack as the run draws it: from the data folder's history/ (the run's store is new)
    analysis.history = read_trends(None, analysis, periods=params.windows.trend_periods, data=folder)
    projects = analysis.portfolio.projects
    jobs = plan_jobs(params.reports, project_ids=projects["project_id"].tolist(),
                     programs=sorted(projects["program"].unique()), portfolio_name=params.portfolio_name,
                     common={"data_path": str(folder), "status_date": STATUS_DATE},
                     project_names=dict(zip(projects["project_id"], projects["name"])))
    return params, analysis, jobs


def _view(job, analysis):
    from pmo_lib.reports import PortfolioReport, ProgramReport, ProjectReport

    if job.scope == "project":
        return ProjectReport(analysis, project_id=job.subject)
    if job.scope == "program":
        return ProgramReport(analysis, program=job.subject)
    return PortfolioReport(analysis)


def _title(job, portfolio_name: str) -> str:
    if job.scope == "portfolio":
        return f"{job.title}: {portfolio_name}"
    return f"{job.title}: {job.label or job.subject}"


def build_page_notebook(nb_template, report, metadata: dict, timings: dict | None = None):
    """A copy of the notebook whose ``report.<method>(...)`` cells hold the view's outputs."""
    import nbformat

    nb = copy.deepcopy(nb_template)
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = []
        if _CALL.match(cell.source):
            name = cell.source.split("(")[0].split(".", 1)[1].strip()
            begin = time.perf_counter()
            value = eval(cell.source, {"report": report})
            # what IPython's display formatter records: the bundle and its metadata (the section name)
            bundle = value._repr_mimebundle_() if hasattr(value, "_repr_mimebundle_") else None
            data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
            data = data or {"text/html": value._repr_html_(), "text/plain": repr(value)}
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - begin
            cell.outputs = [nbformat.v4.new_output("execute_result", data=data, metadata=meta or {},
                                                   execution_count=count)]
    nb.metadata["pmo"] = metadata
    return nb


def floor(folder: Path, size: int) -> dict:
    """Every report of the run, in this process, with no kernel."""
    import nbformat

    from pmo_lib.analysis.handoff import _cached
    from pmo_lib.files import write_text
    from pmo_lib.run.export import export_html

    _cached.cache_clear()
    out = WORK / "floor" / str(size)
    shutil.rmtree(out, ignore_errors=True)
    begin = time.perf_counter()
    params, analysis, jobs = _jobs(folder)
    analysis.metrics  # noqa: B018 - computed once, as the run does before its reports
    load_seconds = time.perf_counter() - begin
    templates = {}
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    stages = {"views": [], "notebook_json": [], "export_html": [], "write_page": []}
    per_job, method_time, scopes = [], {}, {}
    started, cpu_started = time.perf_counter(), time.process_time()
    for job in jobs:
        t0 = time.perf_counter()
        if job.notebook not in templates:
            templates[job.notebook] = nbformat.read(str(ROOT / job.notebook), as_version=4)
        report = _view(job, analysis)
        metadata = {"portfolio_name": params.portfolio_name, "status_date": STATUS_DATE,
                    "generated_at": generated, "title": _title(job, params.portfolio_name)}
        nb = build_page_notebook(templates[job.notebook], report, metadata,
                                 method_time if job.scope == "project" else None)
        t1 = time.perf_counter()
        write_text(out / job.executed_notebook, nbformat.writes(nb))
        t2 = time.perf_counter()
        page = export_html(nb)
        t3 = time.perf_counter()
        write_text(out / job.page, page)
        t4 = time.perf_counter()
        for key, value in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            stages[key].append(value)
        per_job.append(t4 - t0)
        scopes.setdefault(job.scope, []).append(t4 - t0)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    projects = len(scopes.get("project", []))
    return {"size": size, "out": out, "reports": len(jobs), "seconds": total, "load_seconds": load_seconds,
            "per_report": total / len(jobs), "cpu_per_report": cpu / len(jobs), "project_median": median(scopes.get("project", [])),
            "scope_mean": {k: statistics.mean(v) for k, v in scopes.items()},
            "stages": {k: statistics.mean(v) for k, v in stages.items()},
            "methods": {k: v / projects for k, v in sorted(method_time.items(), key=lambda kv: -kv[1])},
            "jobs": jobs}


_GENERATED = re.compile(r"Generated [^<]*? by pmo-reports")
_SVG_IDS = re.compile(r"pmo[0-9a-f]{8}-([A-Za-z]+)_?\d*")


def same_pages(floor_out: Path, run_out: Path, jobs) -> tuple[int, int, int]:
    """Floor pages identical to the run's but for the "Generated <time>" footer; the same but for
    SVG ids too (vl-convert numbers gradients per process, so ids depend on what the process
    rendered before); and the number of pages compared."""
    same = same_but_ids = 0
    for job in jobs:
        a, b = floor_out / job.page, run_out / job.page
        if not (a.is_file() and b.is_file()):
            continue
        x = _GENERATED.sub("", a.read_text(encoding="utf-8"))
        y = _GENERATED.sub("", b.read_text(encoding="utf-8"))
        same += x == y
        same_but_ids += x == y or _SVG_IDS.sub(r"\1", x) == _SVG_IDS.sub(r"\1", y)
    return same, same_but_ids, len(jobs)


# --- 4. one warm report, stage by stage ---------------------------------------------------------
def breakdown(folder: Path, ids: list[str], repeats: int = 5) -> dict:
    """The stages of ``run_job`` (warm engine) for one project report, timed separately."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from pmo_lib.files import write_text
    from pmo_lib.run.export import _exporter, strip_active_content
    from pmo_lib.run.warm_kernel import WarmKernel

    result = {}
    code = ("import time; t = time.perf_counter(); import {mod}; "
            "print(time.perf_counter() - t)")
    for label, mod in (("import papermill.parameterize (fresh process)", "papermill.parameterize, papermill.iorw"),
                       ("import nbclient + jupyter_client (fresh process)", "nbclient, jupyter_client"),
                       ("import pmo_lib.run.export (nbconvert, bs4; fresh process)", "pmo_lib.run.export"),
                       ("import pandas, altair, pmo_lib.reports (kernel warm-up, fresh process)",
                        "pandas, altair, pmo_lib.reports")):
        runs = [float(subprocess.run([sys.executable, "-c", code.format(mod=mod)], capture_output=True, text=True,
                                     env=env(), cwd=ROOT, check=True).stdout) for _ in range(3)]
        result[label] = min(runs)
    out = WORK / "breakdown"
    shutil.rmtree(out, ignore_errors=True)
    begin = time.perf_counter()
    kernel = WarmKernel(cwd=str(ROOT / "notebooks")).start()
    result["kernel start + warm-up imports (per worker)"] = time.perf_counter() - begin
    try:
        stages: dict[str, list[float]] = {}
        first = None
        for i, pid in enumerate((ids * repeats)[: repeats + 1]):
            params = {"data_path": str(folder), "status_date": STATUS_DATE, "params_file": "",
                      "previous_metrics": "", "project_id": pid}
            t0 = time.perf_counter()
            nb = parameterize_notebook(load_notebook_node(str(ROOT / NOTEBOOK)), params)
            t1 = time.perf_counter()
            executed = kernel.execute(nb, timeout=600, cwd=str(ROOT / "notebooks"))
            t2 = time.perf_counter()
            executed.metadata["pmo"] = {"portfolio_name": "bench", "status_date": STATUS_DATE,
                                        "generated_at": "", "title": pid}
            text = nbformat.writes(executed)
            t3 = time.perf_counter()
            write_text(out / f"{pid}-{i}.ipynb", text)
            t4 = time.perf_counter()
            page, _ = _exporter().from_notebook_node(executed, resources={"metadata": {"name": "PMO report"}})
            t5 = time.perf_counter()
            page = strip_active_content(page)
            t6 = time.perf_counter()
            write_text(out / f"{pid}-{i}.html", page)
            t7 = time.perf_counter()
            if i == 0:  # the first report in a kernel also loads the portfolio there
                first = t2 - t1
                continue
            for key, value in (("papermill parameterize + read notebook", t1 - t0),
                               ("kernel execute (reset + cells + iopub)", t2 - t1),
                               ("nbformat.writes (notebook JSON)", t3 - t2), ("write executed notebook", t4 - t3),
                               ("nbconvert render (template)", t5 - t4), ("strip_active_content (bs4)", t6 - t5),
                               ("write page", t7 - t6), ("total", t7 - t0)):
                stages.setdefault(key, []).append(value)
        result["first report in a kernel: execute (loads the portfolio in the kernel)"] = first
        result["steady"] = {k: median(v) for k, v in stages.items()}
    finally:
        kernel.shutdown()
    # the exporter's first use compiles the template: time it in a fresh process
    code = ("import time, nbformat; from pmo_lib.run.export import export_html; "
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# x')]); "
            "t = time.perf_counter(); export_html(nb); a = time.perf_counter() - t; "
            "t = time.perf_counter(); export_html(nb); print(a, time.perf_counter() - t)")
    first_export = [list(map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                   env=env(), cwd=ROOT, check=True).stdout.split()))
                    for _ in range(3)]
    result["first export_html in a process (exporter + template load)"] = min(x[0] for x in first_export)
    return result


# --- 5. sizes ----------------------------------------------------------------------------------
def page_sizes(out: Path) -> dict:
    def stats(files):
        sizes = sorted(f.stat().st_size for f in files)
        if not sizes:
            return None
        return {"n": len(sizes), "min": sizes[0], "median": statistics.median(sizes), "max": sizes[-1]}

    return {"project pages": stats(list((out / "projects").glob("*.html"))),
            "program pages": stats(list((out / "programs").glob("*.html"))),
            "portfolio page": stats([out / "portfolio.html"]),
            "index page": stats([out / "index.html"]),
            "executed notebooks": stats(list((out / "notebooks").rglob("*.ipynb")))}


def email_sizes(out: Path) -> dict:
    """E-mail sizes when an e-mail renderer is committed; otherwise why not."""
    log_mail = subprocess.run(["git", "log", "--oneline", "-i", "--grep", "mail"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    tracked = subprocess.run(["git", "ls-files", "pmo_lib/mail/compose.py"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip()
    if not (log_mail and tracked):
        return {"status": "not yet (no e-mail renderer committed in pmo_lib)"}
    try:
        from pmo_lib.mail.compose import build_message, render_report_email
        from pmo_lib.run.folder import RunFolder

        run = RunFolder.open(out)
        by_scope: dict[str, list[tuple[int, int, bool]]] = {}
        begin = time.perf_counter()
        for entry in run.reports:
            if entry.get("status") != "ok":
                continue
            mail = render_report_email(run, entry)
            message = build_message(mail, sender="pmo@example.org", to=["board@example.org"], subject="bench")
            by_scope.setdefault(entry["scope"], []).append((mail.html_bytes, len(message.as_bytes()), mail.trimmed))
        seconds = time.perf_counter() - begin
        rows = {}
        for scope, values in by_scope.items():
            html = sorted(v[0] for v in values)
            full = sorted(v[1] for v in values)
            rows[scope] = {"n": len(values), "html_median": statistics.median(html), "html_max": html[-1],
                           "message_median": statistics.median(full), "message_max": full[-1],
                           "trimmed": sum(v[2] for v in values)}
        count = sum(len(v) for v in by_scope.values())
        return {"status": "ok", "scopes": rows, "seconds_per_email": seconds / max(count, 1)}
    except Exception as exc:
        return {"status": f"renderer committed but failed here: {type(exc).__name__}: {exc}"}


# --- report --------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def summarise(args, info: dict) -> tuple[str, list[str]]:
    """The Markdown section and the printed ratio lines."""
    runs, floors, naive_r = info["runs"], info["floors"], info.get("naive")
    sizes = sorted(runs)
    smallest = sizes[0] if sizes else None
    lines: list[str] = []
    ratios: list[str] = []

    lines += [f"Run on {info['started']} – {info['finished']} with `.venv/bin/python benchmarks/bench_reports.py "
              f"--sizes {','.join(map(str, args.sizes))} --naive-projects {args.naive_projects} "
              f"--workers {args.workers} --floor-sizes {','.join(map(str, args.floor_sizes))} --seed {args.seed}` "
              f"(status date {STATUS_DATE}) on {info['code']}.", "",
              "Machine: " + ", ".join(f"{k} {v}" for k, v in info["machine"].items()) + ".", "",
              f"Load average (1/5/15 min) at start {info['load_start']}, at end {info['load_end']}; "
              "the machine is shared, so other processes' work is in these wall-clock figures "
              "(the per-phase load is in the tables).", ""]

    # naive vs run vs floor
    lines += ["### Per report", "",
              "| portfolio | reports | method | total s | s / report | notes |", "|---:|---:|---|---:|---:|---|"]
    if naive_r:
        lines.append(f"| {smallest} | {len(naive_r['reports'])} | naive: papermill CLI + nbconvert CLI | "
                     f"{sum(r['total'] for r in naive_r['reports']):.1f} | **{naive_r['per_report']:.2f}** | "
                     f"papermill {naive_r['papermill']:.2f} s + nbconvert {naive_r['nbconvert']:.2f} s; "
                     f"CPU {naive_r['cpu_per_report']:.2f} s/report; load {naive_r['load']} |")
    for size in sizes:
        for r in runs[size]:
            lines.append(
                f"| {size} | {r['reports']} | `pmo-report run --workers {r['workers']} --engine {r['engine']}` | "
                f"{r['seconds']:.1f} | **{r['per_report']:.3f}** | job median {r['job_median']:.2f} s "
                f"(projects {r['project_job_median']:.2f} s) "
                f"(worker time {r['job_sum'] / r['reports']:.2f} s/report), CPU {r['cpu_seconds']:.0f} s "
                f"({r['cpu_per_report']:.3f} s/report), "
                f"{r['failed']} failed; load {r['load_before']} → {r['load_after']} |")
        if size in floors:
            f = floors[size]
            lines.append(f"| {size} | {f['reports']} | floor: one process, no kernel | {f['seconds']:.1f} | "
                         f"**{f['per_report']:.3f}** | CPU {f['cpu_per_report']:.3f} s/report; "
                         f"project median {f['project_median']:.3f} s; load + metrics "
                         f"once {f['load_seconds']:.1f} s (not counted); pages identical to the run's but the time stamp: "
                         f"{f['same'][0]}/{f['same'][2]} (and but SVG ids: {f['same'][1]}/{f['same'][2]}); "
                         f"load {f['load']} |")
    lines.append("")

    # CPU time: what the reports cost, less disturbed by other processes on a shared machine
    lines += ["### CPU seconds per report (sum over the process tree; less sensitive to the machine's load)", "",
              "| portfolio | method | CPU s / report | / floor | beyond the floor, ms | naive / this |",
              "|---:|---|---:|---:|---:|---:|"]
    if naive_r:
        lines.append(f"| {smallest} | naive: papermill CLI + nbconvert CLI | {naive_r['cpu_per_report']:.3f} | | | |")
    for size in sizes:
        f = floors.get(size)
        if f:
            lines.append(f"| {size} | floor: one process, no kernel | {f['cpu_per_report']:.3f} | 1.00x | 0 | " + (
                f"{naive_r['cpu_per_report'] / f['cpu_per_report']:.1f}x |" if naive_r and size == smallest else " |"))
        for r in runs[size]:
            cells = [f"{r['cpu_per_report']:.3f}"]
            cells.append(f"{r['cpu_per_report'] / f['cpu_per_report']:.2f}x" if f else "")
            cells.append(f"{(r['cpu_per_report'] - f['cpu_per_report']) * 1000:.0f}" if f else "")
            cells.append(f"{naive_r['cpu_per_report'] / r['cpu_per_report']:.1f}x" if naive_r and size == smallest
                         else "")
            lines.append(f"| {size} | `run --engine {r['engine']}` ({r['workers']} workers) | " + " | ".join(cells) + " |")
            if f and r["engine"] != "papermill":
                over = (r["cpu_per_report"] - f["cpu_per_report"]) * 1000
                ratios.append(f"CPU at {size}, engine {r['engine']}: {r['cpu_per_report']:.3f} s/report vs floor "
                              f"{f['cpu_per_report']:.3f} = {r['cpu_per_report'] / f['cpu_per_report']:.2f}x, "
                              f"{over:.0f} ms beyond (goal < {GOAL_OVERHEAD_MS:.0f} ms: "
                              f"{verdict(over < GOAL_OVERHEAD_MS)})")
    lines += ["", "The run's CPU includes its loading, metrics, worker and kernel start-ups, index and manifest, "
              "spread over its reports; the floor's excludes loading and metrics.", ""]

    # ratios and goals
    lines += ["### Ratios against the goals (issue 16; wall clock)", "", "| ratio | value | goal | verdict |", "|---|---:|---|---|"]
    warm = {size: next((r for r in runs[size] if r["engine"] == "warm"), None) for size in sizes}
    if naive_r and smallest in warm and warm[smallest]:
        x = naive_r["per_report"] / warm[smallest]["per_report"]
        lines.append(f"| naive / run per report ({smallest} projects) | {x:.1f}x | >= {GOAL_NAIVE_RATIO:.0f}x | "
                     f"{verdict(x >= GOAL_NAIVE_RATIO)} |")
        ratios.append(f"naive {naive_r['per_report']:.2f} s / run {warm[smallest]['per_report']:.3f} s per report "
                      f"= {x:.1f}x (goal >= {GOAL_NAIVE_RATIO:.0f}x: {verdict(x >= GOAL_NAIVE_RATIO)})")
        for other in runs[smallest]:
            if other["engine"] not in ("warm", "papermill"):
                z = naive_r["per_report"] / other["per_report"]
                lines.append(f"| naive / run --engine {other['engine']} per report ({smallest} projects) | {z:.1f}x | "
                             f">= {GOAL_NAIVE_RATIO:.0f}x | {verdict(z >= GOAL_NAIVE_RATIO)} |")
                ratios.append(f"naive / run --engine {other['engine']} = {z:.1f}x")
        pm = next((r for r in runs[smallest] if r["engine"] == "papermill"), None)
        if pm:
            y = naive_r["per_report"] / pm["per_report"]
            lines.append(f"| naive / run --engine papermill per report ({smallest}) | {y:.1f}x | (comparison) | |")
            ratios.append(f"naive / run --engine papermill = {y:.1f}x; papermill engine / warm engine = "
                          f"{pm['per_report'] / warm[smallest]['per_report']:.1f}x")
    for size in sizes:
        if size in floors:
            f = floors[size]
            lines.append(f"| floor per project page ({size} projects, median) | {f['project_median']:.3f} s | "
                         f"< {GOAL_FLOOR_SECONDS} s | {verdict(f['project_median'] < GOAL_FLOOR_SECONDS)} |")
            for other in runs[size]:
                if other["engine"] not in ("warm", "papermill"):
                    x = other["per_report"] / f["per_report"]
                    lines.append(f"| run --engine {other['engine']} / floor per report ({size} projects, wall clock, "
                                 f"{other['workers']} workers) | {x:.2f}x | <= {GOAL_FLOOR_RATIO}x | "
                                 f"{verdict(x <= GOAL_FLOOR_RATIO)} |")
        if size in floors and warm[size]:
            r, f = warm[size], floors[size]
            x = r["per_report"] / f["per_report"]
            core = r["per_report"] * r["workers"] / f["per_report"]
            lines.append(f"| run / floor per report ({size} projects, wall clock, run on {r['workers']} workers) | "
                         f"{x:.2f}x | <= {GOAL_FLOOR_RATIO}x | {verdict(x <= GOAL_FLOOR_RATIO)} |")
            lines.append(f"| run x workers / floor per report ({size}, per core: like for like) | {core:.2f}x | "
                         f"(<= {GOAL_FLOOR_RATIO}x) | {verdict(core <= GOAL_FLOOR_RATIO)} |")
            ratios.append(f"run / floor at {size}: {x:.2f}x wall clock, {core:.2f}x per core "
                          f"(goal <= {GOAL_FLOOR_RATIO:.0f}x: {verdict(x <= GOAL_FLOOR_RATIO)} / "
                          f"{verdict(core <= GOAL_FLOOR_RATIO)})")
    if len(sizes) > 1 and warm[sizes[0]] and warm[sizes[-1]]:
        base = warm[sizes[0]]["per_report"]
        steps = ", ".join(f"{s}: {warm[s]['per_report']:.3f} s ({warm[s]['per_report'] / base:.2f}x)"
                          for s in sizes if warm[s])
        x = warm[sizes[-1]]["per_report"] / base
        lines.append(f"| per report at {sizes[-1]} / at {sizes[0]} projects (linearity) | {x:.2f}x | "
                     f"<= {GOAL_LINEAR}x | {verdict(x <= GOAL_LINEAR)} |")
        ratios.append(f"linearity, run s/report: {steps} (goal: flat, <= {GOAL_LINEAR}x: {verdict(x <= GOAL_LINEAR)})")
    for size in sizes:
        if warm[size]:
            gb = warm[size]["peak_rss"] / 1024 ** 3
            lines.append(f"| peak memory, {size} projects (sum of RSS over the process tree) | {gb:.2f} GB | "
                         f"< {GOAL_MEMORY_GB:.0f} GB | {verdict(gb < GOAL_MEMORY_GB)} |")
            top = ", ".join(f"{name.strip() or '?'} {rss / 1024 ** 2:.0f} MB" for name, rss in
                            warm[size]["peak_detail"][:4])
            ratios.append(f"peak memory at {size}: {gb:.2f} GB over {warm[size]['peak_processes']} processes "
                          f"(goal < {GOAL_MEMORY_GB:.0f} GB: {verdict(gb < GOAL_MEMORY_GB)}); largest: {top}")
    lines.append("")

    # breakdown
    b = info.get("breakdown")
    if b:
        lines += [f"### One warm-engine project report, stage by stage ({smallest}-project portfolio, median of "
                  f"{args.breakdown_repeats}; in this process with pmo_lib.run.warm_kernel.WarmKernel)", "", "| stage | seconds |", "|---|---:|"]
        for key, value in b["steady"].items():
            lines.append(f"| {key} | {value:.3f} |")
        lines += ["", "One-off costs (per worker or per process):", "", "| cost | seconds |", "|---|---:|"]
        for key, value in b.items():
            if key != "steady" and value is not None:
                lines.append(f"| {key} | {value:.3f} |")
        lines.append("")
    if floors:
        size = min(floors)
        f = floors[size]
        lines += [f"### The floor's time per project report ({size}-project portfolio, mean)", "",
                  "| step | seconds |", "|---|---:|"]
        for key, value in f["methods"].items():
            lines.append(f"| view `report.{key}()` | {value:.3f} |")
        for key, value in f["stages"].items():
            if key != "views":
                lines.append(f"| {key} | {value:.3f} |")
        lines.append("")

    # sizes
    lines += ["### Page and e-mail sizes (KB)", "", "| portfolio | file | count | min | median | max |",
              "|---:|---|---:|---:|---:|---:|"]
    for size in sizes:
        for name, s in info["pages"].get(size, {}).items():
            if s:
                lines.append(f"| {size} | {name} | {s['n']} | {kb(s['min'])} | {kb(s['median'])} | {kb(s['max'])} |")
    if naive_r:
        sizes_naive = [r["page_bytes"] for r in naive_r["reports"]]
        lines.append(f"| {smallest} | naive nbconvert page (lab template) | {len(sizes_naive)} | "
                     f"{kb(min(sizes_naive))} | {kb(statistics.median(sizes_naive))} | {kb(max(sizes_naive))} |")
    lines.append("")
    mail = info.get("email") or {"status": "not measured"}
    if mail.get("status") == "ok":
        lines += [f"E-mails of the {smallest}-project run ({mail['seconds_per_email']:.2f} s each to render):", "",
                  "| scope | count | HTML body median | HTML body max | whole message median | whole message max "
                  "| trimmed |", "|---|---:|---:|---:|---:|---:|---:|"]
        for scope, s in mail["scopes"].items():
            lines.append(f"| {scope} | {s['n']} | {kb(s['html_median'])} | {kb(s['html_max'])} | "
                         f"{kb(s['message_median'])} | {kb(s['message_max'])} | {s['trimmed']} |")
    else:
        lines.append(f"E-mail sizes: {mail['status']}.")
    lines.append("")
    if info.get("errors"):
        lines += ["Errors during this benchmark:", ""] + [f"- {e}" for e in info["errors"]] + [""]
    return "\n".join(lines), ratios


def write_results(body: str) -> None:
    """Replace this script's section of RESULTS.md (between its markers), keeping the others."""
    from pmo_lib.files import write_text

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{START}\n{body.rstrip()}\n{END}"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + f"\n\n## {SECTION}\n\n{block}\n"
    write_text(RESULTS, text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ints = lambda s: [int(x) for x in s.split(",") if x.strip()]  # noqa: E731
    parser.add_argument("--sizes", type=ints, default=[40, 200, 1000], help="portfolio sizes (projects)")
    parser.add_argument("--naive-projects", type=int, default=3, help="reports done the naive way (smallest size)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor-sizes", type=ints, default=[40, 200], help="sizes for the compute floor")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="warm,direct",
                        help="engines of the pmo-report run on every size (comma-separated)")
    parser.add_argument("--no-papermill-engine", action="store_true",
                        help="skip the --engine papermill run on the smallest portfolio")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the stage-by-stage warm report")
    parser.add_argument("--breakdown-repeats", type=int, default=5)
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    args.sizes = sorted(args.sizes)
    args.floor_sizes = sorted(s for s in args.floor_sizes if s in args.sizes)

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    info = {"started": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(), "load_start": load_avg(),
            "code": code_version(),
            "runs": {}, "floors": {}, "pages": {}, "errors": []}
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info["machine"].items()))
    folders = {}
    for size in args.sizes:
        folders[size], seconds = portfolio(size, args.seed)
        log(f"portfolio {size}: {folders[size]}" + ("" if seconds is None else f" (generated in {seconds:.1f} s)"))
    smallest = args.sizes[0]
    ids = project_ids(folders[smallest])

    def phase(name, fn, *a, **k):
        log(f"{name} ...")
        try:
            value = fn(*a, **k)
        except Exception as exc:
            info["errors"].append(f"{name}: {type(exc).__name__}: {str(exc)[:500]}")
            log(f"{name} FAILED: {exc}")
            return None
        return value

    if args.naive_projects > 0:
        load = load_avg()
        info["naive"] = phase("naive", naive, folders[smallest], ids[: args.naive_projects])
        if info["naive"]:
            info["naive"]["load"] = f"{load} → {load_avg()}"
            log(f"naive: {info['naive']['per_report']:.2f} s per report")
    engines = [e for e in args.engines.split(",") if e.strip()]
    for size in args.sizes:
        runs = []
        r = None
        for engine in engines:
            e = phase(f"run {size} {engine}", pmo_run, folders[size], f"{size}-{engine}", workers=args.workers,
                      engine=engine)
            if e:
                runs.append(e)
                r = r or e
                log(f"run {size} {engine}: {e['seconds']:.1f} s, {e['per_report']:.3f} s/report, "
                    f"CPU {e['cpu_per_report']:.3f} s/report, peak {e['peak_rss'] / 1024 ** 3:.2f} GB")
        if r:
            info["pages"][size] = page_sizes(r["out"])
        if size == smallest and not args.no_papermill_engine:
            p = phase(f"run {size} papermill", pmo_run, folders[size], f"{size}-papermill", workers=args.workers,
                      engine="papermill")
            if p:
                runs.append(p)
                log(f"run {size} papermill: {p['seconds']:.1f} s, {p['per_report']:.3f} s/report")
        info["runs"][size] = runs
        if size in args.floor_sizes:
            load = load_avg()
            f = phase(f"floor {size}", floor, folders[size], size)
            if f:
                f["load"] = f"{load} → {load_avg()}"
                f["same"] = same_pages(f["out"], r["out"], f["jobs"]) if r else (0, 0, f["reports"])
                info["floors"][size] = f
                log(f"floor {size}: {f['seconds']:.1f} s, {f['per_report']:.3f} s/report")
        if size == smallest:
            if r:
                info["email"] = phase("e-mail sizes", email_sizes, r["out"])
            if not args.no_breakdown:
                info["breakdown"] = phase("breakdown", breakdown, folders[smallest], ids[:5],
                                          repeats=args.breakdown_repeats)
    info["finished"] = dt.datetime.now().strftime("%H:%M")
    info["load_end"] = load_avg()
    body, ratios = summarise(args, info)
    print()
    print(body)
    print("Ratios:")
    for line in ratios:
        print("  " + line)
    if not args.no_results:
        write_results(body)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
