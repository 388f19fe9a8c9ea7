"""The notebook rules: each broken rule named with notebook, cell and line, in words; the CLI and the run."""

from __future__ import annotations

import logging

import nbformat
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmo_lib.cli import main
from pmo_lib.parameters import load_parameters
from pmo_lib.run.notebook_rules import catalog_notebooks, check_notebooks, notebook_problems
from tests.conftest import ROOT

PARAMETERS = ('data_path: str = "data/sample"   # portfolio folder\n'
              'status_date: str = "2026-11-20"  # as-of date, YYYY-MM-DD\n')


def book(*cells, parameters=PARAMETERS):
    return new_notebook(cells=[new_markdown_cell("# Budget watch"),
                               new_code_cell(parameters, metadata={"tags": ["parameters"]}), *cells])


def rules(notebook) -> list[tuple[int, int, str]]:
    return [(p.cell, p.line, p.rule) for p in notebook_problems(notebook, "notebooks/budget.ipynb")]


def test_a_clean_report_notebook_has_no_problem():
    clean = book(new_code_cell("from pmo_lib.reports import ProgramReport\n\nreport = ProgramReport.load()"),
                 new_markdown_cell("## Spend"),
                 new_code_cell("report.kpis()"),
                 new_code_cell("%matplotlib inline\nreport.metrics.assign(share=lambda d: d.ac / d.bac)"),
                 new_code_cell("report.metrics.sort_values('cpi', key=lambda s: s.abs()).pipe(table)"))
    assert rules(clean) == []


def test_definitions_are_named_with_cell_and_line():
    notebook = book(new_code_cell("report.kpis()"),
                    new_code_cell("x = 1\ndef total(frame):\n    return frame.sum()"),
                    new_code_cell("class Helper:\n    pass"),
                    new_code_cell("share = lambda d: d.ac / d.bac"),
                    new_code_cell("async def fetch():\n    pass"))
    problems = notebook_problems(notebook, "notebooks/budget.ipynb")
    assert [(p.cell, p.line, p.rule) for p in problems] == [
        (4, 2, "no-definitions"), (5, 1, "no-definitions"), (6, 1, "no-definitions"), (7, 1, "no-definitions")]
    assert str(problems[0]) == (
        "notebooks/budget.ipynb, cell 4, line 2: defines a function (def total) [no-definitions]: a notebook only "
        "composes the page; move the code into pmo_lib (a report view method, see docs/tutorial.md) and call it here")
    assert problems[1].message.startswith("defines a class (class Helper)")
    assert problems[2].message.startswith("gives a lambda a name")


def test_long_cells_outputs_title_and_parameters_cell():
    notebook = book(new_code_cell("a = 1\nb = 2\nreport.kpis()"),
                    new_code_cell("report.kpis()", execution_count=4,
                                  outputs=[new_output("display_data", {"text/html": "<b>x</b>"})]))
    assert rules(notebook) == [(3, 3, "one-call-per-cell"), (4, 1, "no-outputs")]
    assert "the cell has 3 statements [one-call-per-cell]" in notebook_problems(notebook, "n")[0].message
    untitled = new_notebook(cells=[new_code_cell("report.kpis()"), new_markdown_cell("# Late title")])
    assert rules(untitled) == [(1, 1, "title"), (2, 1, "parameters-cell")]
    assert notebook_problems(untitled, "n")[1].message.startswith("no cell is tagged 'parameters'")


def test_parameter_lines_that_papermill_would_skip_or_the_run_cannot_fill():
    notebook = book(parameters='data_path: str = "data/sample"  # folder (empty = the sample)\n'
                               "status_date = '2026-11-20'\n"
                               "project_id: int = 8  # the project\n"
                               "top_n: int = 5  # rows shown\n"
                               "# a comment line is fine\n"
                               "weights: dict = {'a': 1}  # a literal\n")
    problems = notebook_problems(notebook, "notebooks/budget.ipynb")
    assert [(p.cell, p.line, p.rule) for p in problems] == [
        (2, 1, "parameter-line"), (2, 2, "parameter-line"), (2, 3, "parameter-line")]
    assert problems[0].message.startswith("a comment with '=' makes papermill skip this parameter")
    assert problems[1].message.startswith("'status_date = '2026-11-20'' is not a typed parameter")
    assert problems[2].message.startswith("'project_id' is passed by the run as text, but typed int")


def test_check_notebooks_command_explains_each_problem(tmp_path):
    path = tmp_path / "budget.ipynb"
    nbformat.write(book(new_code_cell("def total(frame):\n    return frame.sum()")), str(path))
    result = CliRunner().invoke(main, ["check-notebooks", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}, cell 3, line 1: defines a function (def total) [no-definitions]: a notebook only composes the "
        "page; move the code into pmo_lib (a report view method, see docs/tutorial.md) and call it here"]
    assert "1 notebook: 1 problem" in result.stderr


def test_check_notebooks_command_checks_the_catalog_by_default():
    result = CliRunner().invoke(main, ["check-notebooks"])
    count = len(catalog_notebooks(load_parameters(), root=ROOT))
    assert result.exit_code == 0, result.stdout
    assert result.stderr.strip() == f"{count} notebooks: 0 problems, every rule followed"


def test_run_logs_broken_rules_as_warnings_before_it_starts(caplog, tmp_path):
    """`pmo-report run` warns and goes on: here it stops later, at the missing data folder."""
    from pmo_lib.cli.main import _warn_notebook_rules

    path = tmp_path / "budget.ipynb"
    nbformat.write(book(new_code_cell("share = lambda d: d.ac")), str(path))
    params = load_parameters().model_copy(update={"reports": [
        load_parameters().reports[0].model_copy(update={"notebook": str(path)})]})
    with caplog.at_level(logging.WARNING, logger="pmo_lib.run"):
        _warn_notebook_rules(params)
    assert [r.getMessage() for r in caplog.records] == [
        f"notebook rule: {path}, cell 3, line 1: gives a lambda a name (a function definition in disguise) "
        "[no-definitions]: a notebook only composes the page; move the code into pmo_lib (a report view method, "
        "see docs/tutorial.md) and call it here"]


def test_every_committed_notebook_follows_the_rules():
    problems = check_notebooks(sorted((ROOT / "notebooks").glob("*.ipynb")), root=ROOT)
    assert not problems, "\n".join(map(str, problems))
