"""Hostile text: the real report suite on a portfolio whose every text field is an attack.

The portfolio (``tests/fixtures/hostile``) is the sample generator's data with
every free-text field replaced by script tags, event handlers, ``javascript:``
URLs, template syntax, 5,000-character strings, newlines, right-to-left
overrides and emoji. The run must produce every page, show the text as text,
and let none of it become markup: no script, no event handler, no URL, no
element of its own. Each value carries a tag (``[risks.title:12]``), so
wherever a page shows a tag it must show the whole value next to it.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_lib.cli import main
from tests.fixtures.hostile import (
    FORBIDDEN_RESULTS,
    LONG,
    PAYLOADS,
    PORTFOLIO_NAME,
    PROGRAMS,
    RUN_PROJECTS,
    STATUS_DATE,
    hostile_run,
    hostile_tables,
    text_columns,
)

URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "srcdoc", "poster",
                  "background", "cite", "longdesc", "ping", "manifest", "codebase", "archive", "dynsrc"}
FORBIDDEN_ELEMENTS = ["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link",
                      "form", "input", "button", "textarea", "audio", "video", "source", "portal", "template",
                      "noscript", "math", "img"]
SVG_FORBIDDEN = ["script", "foreignobject", "foreignObject", "use", "image", "animate", "set", "animatetransform",
                 "animateTransform", "animatemotion", "animateMotion", "a", "iframe"]
TAG = re.compile(r"\[((?:[a-z_]+\.[a-z_]+:\d+)|(?:resource:[A-Z]+-\d+))\]")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    outcome = hostile_run(tmp_path_factory.mktemp("hostile"))
    assert outcome.exit_code == 0, [(r.key, r.error) for r in outcome.results if r.error]
    return outcome


@pytest.fixture(scope="module")
def values():
    """Every tagged hostile value, by its tag."""
    found = {}
    for name, frame in hostile_tables().items():
        for column in text_columns(name):
            for value in frame[column]:
                match = TAG.search(value)
                if match:
                    found[match.group(1)] = value
    return found


def pages(run) -> dict[str, Path]:
    """Every HTML page of the run, plus the output root's run history, by kind."""
    out = run.run_dir
    found = {str(p.relative_to(out)): p for p in sorted(out.rglob("*.html"))}
    found["../index.html"] = out.parent / "index.html"
    return found


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def squash(text: str) -> str:
    """Text without any whitespace: tables show a newline as <br>, charts wrap labels."""
    return "".join(text.split())


def test_every_page_is_produced(run):
    out = run.run_dir
    names = set(pages(run))
    assert {"index.html", "portfolio.html", "../index.html"} <= names
    assert {f"projects/{p}.html" for p in RUN_PROJECTS} <= names
    assert len([n for n in names if n.startswith("programs/")]) == len(PROGRAMS)
    assert (out / "metrics.csv").is_file() and (out / "manifest.json").is_file()
    assert [r.status for r in run.results] == ["ok"] * (1 + len(PROGRAMS) + len(RUN_PROJECTS))


def test_no_active_content_in_any_page(run):
    for name, path in pages(run).items():
        soup = soup_of(path)
        assert not soup.find_all(FORBIDDEN_ELEMENTS), name
        assert len(soup.find_all("style")) == 1, name  # the page's own stylesheet only
        assert len(soup.find_all("title")) == 1, name
        for meta in soup.find_all("meta"):
            assert meta.find_parent("head") is not None and "refresh" not in str(meta).lower(), name
        assert "Content-Security-Policy" in str(soup.head) and "default-src 'none'" in str(soup.head), name
        for element in soup.find_all(True):
            for attribute, value in element.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                assert not attribute.lower().startswith("on"), (name, element.name, attribute)
                if attribute.lower() in URL_ATTRIBUTES:
                    assert_local_url(value, path, run.run_dir.parent, name)
                if attribute.lower() == "style":
                    assert "url(" not in value.lower() and "expression(" not in value.lower(), name
        for svg in soup.find_all("svg"):
            assert svg.find_parent("figure", class_="pmo-chart") is not None, name  # charts only
            assert not svg.find_all(SVG_FORBIDDEN), name
        css = soup.find("style").get_text().lower()
        assert "@import" not in css and "url(" not in css and "http" not in css, name


def assert_local_url(value: str, page: Path, root: Path, name: str) -> None:
    """A link or source must stay in the output folder: relative, no scheme, no way up and out."""
    compact = "".join(value.split()).lower()
    if compact.startswith("#"):
        return
    assert ":" not in compact.split("/")[0], (name, value)  # no scheme at all: no javascript:, http:
    target = (page.parent / value).resolve()
    assert target.is_relative_to(root.resolve()) and target.exists(), (name, value)


def test_template_syntax_is_shown_not_evaluated(run):
    for name, path in pages(run).items():
        text = soup_of(path).get_text()
        assert "{{7*7}}" in text, name  # the portfolio name is on every page
        for result in FORBIDDEN_RESULTS:
            assert result not in text, name


def test_every_payload_is_shown_literally(run):
    shown = {}
    for name, path in pages(run).items():
        text = squash(soup_of(path).get_text())
        shown[name] = {payload for payload in PAYLOADS if squash(payload) in text}
    for name in ("portfolio.html", *(f"projects/{p}.html" for p in RUN_PROJECTS)):
        assert len(shown[name]) >= len(PAYLOADS) - 2, (name, set(PAYLOADS) - shown[name])
    assert set().union(*shown.values()) == set(PAYLOADS)
    assert any(LONG in soup_of(p).get_text() for p in pages(run).values())  # 5,000 characters, whole


def test_every_value_shown_is_shown_whole(run, values):
    """Wherever a page shows a value's tag, the whole value is shown with it, as text."""
    fields = set()
    for name, path in pages(run).items():
        raw = soup_of(path).get_text()
        text = squash(raw)
        for tag in set(TAG.findall(raw)):
            assert squash(values[tag]) in text, (name, tag)
            fields.add(tag.split(":")[0] if tag.startswith("resource:") else tag.rsplit(":", 1)[0])
    assert {
        "projects.name", "projects.manager", "projects.sponsor", "projects.phase", "tasks.name",
        "risks.title", "risks.owner", "risks.mitigation", "issues.title", "issues.owner", "changes.title",
        "changes.change_id", "status_updates.summary", "status_updates.achievements", "status_updates.next_steps",
        "resources.name", "resources.role", "demand.title", "demand.sponsor", "demand.request_id",
    } <= fields


def test_page_title_masthead_and_header_show_names_as_text(run, values):
    for project in RUN_PROJECTS:
        soup = soup_of(run.run_dir / "projects" / f"{project}.html")
        row = int(project[-3:]) - 1
        name = values[f"projects.name:{row}"]
        assert soup.title.get_text() == f"Project status: {name}"
        assert soup.select_one(".pmo-masthead__portfolio").get_text() == PORTFOLIO_NAME
        assert soup.select_one(".pmo-masthead__title").get_text() == f"Project status: {name}"
        header = squash(soup.select_one(".pmo-header").get_text())
        for column in ("name", "manager", "sponsor", "phase"):
            assert squash(values[f"projects.{column}:{row}"]) in header, (project, column)
        assert squash(PROGRAMS[row % len(PROGRAMS)]) in header
    for path in (run.run_dir / "programs").glob("*.html"):
        title = soup_of(path).title.get_text()
        assert title.removeprefix("Program summary: ") in PROGRAMS, title


def test_tables_show_cells_as_text(run, values):
    soup = soup_of(run.run_dir / "projects" / "PRJ-003.html")
    cells = [cell for table in soup.select("table.pmo-table") for cell in table.find_all(["td", "th"])]
    texts = {squash(cell.get_text()) for cell in cells}
    for tag in ("risks.title", "changes.title", "issues.title"):
        wanted = {squash(v) for k, v in values.items() if k.startswith(tag + ":")}
        assert texts & wanted, tag
    for cell in cells:  # nothing but text, line breaks and the page's own badges inside a cell
        assert {child.name for child in cell.find_all(True)} <= {"br", "span"}, cell


def test_chart_labels_and_tooltips_are_svg_text(run):
    soup = soup_of(run.run_dir / "projects" / "PRJ-003.html")
    labels, tooltips = [], []
    for svg in soup.select("figure.pmo-chart svg"):
        labels += [t.get_text() for t in svg.find_all("text")]
        tooltips += [el["aria-label"] for el in svg.find_all(attrs={"aria-label": True})]
    assert any("<img src=x onerror=alert(1)>" in t or '"><svg onload=alert(1)>' in t
               or "</script><script>" in t or "{{7*7}}" in t for t in labels)
    assert any("[tasks.name:" in t and "<" in t for t in tooltips)  # a milestone's tooltip text
    assert any("[resources.role:" in t for t in tooltips)
    raw = (run.run_dir / "projects" / "PRJ-003.html").read_text(encoding="utf-8")
    for svg in re.findall(r"<svg\b.*?</svg>", raw, flags=re.S):
        assert "<img" not in svg and "<script" not in svg and "<iframe" not in svg


def test_index_lists_names_as_text(run, values):
    soup = soup_of(run.run_dir / "index.html")
    text = squash(soup.get_text())
    for row in range(len(RUN_PROJECTS)):
        assert squash(values[f"projects.name:{row}"]) in text
    assert squash(PORTFOLIO_NAME) in text
    history = soup_of(run.run_dir.parent / "index.html")
    assert PORTFOLIO_NAME in history.get_text()


def test_metrics_csv_and_json_keep_text_verbatim(run):
    projects = hostile_tables()["projects"]
    expected = dict(zip(projects["project_id"], zip(projects["name"], projects["program"])))
    with open(run.run_dir / "metrics.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["project_id"]: (r["name"], r["program"]) for r in rows} == expected
    data = run.run_dir.parent.parent / "data"
    result = CliRunner().invoke(main, ["metrics", "--data", str(data), "--status-date", STATUS_DATE.isoformat(),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {r["project_id"]: (r["name"], r["program"]) for r in records} == expected


def test_executed_notebooks_hold_parameters_as_string_literals(run):
    """Program names reach the notebooks as Python string literals, never as code."""
    for path in (run.run_dir / "notebooks" / "programs").glob("*.ipynb"):
        book = json.loads(path.read_text(encoding="utf-8"))
        injected = next(c for c in book["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
        values = literal_assignments("".join(injected["source"]))
        assert values["program"] in PROGRAMS


def literal_assignments(source: str) -> dict:
    """The ``name = literal`` assignments of a code cell; anything else fails the test."""
    found = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_papermill_injects_any_text_as_a_string_literal(text):
    from nbformat.v4 import new_code_cell, new_notebook
    from papermill.parameterize import parameterize_notebook

    book = new_notebook(cells=[new_code_cell('program = ""', metadata={"tags": ["parameters"]})],
                        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "P"},
                                  "papermill": {}})
    injected = parameterize_notebook(book, {"program": text, "status_date": "2026-11-20"})
    cell = next(c for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert literal_assignments(cell.source) == {"program": text, "status_date": "2026-11-20"}


def test_csv_round_trip_of_hostile_text(tmp_path):
    """The loader gives back every hostile text cell exactly as written."""
    from pmo_lib.loading import load_portfolio
    from tests.fixtures.hostile import write_hostile_portfolio

    tables = hostile_tables()
    portfolio = load_portfolio(write_hostile_portfolio(tmp_path / "data"))
    for name, frame in tables.items():
        loaded = getattr(portfolio, name)
        for column in text_columns(name):
            assert loaded[column].tolist() == frame[column].tolist(), (name, column)
    assert any("\r\n" in name for name in portfolio.tasks["name"])  # CR LF inside a cell survives
    assert any(name.startswith("\u202e") for name in portfolio.tasks["name"])
