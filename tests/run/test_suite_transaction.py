"""``pmo-report run`` as a transaction, end to end: stops, a second writer, folders that are not ours.

- SIGTERM or SIGINT to the runner ends the whole process tree (workers, their
  kernels) within 10 s with exit 128 + signal; the previous run of that date,
  and the output root's history page, are exactly as they were (same bytes,
  same inodes); nothing is left beside them.
- While a run holds the output root, a second ``run`` and an ``email`` exit 2
  naming the holder's pid and since when, and write nothing.
- ``--out`` at a non-empty folder pmo-reports did not write: exit 2 naming it,
  untouched; ``--force`` replaces it. A user's ``index.html`` in the output
  root is never replaced.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import VALID_TABLES, write_tables
from tests.run.test_faults import FOUR_PROJECTS, PARAMETERS, descendants, end_orphans, snapshot

pytestmark = pytest.mark.e2e

PMO_REPORT = Path(sys.executable).with_name("pmo-report")
STATUS_DATE = "2024-01-20"


@pytest.fixture
def setup(tmp_path):
    """A catalog of one project notebook that sleeps while ``slow`` exists; the data; the run folder."""
    slow = tmp_path / "slow"
    book = new_notebook(
        cells=[new_markdown_cell("# Stops"), new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
               new_code_cell(f"import os, time\nif os.path.exists({str(slow)!r}):\n    time.sleep(120)"),
               new_code_cell("from pmo_lib.reports.html import note\nnote('page of ' + project_id)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook = tmp_path / "notebooks" / "slow.ipynb"
    notebook.parent.mkdir()
    nbformat.write(book, str(notebook))
    params = tmp_path / "params.yaml"
    params.write_text(f"portfolio_name: Stops\nreports:\n  - {{name: projects, notebook: {notebook}, "
                      "scope: project, title: Project}\n", encoding="utf-8")
    data = write_tables(tmp_path / "data", FOUR_PROJECTS)
    return {"slow": slow, "params": params, "data": data, "out": tmp_path / "output" / STATUS_DATE}


def command(setup, *extra, out=None):
    return [str(PMO_REPORT), "run", "--data", str(setup["data"]), "--status-date", STATUS_DATE,
            "--out", str(out or setup["out"]), "--params", str(setup["params"]), *extra]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pids: set[int]) -> set[int]:
    def running(pid):
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    return {pid for pid in pids if running(pid)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_ends_every_process_keeps_the_previous_run_and_a_second_writer_is_refused(setup, signum):
    first = subprocess.run(command(setup, "--workers", "2"), capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    out, root = setup["out"], setup["out"].parent
    before = snapshot(out)
    assert len([name for name in before if name.startswith("projects/")]) == 4
    history = (root / "index.html").read_bytes()

    setup["slow"].write_text("sleep")
    log = open(root.parent / "stopped.log", "w")
    running = subprocess.Popen(command(setup, "--workers", "2"), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    tree: set[int] = set()
    try:
        # two workers, each with its kernel (and the forkserver) are up and the reports are under way
        wait_for(lambda: len(alive(descendants(running.pid))) >= 5 and list(root.glob(".*.pmo-staging-*/notebooks")),
                 120, "the workers and kernels")
        time.sleep(2)
        tree = descendants(running.pid)

        second = subprocess.run(command(setup), capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert re.search(rf"^error: {re.escape(str(root))}: pmo-report run \(pid {running.pid}\) since "
                         r"\d{4}-\d\d-\d\dT[\d:]+\+00:00 is writing this output folder", second.stderr, re.M), \
            second.stderr
        mail = subprocess.run([str(PMO_REPORT), "email", "--run", str(out), "--dry-run", "--to", "a@example.org"],
                              capture_output=True, text=True, timeout=120)
        assert mail.returncode == 2 and f"(pid {running.pid})" in mail.stderr, mail.stderr
        assert not (out / "email").exists()

        os.kill(running.pid, signum)
        stopped = time.monotonic()
        code = running.wait(timeout=10)
        assert code == 128 + signum
        wait_for(lambda: not alive(tree), 10 - (time.monotonic() - stopped), "every child to end")
        assert time.monotonic() - stopped < 10
    finally:
        if running.poll() is None:
            running.kill()
        log.close()
        end_orphans(tree, wait=1)
    output = (root.parent / "stopped.log").read_text()
    assert f"error: stopped by {signal.Signals(signum).name}; the reports were not finished" in output
    assert "Traceback" not in output
    assert snapshot(out) == before  # same bytes, same inodes: the previous run untouched
    assert (root / "index.html").read_bytes() == history
    assert sorted(p.name for p in root.iterdir()) == [".pmo-report.lock", STATUS_DATE, "history.sqlite", "index.html"]


def test_a_folder_that_is_not_ours_is_refused_then_replaced_with_force(setup, tmp_path):
    user = tmp_path / "share"
    (user / "projects").mkdir(parents=True)
    (user / "index.html").write_text("the team's start page")
    (user / "projects" / ".notes.ipynb").write_text("{}")
    refused = subprocess.run(command(setup, out=user), capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: --out {user}: the folder is not empty and was not written by pmo-report (no .pmo-run marker); "
        "choose an empty or new folder, or --force to replace its contents")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if "share" in str(p)) == [
        "share", "share/index.html", "share/projects", "share/projects/.notes.ipynb"]

    forced = subprocess.run(command(setup, "--force", "--workers", "1", out=user), capture_output=True, text=True,
                            timeout=300)
    assert forced.returncode == 0, forced.stderr
    assert (user / ".pmo-run").is_file()
    assert "page of P1" in (user / "projects" / "P1.html").read_text()
    assert not (user / "projects" / ".notes.ipynb").exists()
    assert "the team's start page" not in (user / "index.html").read_text()


def test_a_users_index_in_the_output_root_is_never_replaced(setup, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "index.html").write_text("<h1>Team share</h1>")
    data = write_tables(tmp_path / "two", VALID_TABLES)
    done = subprocess.run([str(PMO_REPORT), "run", "--data", str(data), "--status-date", STATUS_DATE,
                           "--out", str(share / STATUS_DATE), "--params", str(setup["params"]), "--workers", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (share / "index.html").read_text() == "<h1>Team share</h1>"
    assert f"{share / 'index.html'} was not written by pmo-report: the run history page was not written" \
        in done.stderr
    assert "page of P2" in (share / STATUS_DATE / "projects" / "P2.html").read_text()
