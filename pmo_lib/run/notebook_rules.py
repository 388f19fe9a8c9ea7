"""The rules a report notebook follows, checked where the analyst works.

``pmo-report check-notebooks`` prints every broken rule with the notebook,
the cell number (from 1, every cell counted, as the cells stand in
JupyterLab) and the line in that cell, and says in words what to do.
``pmo-report run`` checks the catalog's notebooks before it starts and logs
the problems as warnings; the tests treat them as errors.

The rules (see docs/notebooks.md):

``title``
    The first cell is markdown starting with a ``# `` heading.
``parameters-cell``
    The second cell is the parameters cell, tagged ``parameters``.
``parameter-line``
    Every line of the parameters cell is a typed literal with a comment,
    ``name: str = "value"  # what it is``; what the run passes is typed
    ``str`` (the run passes text); papermill silently skips a line with a
    second ``=`` (in the comment, for instance).
``no-definitions``
    No ``def``, ``async def`` or ``class``, and no ``lambda`` given a name:
    computing belongs in ``pmo_lib``, where it is tested. A ``lambda`` passed
    to a call (``frame.assign(share=lambda d: d.ac / d.bac)``) is fine.
``one-call-per-cell``
    At most two statements per code cell after the parameters cell: a cell
    shows one table or chart.
``no-outputs``
    Committed without outputs and execution counts.

Examples
--------
>>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
>>> book = new_notebook(cells=[new_markdown_cell("# Budget"),
...     new_code_cell('status_date: str = "2026-11-20"  # as-of date', metadata={"tags": ["parameters"]}),
...     new_code_cell("frame.assign(share=lambda d: d.ac / d.bac)"),
...     new_code_cell("x = 1\\ndef total(frame):\\n    return frame.sum()")])
>>> for problem in notebook_problems(book, "notebooks/budget.ipynb"):
...     print(problem)
notebooks/budget.ipynb, cell 4, line 2: defines a function (def total) [no-definitions]: a notebook only composes the page; move the code into pmo_lib (a report view method, see docs/tutorial.md) and call it here
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

RULES = ("title", "parameters-cell", "parameter-line", "no-definitions", "one-call-per-cell", "no-outputs")
_MOVE = "a notebook only composes the page; move the code into pmo_lib (a report view method, see docs/tutorial.md) " \
        "and call it here"
RUN_PASSES = ("data_path", "status_date", "params_file", "previous_metrics", "project_id", "program")
"""The parameters ``pmo-report run`` passes, always as text."""


@dataclass(frozen=True)
class NotebookProblem:
    """One broken rule: where (notebook, cell from 1, line in the cell from 1) and what to do."""

    notebook: str
    cell: int
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.notebook}, cell {self.cell}, line {self.line}: {self.message}"


def notebook_problems(book: nbformat.NotebookNode, name: str) -> list[NotebookProblem]:
    """Every rule ``book`` breaks, in cell order; ``name`` is how messages name the notebook."""
    problems: list[NotebookProblem] = []

    def add(cell: int, line: int, rule: str, what: str, advice: str) -> None:
        problems.append(NotebookProblem(name, cell + 1, line, rule, f"{what} [{rule}]: {advice}"))

    cells = book.cells
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.startswith("# "):
        add(0, 1, "title", "the first cell is not a markdown title",
            "start the notebook with a markdown cell such as '# Budget watch'")
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    if tagged != [1] or cells[1].cell_type != "code":
        add(1 if len(cells) > 1 else 0, 1, "parameters-cell",
            "the second cell is not the one code cell tagged 'parameters'" if tagged
            else "no cell is tagged 'parameters'",
            "the run passes its values to the cell tagged 'parameters' (Property Inspector > Cell Tags), "
            "which must be the second cell")
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            add(index, 1, "no-outputs", "the cell is saved with its outputs",
                "clear them before committing (Edit > Clear Outputs of All Cells, then save), or let the "
                "pre-commit hook strip them")
        if index in tagged:
            problems.extend(_parameter_lines(cell.source, name, index))
        elif not tagged or index > tagged[0]:
            problems.extend(_code_rules(cell.source, name, index))
    return problems


def _parameter_lines(source: str, name: str, index: int) -> list[NotebookProblem]:
    problems = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        code, _, comment = text.partition("#")
        what = None
        try:
            [statement] = ast.parse(code).body
            ast.literal_eval(statement.value)
        except (SyntaxError, ValueError, TypeError, AttributeError):
            statement = None
        if "=" in comment:
            what = "a comment with '=' makes papermill skip this parameter"
        elif not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            what = f"'{text[:60]}' is not a typed parameter with a plain value"
        elif statement.target.id in RUN_PASSES and ast.unparse(statement.annotation) != "str":
            what = f"'{statement.target.id}' is passed by the run as text, but typed {ast.unparse(statement.annotation)}"
        if what:
            problems.append(NotebookProblem(name, index + 1, number, "parameter-line",
                                            f'{what} [parameter-line]: write it as  name: str = "value"  '
                                            "# what it is  (the run passes text; no '=' in the comment)"))
    return problems


def _code_rules(source: str, name: str, index: int) -> list[NotebookProblem]:
    cell = index + 1
    try:
        tree = ast.parse(_without_magics(source))
    except SyntaxError as exc:
        return [NotebookProblem(name, cell, exc.lineno or 1, "syntax",
                                f"Python cannot read this cell ({exc.msg}) [syntax]: fix the line")]
    problems = []
    passed = {id(arg.value if isinstance(arg, ast.keyword) else arg)
              for node in ast.walk(tree) if isinstance(node, ast.Call) for arg in (*node.args, *node.keywords)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            what = f"defines a function (def {node.name})"
        elif isinstance(node, ast.ClassDef):
            what = f"defines a class (class {node.name})"
        elif isinstance(node, ast.Lambda) and id(node) not in passed:
            what = "gives a lambda a name (a function definition in disguise)"
        else:
            continue
        problems.append(NotebookProblem(name, cell, node.lineno, "no-definitions",
                                        f"{what} [no-definitions]: {_MOVE}"))
    if len(tree.body) > 2:
        problems.append(NotebookProblem(
            name, cell, tree.body[2].lineno, "one-call-per-cell",
            f"the cell has {len(tree.body)} statements [one-call-per-cell]: a cell shows one table or chart with "
            f"one pmo_lib call (two statements at most); split the cell or {_MOVE}"))
    return sorted(problems, key=lambda p: p.line)


def _without_magics(source: str) -> str:
    """IPython magics and shell escapes as blank lines, so line numbers stay right."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def check_notebooks(paths: list[Path], *, root: Path) -> list[NotebookProblem]:
    """The problems of every notebook file in ``paths`` (named relative to ``root`` where possible)."""
    problems = []
    for path in paths:
        try:
            name = str(Path(path).resolve().relative_to(root.resolve()))
        except ValueError:
            name = str(path)
        try:
            book = nbformat.read(str(path), as_version=4)
        except Exception as exc:
            problems.append(NotebookProblem(name, 1, 1, "readable", f"cannot read the notebook ({exc})"))
            continue
        problems.extend(notebook_problems(book, name))
    return problems


def catalog_notebooks(params, *, root: Path) -> list[Path]:
    """The notebooks of the catalog's enabled reports that exist, each once, in catalog order."""
    seen: dict[str, Path] = {}
    for entry in params.reports:
        if entry.enabled and entry.notebook not in seen and (root / entry.notebook).is_file():
            seen[entry.notebook] = root / entry.notebook
    return list(seen.values())
