"""The committed notebooks: clean, thin, and runnable top to bottom with their defaults."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

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
    for cell in book.cells[2:]:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert len(tree.body) <= 2, f"{path.name}: keep one pmo_lib call per cell:\n{cell.source}"


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
