"""The committed notebooks: clean, thin, and runnable top to bottom with their defaults."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import papermill
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmo_lib.run.notebook_rules import notebook_problems
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SUBJECT = {"project_status": "project_id", "program_summary": "program", "portfolio_overview": None}


def test_the_three_reports_exist():
    assert {p.stem for p in NOTEBOOKS} >= set(SUBJECT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    book = nbformat.read(str(path), as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_thin_title_parameters_then_calls(path):
    book = nbformat.read(str(path), as_version=4)
    assert book.cells[0].cell_type == "markdown" and book.cells[0].source.startswith("# ")
    assert "parameters" in book.cells[1].metadata.get("tags", [])
    declared = papermill.inspect_notebook(str(path))
    assert {"data_path", "status_date", "params_file", "previous_metrics"} <= set(declared)
    if SUBJECT.get(path.stem):
        assert SUBJECT[path.stem] in declared
    for name in ("data_path", "status_date", "params_file", "previous_metrics", SUBJECT.get(path.stem)):
        if name:
            assert declared[name]["inferred_type_name"] == "str", (name, declared[name])
    problems = notebook_problems(book, f"notebooks/{path.name}")  # the rules of pmo-report check-notebooks
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_with_its_defaults(path):
    """As an analyst would in JupyterLab: the notebook's folder as working directory."""
    book = nbformat.read(str(path), as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    html = "".join(o.get("data", {}).get("text/html", "") for c in book.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "pmo-header" in html and "pmo-tile" in html


# --- the pre-commit hook, offline ---------------------------------------------------------------

LAB_METADATA = {  # what JupyterLab writes into a notebook on save
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3", "version": "3.11.7"},
}


def _offline() -> list[str]:
    """A command prefix that runs without any network (a new network namespace), where allowed."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []


def test_pre_commit_strips_outputs_and_metadata_churn_offline(tmp_path):
    """A commit of a notebook with outputs, in a scratch repository with no network, is stripped."""
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "scripts").mkdir()
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo)
    shutil.copy(ROOT / "scripts" / "nbstripout-hook", repo / "scripts")
    (repo / ".venv").symlink_to(sys.prefix)  # the project's environment, where nbstripout is installed
    env = {**os.environ, "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "GIT_CONFIG_NOSYSTEM": "1", "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*_offline(), "git", "-c", "user.name=Analyst", "-c", "user.email=a@example.org",
                               *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    assert git("init", "-q").returncode == 0
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stderr
    book = new_notebook(cells=[new_markdown_cell("# Report", metadata={"tags": ["analyst-notes"]}),
                               new_code_cell('project_id: str = "P1"', metadata={"tags": ["parameters"]}),
                               new_code_cell("report.kpis()", metadata={"execution": {"iopub.status.busy": "x"}},
                                             execution_count=3,
                                             outputs=[new_output("display_data", {"text/html": "<b>PRJ</b>"})])],
                        metadata=LAB_METADATA)
    for index, cell in enumerate(book.cells):
        cell.id = f"cell-{index}"
    path = repo / "notebooks" / "report.ipynb"
    nbformat.write(book, str(path))
    git("add", "-A")
    first = git("commit", "-q", "-m", "a report")
    said = first.stdout + first.stderr
    assert first.returncode == 1 and "files were modified by this hook" in said, said
    assert "github" not in said and not (tmp_path / "cache" / "repo").exists()
    stripped = nbformat.read(str(path), as_version=4)
    assert [c.get("outputs") for c in stripped.cells] == [None, [], []]
    assert stripped.cells[2].execution_count is None and "execution" not in stripped.cells[2].metadata
    assert stripped.metadata["language_info"] == {"name": "python"}
    assert stripped.metadata["kernelspec"]["name"] == "python3"
    assert [c.id for c in stripped.cells] == ["cell-0", "cell-1", "cell-2"]
    assert [c.metadata.get("tags") for c in stripped.cells] == [["analyst-notes"], ["parameters"], None]
    git("add", "-A")
    second = git("commit", "-q", "-m", "a report")
    assert second.returncode == 0, second.stdout + second.stderr
    committed = nbformat.reads(git("show", "HEAD:notebooks/report.ipynb").stdout, as_version=4)
    assert committed == stripped


def test_lab_kernels_reload_pmo_lib_after_an_edit(tmp_path):
    """With PMO_AUTORELOAD=1 (set by make lab), an edit to pmo_lib reaches the open kernel at its next cell.

    In the same kernel: a bad parameter value is one line naming the parameter and the form.
    """
    from jupyter_client.manager import start_new_kernel

    shutil.copytree(ROOT / "pmo_lib", tmp_path / "pmo_lib", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PMO_AUTORELOAD": "1"}
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        def run(code: str) -> str:
            shown = []
            reply = client.execute_interactive(code, timeout=120, output_hook=lambda m: shown.append(
                m["content"].get("text") or m["content"].get("data", {}).get("text/plain", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(shown).strip()

        assert run("import pmo_lib.formatting, altair\nprint(pmo_lib.__file__.startswith("
                   f"{str(tmp_path)!r}), altair.renderers.active)") == "True pmo_svg"
        with open(tmp_path / "pmo_lib" / "formatting.py", "a", encoding="utf-8") as module:
            module.write("\n\ndef edited_in_lab():\n    return 'new code'\n")
        assert run("print(pmo_lib.formatting.edited_in_lab())") == "new code"
        # a bad parameter value: one line naming the parameter and the form, no traceback
        reply = client.execute_interactive(
            "from pmo_lib.reports import ProjectReport\n"
            "ProjectReport.load(data_path='data/sample', status_date='2026-13-45', project_id='PRJ-008')",
            timeout=300, output_hook=lambda m: None)
        assert reply["content"]["status"] == "error"
        assert reply["content"]["traceback"] == [
            "ParameterError: status_date: '2026-13-45' is not a date; write it as YYYY-MM-DD, e.g. \"2026-11-20\""]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("engine", ["warm", "direct", "papermill"])
def test_a_plain_altair_chart_reaches_the_page_on_every_engine(tmp_path, engine):
    """A cell whose last expression is an alt.Chart shows on the page as inline SVG, no script, no URL."""
    import datetime as dt

    from bs4 import BeautifulSoup

    from pmo_lib.parameters import parse_parameters
    from pmo_lib.run.suite import run_reports
    from tests.conftest import VALID_TABLES, write_tables

    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    cells = [new_markdown_cell("# Plain chart"),
             new_code_cell('data_path: str = ""\nstatus_date: str = ""\nparams_file: str = ""\n'
                           'previous_metrics: str = ""', metadata={"tags": ["parameters"]}),
             new_code_cell("import altair as alt\nimport pmo_lib"), new_markdown_cell("## Spend"),
             new_code_cell('alt.Chart(alt.Data(values=[{"phase": "Build <2>", "spend": 3}])).mark_bar()'
                           '.encode(x="phase:N", y="spend:Q")')]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), str(root / "notebooks" / "plain.ipynb"))
    params = parse_parameters({"portfolio_name": "Plain", "reports": [
        {"name": "portfolio", "notebook": "notebooks/plain.ipynb", "scope": "portfolio", "title": "Plain"}]})
    outcome = run_reports(data=write_tables(tmp_path / "data", VALID_TABLES), status_date=dt.date(2024, 1, 20),
                          out_dir=tmp_path / "out", params=params, root=root, workers=1, progress=False,
                          engine=engine)
    assert outcome.exit_code == 0, [r.error for r in outcome.results]
    page = (outcome.run_dir / "portfolio.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    [svg] = soup.select("figure.pmo-chart svg")
    assert "Build <2>" in svg.get_text(" ") and not soup.find_all("script")
    assert "cdn.jsdelivr" not in page and "vega@" not in page
