"""Faults: failing notebooks, a run killed part-way, a full disk, an unwritable folder, the audit's service.

- A notebook that raises, one that runs past its timeout and one whose kernel
  dies (``os._exit``) are each recorded as failed with their reason, on both
  engines; the other reports of the run are produced; the exit code is 1.
- ``pmo-report run`` killed with SIGKILL part-way leaves the previous run of
  that date exactly as it was (same bytes, same inodes) and its staging folder
  beside it; the next run removes the staging folder and completes with exit 0.
- A full disk or an output path that cannot be a folder gives a one-line
  error and exit 2, and leaves the previous run intact.
- The dependency audit (``scripts/audit.py``) fails on known
  vulnerabilities but only warns when the vulnerability service cannot be
  reached or could not check the packages.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pmo_lib import files as outputs
from pmo_lib.cli import main
from pmo_lib.parameters import parse_parameters
from pmo_lib.run.suite import run_reports
from pmo_lib.run.transaction import write_marker
from tests.conftest import ROOT, SAMPLE, VALID_TABLES, write_tables

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

PMO_REPORT = Path(sys.executable).with_name("pmo-report")
AUDIT = ROOT / "scripts" / "audit.py"

FOUR_PROJECTS = {
    **VALID_TABLES,
    "projects": VALID_TABLES["projects"] + "P3,Third,Digital,Ann Lee,,active,100\nP4,Fourth,,Bo Chen,,active,100\n",
}
PARAMETERS = 'data_path = ""\nstatus_date = ""\nparams_file = ""\nprevious_metrics = ""\nproject_id = "P1"\n'
FAULTS = """\
import os, time
if project_id == "P1":
    os._exit(3)
if project_id == "P2":
    time.sleep(60)
if project_id == "P3":
    raise ValueError("broken on purpose for " + project_id)
"""


@pytest.fixture
def faulty_root(tmp_path):
    root = tmp_path / "root"
    book = new_notebook(
        cells=[new_markdown_cell("# Faults"), new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
               new_markdown_cell("## Before"), new_code_cell("before = 1"), new_markdown_cell("## The faults"),
               new_markdown_cell("Each project fails its own way in the next cell, cell 7."),
               new_code_cell(FAULTS),
               new_code_cell("from pmo_lib.reports.html import note\nnote('survived ' + project_id)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(book, str(root / "notebooks" / "faults.ipynb"))
    return root


@pytest.mark.parametrize("engine", ["warm", "direct", "papermill"])
def test_raise_timeout_and_dead_kernel_are_recorded_and_the_run_goes_on(tmp_path, faulty_root, engine):
    # 40 s: enough for P4's new kernel to import pmo_lib on a loaded machine (21 s seen); P2 sleeps 60 s
    params = parse_parameters({"portfolio_name": "Faults", "timeout_seconds": 40, "reports": [
        {"name": "projects", "notebook": "notebooks/faults.ipynb", "scope": "project", "title": "Project"}]})
    outcome = run_reports(data=write_tables(tmp_path / "data", FOUR_PROJECTS), status_date=dt.date(2024, 1, 20),
                          out_dir=tmp_path / "out" / "2024-01-20", params=params, root=faulty_root, workers=1,
                          progress=False, engine=engine)
    out = outcome.run_dir
    assert outcome.exit_code == 1
    errors = {r.subject: (r.error or {}).get("type") for r in outcome.results}
    assert errors == {"P1": "KernelDied", "P2": "Timeout", "P3": "ValueError", "P4": None}
    assert "survived P4" in (out / "projects" / "P4.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "projects").iterdir()) == ["P4.html"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"ok": 1, "failed": 3}
    reasons = {r["subject"]: r["error"] for r in manifest["reports"] if r["error"]}
    assert reasons["P3"]["message"] == "broken on purpose for P3"
    assert reasons["P2"]["message"] == "a cell ran longer than 40 seconds"
    # the cell that ran, numbered as in notebooks/faults.ipynb, with its first line
    assert {s: (e["cell"], e["source"]) for s, e in reasons.items()} == {
        "P1": (7, "import os, time"), "P2": (7, "import os, time"), "P3": (7, "import os, time")}
    assert all(reason["message"] for reason in reasons.values())
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "Failed reports" in index and "broken on purpose for P3" in index
    assert not [p for p in out.rglob(".*") if p.is_file() and p.name != ".pmo-run"]  # no temporary left behind


@pytest.mark.parametrize("engine", ["warm", "direct", "papermill"])
def test_a_timeout_names_the_cell_that_was_running(tmp_path, engine):
    """``while True: pass`` in cell 7 is blamed on cell 7, not on the next code cell, on both engines."""
    root = tmp_path / "root"
    cells = [new_markdown_cell("# Spin"),
             new_code_cell(PARAMETERS.replace('project_id = "P1"\n', ""), metadata={"tags": ["parameters"]}),
             new_code_cell("import os"), new_markdown_cell("## First"),
             new_code_cell("first = os.getcwd()"), new_markdown_cell("## Never ends"), new_code_cell("while True: pass"),
             new_markdown_cell("## After"), new_code_cell("register = first")]
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}}),
                   str(root / "notebooks" / "spin.ipynb"))
    params = parse_parameters({"portfolio_name": "Spin", "timeout_seconds": 3, "reports": [
        {"name": "portfolio", "notebook": "notebooks/spin.ipynb", "scope": "portfolio", "title": "Spin"}]})
    outcome = run_reports(data=write_tables(tmp_path / "data", VALID_TABLES), status_date=dt.date(2024, 1, 20),
                          out_dir=tmp_path / "out", params=params, root=root, workers=1, progress=False,
                          engine=engine)
    [result] = outcome.results
    assert result.error == {"type": "Timeout", "message": "a cell ran longer than 3 seconds", "cell": 7,
                            "source": "while True: pass"}
    index = BeautifulSoup((outcome.run_dir / "index.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "Timeout in cell 7 (while True: pass): a cell ran longer than 3 seconds" in index


# --- a run killed part-way ------------------------------------------------------------------------------

def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (kernels run in their own sessions, so killpg misses them)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def assert_complete(path: Path) -> None:
    """A file the runner writes is whole: parseable to its end."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        assert text.rstrip().endswith("</html>"), path
        soup = BeautifulSoup(text, "html.parser")
        assert soup.title is not None and soup.find("body") is not None, path
    elif path.suffix == ".ipynb":
        nbformat.validate(nbformat.reads(text, as_version=4))
    elif path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".csv":
        assert text.startswith("project_id,") and text.endswith("\n"), path


def pmo_report_run(out: Path, params: Path, **popen):
    return [str(PMO_REPORT), "run", "--data", str(SAMPLE), "--status-date", "2026-11-20", "--out", str(out),
            "--params", str(params), "--workers", "1", "--projects", "PRJ-001,PRJ-002,PRJ-003,PRJ-004"]


def test_a_run_killed_part_way_leaves_the_previous_run_exactly_as_it_was_and_the_next_run_completes(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(textwrap.dedent("""\
        reports:
          - {name: projects, notebook: notebooks/project_status.ipynb, scope: project, title: Project status}
        """), encoding="utf-8")
    out = tmp_path / "output" / "2026-11-20"
    command = pmo_report_run(out, params)
    first = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    history = (out.parent / "index.html").read_bytes()
    store = (out.parent / "history.sqlite").read_bytes()
    pages = [name for name in before if name.startswith("projects/")]
    assert len(pages) == 4

    log = (tmp_path / "killed.log").open("w")
    killed = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    kernels: set[int] = set()
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and killed.poll() is None:
            kernels |= descendants(killed.pid)
            if any(out.parent.glob(".2026-11-20.pmo-staging-*/projects/*.html")):
                break  # one page written into the staging folder, the others still to come
            time.sleep(0.02)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        log.close()
        end_orphans(kernels)
    assert killed.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    assert snapshot(out) == before  # same bytes and inodes: nothing of the killed run is visible
    assert (out.parent / "index.html").read_bytes() == history
    assert (out.parent / "history.sqlite").read_bytes() == store  # the killed run recorded nothing
    assert not [p for p in out.rglob(".*") if p.is_file() and p.name != ".pmo-run"]
    left = [p.name for p in out.parent.iterdir() if ".pmo-staging-" in p.name]
    assert len(left) == 1  # the killed run's staging folder, beside the run

    again = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"removed {out.parent / left[0]}, left by an interrupted run" in again.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == [".pmo-report.lock", "2026-11-20", "history.sqlite", "index.html"]
    final = snapshot(out)
    assert set(final) == set(before)
    for name in final:
        assert_complete(out / name)
        assert final[name][1] != before[name][1]  # every file comes from the new run


def end_orphans(pids: set[int], wait: float = 20) -> None:
    """Kernels notice their parent died and exit; end any that did not, by pid."""
    deadline = time.monotonic() + wait
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}
        time.sleep(0.2)
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- interrupted writes, full disk, unwritable folders ---------------------------------------------------

def test_an_interrupted_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = outputs.write_text(tmp_path / "page.html", "<html>old</html>\n")

    def killed(*args):
        raise KeyboardInterrupt  # what a signal does between writing the temporary and renaming it

    monkeypatch.setattr(outputs, "os", types.SimpleNamespace(**{**vars(os), "replace": killed}))
    with pytest.raises(KeyboardInterrupt):
        outputs.write_text(target, "<html>new</html>\n")
    assert target.read_text() == "<html>old</html>\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def fake_os(**overrides) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{**vars(os), **overrides})


def test_disk_full_is_one_clear_line_and_exit_2(make_portfolio, tmp_path, monkeypatch):
    out = tmp_path / "output" / "2024-01-20"
    out.mkdir(parents=True)
    (out / "metrics.csv").write_text("project_id,previous\n")
    write_marker(out)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "os", fake_os(fsync=full))
    result = CliRunner().invoke(main, ["run", "--data", str(make_portfolio()), "--status-date", "2024-01-20",
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"error: cannot write the run folder {out}: No space left on device")
    assert "Traceback" not in result.output
    assert (out / "metrics.csv").read_text() == "project_id,previous\n"
    assert sorted(p.name for p in out.iterdir()) == [".pmo-run", "metrics.csv"]  # the previous run, as it was
    assert sorted(p.name for p in out.parent.iterdir()) == [".pmo-report.lock", "2024-01-20"]  # no staging left


@pytest.mark.parametrize("where", ["file", "proc"])
def test_an_output_folder_that_cannot_exist_is_one_clear_line_and_exit_2(make_portfolio, tmp_path, where):
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "2024-01-20" if where == "file" else Path("/proc/pmo-reports-test/2024-01-20")
    result = CliRunner().invoke(main, ["run", "--data", str(make_portfolio()), "--status-date", "2024-01-20",
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    # the data's own warnings aside (a portfolio not named for itself), the error is one line
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write the run folder {out}: "), result.output
    assert blocker.read_text() == "a file, not a folder"


# --- the dependency audit -----------------------------------------------------------------------------------

AUDIT_REPORTS = {
    "clean": (0, {"dependencies": [{"name": "click", "version": "8.1.0", "vulns": []},
                                   {"name": "pandas", "version": "2.2.0", "vulns": []}], "fixes": []}),
    "vulnerable": (1, {"dependencies": [
        {"name": "click", "version": "8.1.0", "vulns": []},
        {"name": "nbconvert", "version": "7.16.0",
         "vulns": [{"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["7.17.1"], "aliases": ["CVE-2026-0001"],
                    "description": "path traversal"}]}], "fixes": []}),
    "unreachable": (1, None),
    "unchecked": (0, {"dependencies": [
        {"name": "click", "version": "8.1.0", "skip_reason": "Dependency not found on PyPI and could not be audited: click (8.1.0)"},
        {"name": "pandas", "version": "2.2.0", "skip_reason": "Dependency not found on PyPI and could not be audited: pandas (2.2.0)"}],
        "fixes": []}),
}


@pytest.mark.parametrize("case, exit_code, says", [
    ("clean", 0, "no known vulnerabilities in 2 packages"),
    ("vulnerable", 1, "nbconvert 7.16.0: GHSA-xxxx-yyyy-zzzz (CVE-2026-0001), fixed in 7.17.1"),
    ("unreachable", 0, "warning: the dependency audit could not run"),
    ("unchecked", 0, "warning: the vulnerability service could not check 2 of 2 packages"),
])
def test_the_audit_fails_on_vulnerabilities_and_only_warns_when_it_cannot_check(tmp_path, case, exit_code, says):
    code, report = AUDIT_REPORTS[case]
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(textwrap.dedent(f"""\
        import json, sys
        args = sys.argv[1:]
        report = {json.dumps(report)}
        if report is None:
            sys.stderr.write("requests.exceptions.ConnectionError: Failed to resolve 'pypi.org'\\n")
        else:
            open(args[args.index("-o") + 1], "w").write(json.dumps(report))
        sys.exit({code})
        """))
    done = subprocess.run([sys.executable, str(AUDIT)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PMO_PIP_AUDIT": f"{sys.executable} {fake}"})
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert says in done.stdout + done.stderr
