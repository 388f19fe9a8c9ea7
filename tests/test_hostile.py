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

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

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
        titles = soup.find_all("title")
        assert len([t for t in titles if t.find_parent("svg") is None]) == 1, name  # the document's own
        # the others are chart marks' hover details: text only, inside an SVG
        assert all(t.find(True) is None for t in titles if t.find_parent("svg") is not None), name
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
        assert squash(title.removeprefix("Program summary: ")) in {squash(p) for p in PROGRAMS}, title


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
    from pmo_lib.data.loading import load_portfolio
    from tests.fixtures.hostile import write_hostile_portfolio

    tables = hostile_tables()
    portfolio = load_portfolio(write_hostile_portfolio(tmp_path / "data"))
    for name, frame in tables.items():
        loaded = getattr(portfolio, name)
        for column in text_columns(name):
            assert loaded[column].tolist() == frame[column].tolist(), (name, column)
    assert any("\r\n" in name for name in portfolio.tasks["name"])  # CR LF inside a cell survives
    assert any(name.startswith("\u202e") for name in portfolio.tasks["name"])


# --- e-mail ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mails(run, tmp_path_factory):
    """``pmo-report email --dry-run`` on a copy of the hostile run: every message, parsed."""
    import shutil
    from email import policy
    from email.parser import BytesParser

    from pmo_lib.mail.send import email_run

    copy = tmp_path_factory.mktemp("hostile-mail") / run.run_dir.name
    shutil.copytree(run.run_dir, copy)
    lines = []
    code = email_run(copy, to=["qa@example.org"], dry_run=True, environ={}, echo=lines.append)
    assert code == 0, lines
    found = {}
    for path in sorted((copy / "email").rglob("*.eml")):
        with open(path, "rb") as handle:
            found[str(path.relative_to(copy / "email"))] = BytesParser(policy=policy.default).parse(handle)
    assert len(found) == len(run.results), lines
    return found


def test_mail_headers_cannot_be_injected(mails):
    for name, message in mails.items():
        subject = message["Subject"]
        assert "\n" not in subject and "\r" not in subject, name
        assert message.get_all("Bcc") is None, name
        assert [str(a) for a in message["To"].addresses] == ["qa@example.org"], name
        assert message.get_all("Cc") is None, name
    program = next(m for n, m in mails.items() if n.startswith("programs/etc-"))
    assert "Bcc: leak@evil.example" in program["Subject"]  # the program name, flattened into the subject


def test_mail_bodies_show_text_and_hold_no_active_content(mails, values):
    shown = set()
    for name, message in mails.items():
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        cids = {part["Content-ID"].strip("<>") for part in message.walk() if part["Content-ID"]}
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find_all([e for e in FORBIDDEN_ELEMENTS if e != "img"]), name
        for element in soup.find_all(True):
            for attribute, value in element.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                assert not attribute.lower().startswith("on"), (name, attribute)
                if attribute.lower() in URL_ATTRIBUTES:
                    assert value.startswith("cid:") and value[4:] in cids, (name, value)  # inline charts only
                if attribute.lower() == "style":
                    assert "url(" not in value.lower(), name
        assert not soup.find_all("svg"), name  # charts travel as PNG
        assert len(soup.find_all("style")) <= 1, name
        body = squash(soup.get_text())
        for tag in set(TAG.findall(soup.get_text())):
            assert squash(values[tag]) in body, (name, tag)
        for tag in set(TAG.findall(text)):
            assert squash(values[tag]) in squash(text), (name, tag)
        for result in FORBIDDEN_RESULTS:
            assert result not in html and result not in text, name
        shown |= {p for p in PAYLOADS if squash(p) in body}
        for part in message.iter_attachments():  # a full page attached when the body is cut
            if part.get_content_type() == "text/html":
                attached = BeautifulSoup(part.get_content(), "html.parser")
                assert not attached.find_all(FORBIDDEN_ELEMENTS), name
    assert shown == set(PAYLOADS)


# --- names that become paths ------------------------------------------------------------------------

NASTY_PROGRAMS = ["../../etc", "..", ".", "/abs", "/", "CON", "nul", "Com1", "LPT9", "a/b\\c", "..\\..\\windows",
                  "~", "", " ", "\x00", "\n", ".hidden", "-", "<>", "x" * 5000, "Zoë's ../../etc", "📁", "aux.txt"]
BAD_PROJECT_IDS = ["../../etc/passwd", "..", ".hidden", "/abs", "a/b", "a\\b", "P 1", "-P1", "P1;rm", "P" * 65,
                   "P1\x00", "P1/../../x", "Pé"]
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def assert_safe_page(page: str, run_dir: Path) -> None:
    path = Path(page)
    assert not path.is_absolute() and ".." not in path.parts, page
    assert (run_dir / path).resolve().is_relative_to(run_dir.resolve()), page
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.(html|ipynb)", path.name), page
    assert path.stem.split(".")[0].lower() not in WINDOWS_DEVICES, page


def test_program_names_become_file_names_inside_the_run_folder(tmp_path):
    from pmo_lib.parameters import RunParameters
    from pmo_lib.run.plan import plan_jobs

    jobs = plan_jobs(RunParameters().reports, project_ids=["P1"], programs=NASTY_PROGRAMS,
                     portfolio_name="../../<Portfolio>", common={"status_date": "2026-11-20"})
    programs = [j for j in jobs if j.scope == "program"]
    assert len({j.page for j in programs}) == len(NASTY_PROGRAMS)  # one page each, no overwrites
    for job in jobs:
        assert_safe_page(job.page, tmp_path)
        assert_safe_page(job.executed_notebook, tmp_path)
    assert {j.subject for j in programs} == set(NASTY_PROGRAMS)  # the notebook still gets the real name


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8, unique=True))
def test_any_program_names_give_unique_safe_file_names(names):
    from pmo_lib.run.plan import program_slugs

    slugs = program_slugs(names)
    assert len(set(slugs.values())) == len(names)
    for slug in slugs.values():
        assert_safe_page(f"programs/{slug}.html", Path("/run"))


@pytest.mark.parametrize("bad_id", BAD_PROJECT_IDS)
def test_a_project_id_outside_the_pattern_is_refused_before_anything_is_written(tmp_path, bad_id):
    from tests.conftest import VALID_TABLES, write_tables

    def swap(text):
        return text.replace("P2,", f'"{bad_id}",')

    data = write_tables(tmp_path / "data", {name: swap(text) for name, text in VALID_TABLES.items()})
    out = tmp_path / "output" / "2024-01-20"
    result = CliRunner().invoke(main, ["run", "--data", str(data), "--status-date", "2024-01-20",
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "projects.csv:3:project_id: not a valid project_id" in result.output
    assert "nothing was written" in result.output
    assert not (tmp_path / "output").exists()
    assert "Traceback" not in result.output


def test_every_file_of_a_run_is_inside_its_run_folder(run):
    out = run.run_dir
    root = out.parent
    for path in root.rglob("*"):
        if path.is_file():
            # beside the run folders, the output root holds only the project's own history page, snapshot
            # store and writer lock
            assert (path.resolve().is_relative_to(out.resolve())
                    or path in (root / "index.html", root / "history.sqlite", root / ".pmo-report.lock")), path
            assert not path.is_symlink(), path
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for report in manifest["reports"]:
        for key in ("page", "notebook"):
            assert_safe_page(report[key], out)
