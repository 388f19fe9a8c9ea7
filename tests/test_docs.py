"""The documentation stays true: links resolve, commands and flags exist, the tutorial's code runs.

Checked in README.md and docs/*.md:

* every relative link points at an existing file (and a ``#fragment`` at a heading there);
* every ``pmo-report COMMAND`` is a command of the CLI, and every ``--flag`` written after it
  (to the end of its code span or command line) is an option of that command;
* every ``make TARGET`` written as code is a target of the Makefile;
* docs/tutorial.md's code blocks, applied to a scratch copy of the project where its
  ``<!-- tutorial: ... -->`` comments say, give code whose tests pass.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pmo_lib.cli import main as cli
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TUTORIAL = ROOT / "docs" / "tutorial.md"

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_COMMENT = re.compile(r"^<!--.*?-->[ \t]*$", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_COMMAND = re.compile(r"\bpmo-report(?![\w-])[ \t]+([a-z][a-z-]*)")
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
_MAKE = re.compile(r"\bmake[ \t]+([a-z][a-z-]*)\b")


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _prose(text: str) -> str:
    """The text without fenced blocks, inline code and HTML comments (links live in prose)."""
    text = _FENCE.sub("", text)
    text = _COMMENT.sub("", text)
    return _INLINE_CODE.sub("", text)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading.

    >>> github_slug("1. The metric: a pure function")
    '1-the-metric-a-pure-function'
    >>> github_slug("`manifest.json`, field by field")
    'manifestjson-field-by-field'
    >>> github_slug("The `previous_metrics` parameter")
    'the-previous_metrics-parameter'
    """
    text = re.sub(r"[`*]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file (repeated headings get -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for line in _FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_relative_links_point_at_existing_files(doc):
    broken = []
    for target in _LINK.findall(_prose(doc.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto:
        path_part, _, fragment = target.partition("#")
        file = (doc.parent / path_part).resolve() if path_part else doc
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif fragment and file.suffix == ".md" and fragment not in anchors(file):
            broken.append(f"{target}: no heading #{fragment} in {file.name}")
    assert broken == [], f"{_doc_id(doc)}: broken links: {broken}"


def _code_pieces(text: str) -> list[str]:
    """Every piece of code in a markdown text: fenced-block lines and inline code spans.

    A fenced block is split into command lines (a trailing backslash continues a line).
    """
    pieces = []
    for block in _FENCE.finditer(text):
        pieces += block.group(0).replace("\\\n", " ").splitlines()
    rest = _COMMENT.sub("", _FENCE.sub("", text))
    return pieces + [m.group(2) for m in _INLINE_CODE.finditer(rest)]


def command_uses(text: str) -> list[tuple[str, list[str], str]]:
    """Every ``pmo-report COMMAND`` written as code, with the ``--flags`` written after it.

    In a fenced block a command's flags run to the end of its line (a trailing backslash
    continues it). In prose a command must be in a code span; its flags are those after it in
    that span and in the following code spans of the same line, up to the next command:
    "`pmo-report run` also takes `--keep N`" checks ``--keep`` against ``run``.
    """
    uses = []

    def scan(pieces: list[str], line: str) -> None:
        current = None
        for piece in pieces:
            position = 0
            for match in _COMMAND.finditer(piece):
                if current is not None:
                    current[1].extend(_FLAG.findall(piece[position:match.start()]))
                current = (match.group(1), [], line.strip())
                uses.append(current)
                position = match.end()
            if current is not None:
                current[1].extend(_FLAG.findall(piece[position:]))

    for block in _FENCE.finditer(text):
        for line in block.group(0).replace("\\\n", " ").splitlines():
            scan([line], line)
    for line in _COMMENT.sub("", _FENCE.sub("", text)).splitlines():
        scan([m.group(2) for m in _INLINE_CODE.finditer(line)], line)
    return uses


def _options(command) -> set[str]:
    """A command's options; for a group (``pmo-report history``), those of any of its subcommands."""
    own = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {"--help", "-h"}
    for sub in getattr(command, "commands", {}).values():
        own |= _options(sub)
    return own


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_pmo_report_command_and_flag_exists(doc):
    problems = []
    for name, flags, line in command_uses(doc.read_text(encoding="utf-8")):
        command = cli.commands.get(name)
        if command is None:
            problems.append(f"'pmo-report {name}' is not a command ({', '.join(sorted(cli.commands))}): {line}")
        elif set(flags) - _options(command):
            problems.append(f"'pmo-report {name}' has no option {', '.join(sorted(set(flags) - _options(command)))}: "
                            f"{line}")
    assert problems == [], f"{_doc_id(doc)}:\n" + "\n".join(problems)


def test_the_command_check_reads_code_and_the_cli():
    uses = command_uses("Run `pmo-report run --data D` or `pmo-report runn`; `pmo-report run` takes `--bogus`.\n"
                        "```\n.venv/bin/pmo-report validate --data d \\\n  --out x\n```\n"
                        "The pmo-report process itself is not a command.\n")
    assert uses == [("validate", ["--data", "--out"], ".venv/bin/pmo-report validate --data d    --out x"),
                    ("run", ["--data"], uses[1][2]), ("runn", [], uses[1][2]), ("run", ["--bogus"], uses[1][2])]
    assert "--bogus" not in _options(cli.commands["run"]) and "--out" not in _options(cli.commands["validate"])


def test_the_run_command_is_checked_against_its_real_options():
    """The check above reads the options from click, so a renamed option fails the docs."""
    assert {"--data", "--status-date", "--out", "--projects", "--dry-run", "--engine", "--executor"} <= _options(
        cli.commands["run"])


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_make_target_exists(doc):
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    named = set()
    for piece in _code_pieces(doc.read_text(encoding="utf-8")):
        named |= set(_MAKE.findall(piece))
    assert named - targets == set(), f"{_doc_id(doc)}: not Makefile targets: {sorted(named - targets)}"


def test_pre_commit_strips_notebooks_keeping_ids_and_tags():
    """docs/notebooks.md promises this hook: nbstripout on notebooks/, local (no download), ids and tags kept."""
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [r["repo"] for r in config["repos"]] == ["local"]
    [hook] = [h for h in config["repos"][0]["hooks"] if h["id"] == "nbstripout"]
    assert (ROOT / hook["entry"]).is_file() and os.access(ROOT / hook["entry"], os.X_OK)
    args = hook.get("args", [])
    assert "--keep-id" in args
    assert "metadata.language_info.version" in " ".join(args)
    assert not [a for a in args if "tags" in a or a.startswith("--drop-tagged")]
    assert re.search(hook["files"], "notebooks/project_status.ipynb")
    assert not re.search(hook["files"], "output/2026-11-20/notebooks/portfolio.ipynb")


# --- the tutorial's code ------------------------------------------------------------------------

_STEP = re.compile(
    r"<!-- tutorial: (?P<action>create|append|replace|insert|cell) (?P<path>\S+)"
    r"(?: (?P<where>after-line|after-block|after|line) \"(?P<anchor>(?:[^\"\\]|\\.)*)\")? -->\n"
    r"```(?P<lang>\w*)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


def tutorial_steps(text: str) -> list[dict]:
    """The tutorial's edits in order: action, path, where, anchor, language and code."""
    steps = []
    for match in _STEP.finditer(text):
        step = match.groupdict()
        step["anchor"] = json.loads(f'"{step["anchor"]}"') if step["anchor"] is not None else None
        steps.append(step)
    return steps


def _line_index(lines: list[str], anchor: str, path: str) -> int:
    for index, line in enumerate(lines):
        if anchor in line:
            return index
    raise AssertionError(f"tutorial: {path} has no line containing {anchor!r} (did the code move?)")


def apply_step(root: Path, step: dict) -> None:
    """Apply one tutorial edit to the project copy at ``root``."""
    path, code = root / step["path"], step["code"]
    if step["action"] == "create":
        assert not path.exists(), f"tutorial: {step['path']} exists already"
        path.write_text(code, encoding="utf-8")
        return
    if step["action"] == "cell":
        book = nbformat.read(str(path), as_version=4)
        index = next((i for i, c in enumerate(book.cells) if step["anchor"] in c.source), None)
        assert index is not None, f"tutorial: no cell of {step['path']} contains {step['anchor']!r}"
        make = nbformat.v4.new_markdown_cell if step["lang"] == "markdown" else nbformat.v4.new_code_cell
        book.cells.insert(index + 1, make(code.rstrip("\n")))
        nbformat.write(book, str(path))
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    new = code.rstrip("\n").splitlines()
    if step["action"] == "append":
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", "", *new]
    elif step["action"] == "replace":  # the line containing the anchor
        at = _line_index(lines, step["anchor"], step["path"])
        lines[at:at + 1] = new
    elif step["where"] == "after-line":
        at = _line_index(lines, step["anchor"], step["path"]) + 1
        lines[at:at] = new
    else:  # after-block: before the next statement indented no deeper than the anchor's line
        start = _line_index(lines, step["anchor"], step["path"])
        indent = len(lines[start]) - len(lines[start].lstrip())
        at = next((i for i in range(start + 1, len(lines))
                   if lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) <= indent), len(lines))
        lines[at:at] = [*new, *[""] * (1 if indent else 2)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_tutorial_steps_point_at_real_code():
    """Every block of the tutorial has a target that exists and an anchor found in it."""
    steps = tutorial_steps(TUTORIAL.read_text(encoding="utf-8"))
    assert len(steps) >= 10
    assert {s["action"] for s in steps} == {"create", "append", "replace", "insert", "cell"}
    created = {s["path"] for s in steps if s["action"] == "create"}
    for step in steps:
        if step["action"] == "create" or step["path"] in created:
            continue
        path = ROOT / step["path"]
        assert path.is_file(), f"tutorial: {step['path']} does not exist"
        if step["action"] == "cell":
            sources = [c.source for c in nbformat.read(str(path), as_version=4).cells]
            sources += [s["code"] for s in steps if s["action"] == "cell" and s["path"] == step["path"]]
            assert any(step["anchor"] in source for source in sources), step
        elif step["anchor"] is not None:
            _line_index(path.read_text(encoding="utf-8").splitlines(), step["anchor"], step["path"])


def test_tutorial_code_applies_and_its_tests_pass(tmp_path):
    """Apply every block to a scratch copy; run its tests, its doctests and the new report cell."""
    steps = tutorial_steps(TUTORIAL.read_text(encoding="utf-8"))
    done = [s["path"] for s in steps if s["action"] == "create" and (ROOT / s["path"]).exists()]
    if done:
        pytest.skip(f"the tutorial's example is already in this working tree ({', '.join(done)})")
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("pmo_lib", "tests", "notebooks", "parameters", "docs"):
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    shutil.copytree(ROOT / "data" / "sample", root / "data" / "sample")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for step in steps:
        apply_step(root, step)
    for step in steps:
        if step["path"].endswith(".py"):
            ast.parse((root / step["path"]).read_text(encoding="utf-8"), step["path"])

    env = {**os.environ, "PYTHONPATH": str(root)}
    edited = sorted({s["path"] for s in steps if s["path"].endswith(".py")})
    checks = [p for p in edited if p.startswith("tests/")] + [p for p in edited if p.startswith("pmo_lib/")]
    checks += ["tests/test_notebooks.py::test_committed_without_outputs",
               "tests/test_notebooks.py::test_thin_title_parameters_then_calls"]
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", *checks], cwd=root, env=env,
                           capture_output=True, text=True, timeout=600)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]

    # The new notebook cells, run as JupyterLab would: parameters, loading cell, then each new call.
    for notebook in sorted({s["path"] for s in steps if s["action"] == "cell"}):
        book = nbformat.read(str(root / notebook), as_version=4)
        calls = [s["code"].strip() for s in steps if s["action"] == "cell" and s["path"] == notebook
                 and s["lang"] == "python"]
        script = "\n".join([book.cells[1].source, book.cells[2].source,
                            "import pmo_lib",
                            f"assert pmo_lib.__file__.startswith({str(root)!r}), pmo_lib.__file__",
                            # a plain Altair chart shows through the renderer a notebook's import of pmo_lib enables
                            "from pmo_lib.charts.render import use_static_charts",
                            "use_static_charts()",
                            *[f"shown = ({call})\nprint(shown._repr_mimebundle_()['text/html'] "
                              "if hasattr(shown, '_repr_mimebundle_') else shown._repr_html_())" for call in calls]])
        shown = subprocess.run([sys.executable, "-c", script], cwd=root / "notebooks", env=env,
                               capture_output=True, text=True, timeout=600)
        assert shown.returncode == 0, shown.stderr[-4000:]
        assert shown.stdout.count("<svg") >= len(calls), shown.stdout[:2000]
