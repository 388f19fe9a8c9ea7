"""The direct engine: IPython's shell in a warm child process, with the warm kernel's guarantees."""

from __future__ import annotations

import os

import click
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pmo_lib.run import direct_engine
from pmo_lib.run.direct_engine import DirectEngine
from pmo_lib.run.job import DEFAULT_ENGINE, ENGINES
from pmo_lib.run.warm_kernel import KernelFailure, WarmKernel


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    started = DirectEngine(cwd=str(tmp_path_factory.mktemp("notebooks"))).start()
    yield started
    started.shutdown()


def book(*sources: str):
    return new_notebook(cells=[new_markdown_cell("# Title")] + [new_code_cell(s) for s in sources])


VIEW = """\
from pmo_lib.reports.html import note
class Shown:
    def _repr_html_(self):
        return "<p>rich</p>"
    def __repr__(self):
        return "Shown()"
"""


def test_outputs_are_the_ones_a_warm_kernel_gives(engine, tmp_path):
    nb = book("x = 40\nx + 2", VIEW + "Shown()", "print('out'); print('more')", "from IPython.display import display\n"
              "display(note('hello <b>'))", "note('last')",
              "import altair as alt, pandas as pd\nalt.Chart(pd.DataFrame({'a': [1, 2]})).mark_bar().encode(y='a')")
    mine = engine.execute(nb, timeout=30)
    kernel = WarmKernel(cwd=str(tmp_path)).start()
    try:
        theirs = kernel.execute(nb, timeout=30)
    finally:
        kernel.shutdown()
    assert [c.get("outputs") for c in mine.cells] == [c.get("outputs") for c in theirs.cells]
    assert mine.cells[1].outputs[0]["data"] == {"text/plain": "42"}
    assert [c.execution_count for c in mine.cells[1:]] == [1, 2, 3, 4, 5, 6]
    assert mine.cells[6].outputs[0]["data"]["text/html"].count("<svg") == 1  # a plain Altair chart, as SVG


def test_nothing_of_one_notebook_is_visible_to_the_next(engine):
    engine.execute(book("secret = 'P1'", "import os\nos.chdir('/')"), timeout=30)
    done = engine.execute(book("import os\n('secret' in dir(), os.getcwd() == CWD)".replace(
        "CWD", repr(engine.cwd))), timeout=30)
    assert done.cells[1].outputs[0]["data"]["text/plain"] == "(False, True)"


def test_a_raising_cell_is_named_and_its_traceback_kept(engine):
    with pytest.raises(KernelFailure) as failure:
        engine.execute(book("a = 1", "raise ValueError('broken on purpose')", "b = 2"), timeout=30)
    assert (failure.value.kind, failure.value.message, failure.value.cell) == ("ValueError", "broken on purpose", 2)
    error = failure.value.notebook.cells[2].outputs[-1]
    assert error["output_type"] == "error" and error["ename"] == "ValueError"
    assert any("broken on purpose" in line for line in error["traceback"])
    assert failure.value.notebook.cells[3].outputs == []
    assert engine.execute(book("1"), timeout=30).cells[1].outputs[0]["data"]["text/plain"] == "1"


def test_a_cell_that_runs_too_long_times_out_and_the_child_is_replaced(engine):
    first = engine.process.pid
    with pytest.raises(KernelFailure) as failure:
        engine.execute(book("a = 1", "try:\n    import time; time.sleep(30)\nexcept Exception:\n    pass"), timeout=2)
    assert (failure.value.kind, failure.value.cell) == ("Timeout", 2)
    assert engine.process is None  # killed; the next notebook starts a fresh child
    assert engine.execute(book("2"), timeout=30).cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert engine.process.pid != first


def test_a_cell_stuck_where_the_alarm_cannot_reach_is_killed(engine, monkeypatch):
    monkeypatch.setattr(direct_engine, "GRACE_SECONDS", 1)
    code = "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\nimport time\ntime.sleep(30)"
    with pytest.raises(KernelFailure) as failure:
        engine.execute(book("a = 1", code), timeout=1)
    assert (failure.value.kind, failure.value.cell) == ("Timeout", 2)
    assert engine.execute(book("3"), timeout=30).cells[1].outputs[0]["data"]["text/plain"] == "3"


def test_a_dying_child_is_named_and_replaced(engine):
    with pytest.raises(KernelFailure) as failure:
        engine.execute(book("a = 1", "import os\nos._exit(3)"), timeout=30)
    assert (failure.value.kind, failure.value.cell) == ("KernelDied", 2)
    assert engine.execute(book("4"), timeout=30).cells[1].outputs[0]["data"]["text/plain"] == "4"


def test_a_child_that_grew_too_much_is_replaced(engine, monkeypatch):
    monkeypatch.setattr(direct_engine, "MAX_GROWTH_BYTES", 50 << 20)
    engine.execute(book("1"), timeout=30)
    before = engine.process.pid
    engine.execute(book("import sys\nsys.modules['__leak__'] = bytearray(100 << 20)"), timeout=30)
    assert engine.process is None
    engine.execute(book("1"), timeout=30)
    assert engine.process.pid != before


def test_the_child_exits_when_its_worker_is_gone(tmp_path):
    import subprocess
    import sys
    import time

    code = ("import sys; from pmo_lib.run.direct_engine import DirectEngine; "
            f"e = DirectEngine(cwd={str(tmp_path)!r}).start(); print(e.process.pid, flush=True); "
            "import os; os._exit(0)")
    worker = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    child = int(worker.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}"):
        time.sleep(0.2)
    assert not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split()[2] == "Z"


def test_the_cli_offers_every_engine():
    from pmo_lib.cli.main import run

    option = next(p for p in run.params if p.name == "engine")
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(ENGINES) and option.default == DEFAULT_ENGINE
