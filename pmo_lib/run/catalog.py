"""The report catalog: list the reports a run produces, and add a new one from a template.

``pmo-report new-report NAME --scope project|program|portfolio`` writes
``notebooks/NAME.ipynb`` (the analyst's notes, the parameters cell, the
loading cell, the header, the key figures, a table and a plain Altair chart)
and appends an entry to the ``reports``
list of ``parameters/defaults.yaml``; the next ``pmo-report run`` runs it for
every project, program or once for the portfolio, and links it from the index.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pmo_lib.errors import ParameterError
from pmo_lib.files import write_text
from pmo_lib.parameters import DEFAULT_PARAMETERS, PROJECT_ROOT, RunParameters, load_parameters

_SUBJECT = {
    "project": 'project_id: str = "PRJ-001"        # the project this report is about',
    "program": 'program: str = "Digital Customer"   # the program this report is about',
    "portfolio": "",
}
_COMMON = (
    'data_path: str = "data/sample"   # portfolio folder or .xlsx workbook (relative to the project root)\n'
    'status_date: str = "2026-11-20"  # as-of date of every figure, YYYY-MM-DD\n'
    "params_file: str = \"\"            # run parameters YAML laid over parameters/defaults.yaml (empty: the defaults)\n"
    "previous_metrics: str = \"\"       # metrics.csv of the previous run, for trends (empty: no comparison)"
)
_PROJECTS_TABLE = ('report.table(report.metrics.sort_values("cpi")[["name", "overall_rag", "spi", "cpi", "bac", "eac"]],\n'
                   '             rag=["overall_rag"], ratios=["spi", "cpi"], money=["bac", "eac"],\n'
                   '             labels={"name": "Project", "overall_rag": "RAG", "spi": "SPI", "cpi": "CPI",\n'
                   '                     "bac": "Budget", "eac": "Forecast"})')
# Per scope: the view, the load call's subject argument, then (sentence, code) for the table and the chart.
_SECTIONS = {
    "project": ("ProjectReport", "project_id=project_id, ",
                ("## Earned value\n\nThe project's budget, the value of the work done and its cost so far, the "
                 "forecast at completion, and the schedule and cost performance indices (1 or more is on plan).",
                 'report.table(report.analysis.metrics.query("project_id == @project_id")[\n'
                 '                 ["bac", "ev", "ac", "eac", "spi", "cpi"]],\n'
                 '             money=["bac", "ev", "ac", "eac"], ratios=["spi", "cpi"],\n'
                 '             labels={"bac": "Budget", "ev": "Earned value", "ac": "Actual cost", "eac": "Forecast",\n'
                 '                     "spi": "SPI", "cpi": "CPI"})'),
                ("## Milestones\n\nEach milestone's baseline date (hollow) and its forecast or actual date "
                 "(filled), against the status date.",
                 'charts.milestone_timeline(report.analysis.milestones.query("project_id == @project_id"),\n'
                 "                          status_date=report.status_date)")),
    "program": ("ProgramReport", "program=program, ",
                ("## Projects\n\nThe program's projects, lowest cost performance (CPI) first, with their RAG "
                 "status, budget and forecast at completion.", _PROJECTS_TABLE),
                ("## Cost and schedule performance\n\nEach project's cost performance (CPI) against its schedule "
                 "performance (SPI): below 1 is over budget or behind plan; the bubble's size is the budget.",
                 'charts.cpi_spi_bubble(report.metrics, color="overall_rag")')),
    "portfolio": ("PortfolioReport", "",
                  ("## Projects\n\nEvery project, lowest cost performance (CPI) first, with its RAG status, "
                   "budget and forecast at completion.", _PROJECTS_TABLE),
                  ("## Status at a glance\n\nHow many projects are red, amber and green.",
                   "charts.rag_distribution(report.metrics)")),
}
KERNEL = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}


def report_notebook(name: str, *, scope: str, title: str) -> nbformat.NotebookNode:
    """A new, thin report notebook for ``scope``, ready to run with its defaults.

    Every cell that reaches the page says something true of the data: the
    header, the key figures, a table and a plain Altair chart, each under a
    sentence saying what the reader sees; the analyst's instructions are in
    the first cell, which the page leaves out (tag ``analyst-notes``).

    Examples
    --------
    >>> book = report_notebook("budget_watch", scope="program", title="Budget watch")
    >>> book.cells[1].metadata["tags"], "ProgramReport.load(" in book.cells[3].source
    (['parameters'], True)
    >>> book.cells[-1].source
    'charts.cpi_spi_bubble(report.metrics, color="overall_rag")'
    """
    view, argument, (table_text, table_code), (chart_text, chart_code) = _SECTIONS[scope]
    subject = _SUBJECT[scope]
    cells = [
        new_markdown_cell(f"# {title}\n\nA {scope} report (`pmo-report new-report`). Change the parameters below "
                          "and run all cells to see the page. Each code cell shows one table or chart, under a "
                          "sentence of markdown saying what the reader is looking at; this cell is not on the "
                          "page. The rules: docs/notebooks.md; check them with `pmo-report check-notebooks`.",
                          metadata={"tags": ["analyst-notes"]}),
        new_code_cell(_COMMON + (f"\n{subject}" if subject else ""), metadata={"tags": ["parameters"]}),
        new_code_cell(f"from pmo_lib import charts\nfrom pmo_lib.reports import {view}"),
        new_code_cell(f"report = {view}.load(data_path=data_path, status_date=status_date, {argument}"
                      "params_file=params_file,\n"
                      f"{' ' * (len(view) + 15)}previous_metrics=previous_metrics)"),
        new_code_cell("report.header()"),
        new_markdown_cell("## Key figures\n\nBudget, forecast and spend, and the schedule and cost performance "
                          "indices (SPI, CPI) as of the status date."),
        new_code_cell("report.kpis()"),
        new_markdown_cell(table_text),
        new_code_cell(table_code),
        new_markdown_cell(chart_text),
        new_code_cell(chart_code),
    ]
    book = new_notebook(cells=cells, metadata=KERNEL)
    for index, cell in enumerate(book.cells):
        cell.id = f"cell-{index:02d}"
    return book


def new_report(name: str, *, scope: str, title: str | None = None, root: Path = PROJECT_ROOT,
               parameters_file: Path = DEFAULT_PARAMETERS) -> Path:
    """Write ``notebooks/<name>.ipynb`` and register it in the catalog; return the notebook path.

    Raises
    ------
    ParameterError
        The name is not a lower-case identifier, the notebook or catalog entry
        exists already, or the catalog cannot be extended automatically.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
        raise ParameterError(f"report name {name!r}: use lower-case letters, digits and _ (e.g. budget_watch)")
    if scope not in _SECTIONS:
        raise ParameterError(f"scope {scope!r}: use project, program or portfolio")
    params = load_parameters(parameters_file if parameters_file != DEFAULT_PARAMETERS else None)
    if any(entry.name == name for entry in params.reports):
        raise ParameterError(f"{parameters_file}: a report named {name!r} is already in the catalog")
    notebook = root / "notebooks" / f"{name}.ipynb"
    if notebook.exists():
        raise ParameterError(f"{notebook}: already exists; choose another name")
    title = title or name.replace("_", " ").capitalize()
    entry = (f"  - name: {name}\n    notebook: notebooks/{name}.ipynb\n    scope: {scope}\n"
             f"    title: {_yaml_string(title)}\n")
    text = parameters_file.read_text(encoding="utf-8")
    top_level = re.findall(r"^([A-Za-z_]+):", text, flags=re.MULTILINE)
    if not top_level or top_level[-1] != "reports":
        raise ParameterError(f"{parameters_file}: 'reports' is not the last key, so the entry cannot be appended; "
                             f"add it to the reports list by hand:\n{entry}")
    updated = text.rstrip("\n") + "\n" + entry
    write_text(notebook, nbformat.writes(report_notebook(name, scope=scope, title=title)))
    write_text(parameters_file, updated)
    try:
        load_parameters(parameters_file if parameters_file != DEFAULT_PARAMETERS else None)
    except ParameterError:
        write_text(parameters_file, text)
        notebook.unlink()
        raise
    return notebook


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parameter_problems(jobs: list, root: Path = PROJECT_ROOT) -> dict[str, dict]:
    """Each notebook that cannot take what the run passes it, with the reason, as a job error.

    Every parameter a job passes must be declared in its notebook's
    parameters cell (papermill itself would only warn). A notebook that is
    missing, has no ``parameters`` cell or lacks a parameter is returned here,
    keyed by its catalog path, so that the run fails that report only,
    before running it, and runs the others.

    Parameters
    ----------
    jobs : list of ReportJob
    root : Path
        The project folder the notebook paths are relative to.

    Returns
    -------
    dict
        ``{notebook: {"type": "ParameterMismatch", "message", "cell", "source"}}``;
        ``cell`` is the number of the parameters cell (from 1), when there is one.
    """
    problems: dict[str, dict] = {}
    cells: dict[str, dict | str] = {}
    for job in jobs:
        if job.notebook not in cells:
            cells[job.notebook] = _parameters_cell(root, job)
        found = cells[job.notebook]
        if isinstance(found, str):
            problems[job.notebook] = {"type": "ParameterMismatch", "message": found, "cell": None, "source": ""}
            continue
        for key in sorted(set(job.parameters) - found["names"]):
            entry = problems.setdefault(job.notebook, {"type": "ParameterMismatch", "message": "",
                                                       "cell": found["cell"], "source": found["source"]})
            message = (f"{job.notebook}: parameter '{key}' is not declared in the notebook's parameters cell "
                       f'(add a line such as  {key}: str = ""  to it)')
            if message not in entry["message"]:
                entry["message"] = "; ".join(filter(None, [entry["message"], message]))
    return problems


def _parameters_cell(root: Path, job) -> dict | str:
    """The names a notebook's parameters cell declares, its number and first line; or why not."""
    import papermill

    path = root / job.notebook
    if not path.is_file():
        return f"report {job.report!r}: notebook {job.notebook} not found"
    try:
        names = set(papermill.inspect_notebook(str(path)))
        book = nbformat.read(str(path), as_version=4)
    except Exception as exc:
        return f"{job.notebook}: cannot read its parameters cell ({exc})"
    tagged = [i for i, cell in enumerate(book.cells) if "parameters" in cell.metadata.get("tags", [])]
    if not tagged:
        return f"{job.notebook}: no cell tagged 'parameters'"
    first = next((line.strip() for line in book.cells[tagged[0]].source.splitlines() if line.strip()), "")
    return {"names": names, "cell": tagged[0] + 1, "source": first[:120]}


def describe_catalog(params: RunParameters, *, root: Path = PROJECT_ROOT) -> list[dict]:
    """Each catalog entry with its notebook's declared parameters (papermill's inspection)."""
    import papermill

    described = []
    for entry in params.reports:
        path = root / entry.notebook
        declared = papermill.inspect_notebook(str(path)) if path.is_file() else None
        described.append({"name": entry.name, "scope": entry.scope, "title": entry.title,
                          "notebook": entry.notebook, "enabled": entry.enabled,
                          "parameters": declared})
    return described
