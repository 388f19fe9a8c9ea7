"""The real report suite on the bundled sample: layout, manifest, page content, offline pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pmo_lib.formatting import format_date, format_money, format_ratio
from pmo_lib.parameters import load_parameters
from pmo_lib.run.suite import run_reports
from tests.conftest import SAMPLE, SAMPLE_PROGRAMS, SAMPLE_PROJECTS, catalog_reports, expected_reports

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

STATUS = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / STATUS.isoformat()
    outcome = run_reports(data=SAMPLE, status_date=STATUS, out_dir=out, params=load_parameters(), workers=2,
                          progress=False)
    return outcome


def page(run, path) -> BeautifulSoup:
    return BeautifulSoup((run.run_dir / path).read_text(encoding="utf-8"), "html.parser")


def tiles(soup) -> dict[str, str]:
    found = {}
    for tile in soup.select(".pmo-tile"):
        label = tile.select_one(".pmo-tile__label span").get_text(" ", strip=True)
        found[label] = tile.select_one(".pmo-tile__value").get_text(strip=True)
    return found


def test_every_report_is_produced(sample_run):
    out = sample_run.run_dir
    assert sample_run.exit_code == 0, [r.error for r in sample_run.results if r.error]
    assert (out / "index.html").is_file() and (out / "portfolio.html").is_file()
    assert sorted(p.name for p in (out / "programs").iterdir()) == [
        "corporate-systems.html", "digital-customer.html", "grid-modernisation.html", "regulatory-compliance.html"]
    assert len(list((out / "projects").glob("PRJ-*.html"))) == 24
    total = expected_reports(projects=SAMPLE_PROJECTS, programs=SAMPLE_PROGRAMS)  # 29 with the built-in three
    assert len(list((out / "notebooks").rglob("*.ipynb"))) == total
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"ok": total, "failed": 0}
    assert manifest["parameters"]["currency"] == "EUR"
    assert {r["scope"] for r in manifest["reports"]} == {r.scope for r in catalog_reports()}
    assert all(r["seconds"] > 0 and r["error"] is None for r in manifest["reports"])


def test_project_page_figures_equal_the_metrics_table(sample_run):
    metrics = pd.read_csv(sample_run.run_dir / "metrics.csv").set_index("project_id")
    row = metrics.loc["PRJ-008"]
    soup = page(sample_run, "projects/PRJ-008.html")
    assert soup.title.get_text() == "Project status: Substation Automation Phase 2"
    header = soup.select_one(".pmo-header").get_text(" ", strip=True)
    assert "Substation Automation Phase 2" in header and "Manager: Priya Raman" in header
    assert "Overall RED" in header and "Schedule RED" in header
    shown = tiles(soup)
    assert shown["SPI"] == format_ratio(row["spi"]) == "0.71"
    assert shown["CPI"] == format_ratio(row["cpi"])
    assert shown["SPI(t)"] == format_ratio(row["spi_t"])
    assert shown["Budget at completion"] == format_money(row["bac"], "EUR", compact=True)
    assert shown["Estimate at completion"] == format_money(row["eac"], "EUR", compact=True)
    assert shown["Forecast finish"] == format_date(pd.Timestamp(row["forecast_finish"]))
    text = soup.get_text(" ", strip=True)
    for heading in ("Key figures", "Progress against plan", "Milestones", "Risks", "Open issues",
                    "Change requests", "Resources", "PMO standards"):
        assert heading in text
    assert len(soup.select("figure.pmo-chart svg")) == 10  # S-curve, timeline, heat map, loading + the trend pack


def test_watermelon_and_text_from_data_are_shown_as_text(sample_run):
    soup = page(sample_run, "projects/PRJ-003.html")
    assert "Watermelon warning: the manager reports GREEN" in soup.get_text(" ", strip=True)
    risks = page(sample_run, "projects/PRJ-008.html").get_text(" ", strip=True)
    assert 'Vendor "GridCo" may miss <Q3> delivery & testing' in risks
    portfolio = page(sample_run, "portfolio.html")
    assert "Regulatory & Compliance" in portfolio.get_text(" ")
    watermelons = portfolio.find(string=re.compile("Watermelon projects")).find_parent().find_next("table")
    assert "Contact Centre Cloud Migration" in watermelons.get_text(" ")


def test_program_page_rolls_up_from_sums(sample_run):
    metrics = pd.read_csv(sample_run.run_dir / "metrics.csv")
    grid = metrics[metrics["program"] == "Grid Modernisation"]
    soup = page(sample_run, "programs/grid-modernisation.html")
    shown = tiles(soup)
    assert shown["Projects"] == str(len(grid))
    assert shown["SPI"] == format_ratio(grid["ev"].sum() / grid["pv"].sum())
    assert shown["CPI"] == format_ratio(grid["ev"].sum() / grid["ac"].sum())
    names = soup.select_one("table.pmo-table:not(.pmo-attention)").get_text(" ")
    assert all(name in names for name in grid["name"])


def test_index_lists_every_report_with_its_rag(sample_run):
    soup = page(sample_run, "index.html")
    links = {a["href"] for a in soup.find_all("a")}
    assert {"portfolio.html", "programs/grid-modernisation.html", "projects/PRJ-024.html",
            "metrics.csv", "manifest.json"} <= links
    row = soup.find("a", href="projects/PRJ-013.html").find_parent("tr")
    assert "RED" in row.get_text(" ")


def test_pages_are_self_contained_offline_and_without_code(sample_run):
    for file in sample_run.run_dir.rglob("*.html"):
        html = file.read_text(encoding="utf-8")
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find_all("script"), file
        assert not soup.find_all("link"), file
        for tag in soup.find_all(True):
            for attr in ("src", "href"):
                value = tag.get(attr) or ""
                assert not re.match(r"^\s*(https?:)?//", value), (file, value)
            assert not [a for a in tag.attrs if a.lower().startswith("on")], file
        for code in ("ProjectReport", "report.header()", "import ", "In&nbsp;[", "In [", "data_path"):
            assert code not in html, (file, code)
        assert "@import" not in html and "url(http" not in html


def test_project_pages_stay_under_400_kb(sample_run):
    sizes = [p.stat().st_size for p in (sample_run.run_dir / "projects").glob("*.html")]
    assert max(sizes) < 400 * 1024


def test_trends_compare_with_the_previous_run(tmp_path):
    params = load_parameters()
    earlier = run_reports(data=SAMPLE, status_date=dt.date(2026, 11, 6), out_dir=tmp_path / "2026-11-06",
                          params=params, projects=["PRJ-008"], workers=1, progress=False)
    assert earlier.exit_code == 0
    later = run_reports(data=SAMPLE, status_date=STATUS, out_dir=tmp_path / "2026-11-20", params=params,
                        projects=["PRJ-008"], workers=1, progress=False)
    manifest = json.loads((later.run_dir / "manifest.json").read_text())
    assert manifest["previous_run"] == str(tmp_path / "2026-11-06")
    before = pd.read_csv(tmp_path / "2026-11-06" / "metrics.csv").set_index("project_id").loc["PRJ-008"]
    soup = page(later, "projects/PRJ-008.html")
    spi_tile = [t for t in soup.select(".pmo-tile") if t.select_one(".pmo-tile__label span").get_text() == "SPI"][0]
    assert f"was {format_ratio(before['spi'])}" in " ".join(spi_tile.get_text(" ").split())
    program = page(later, "programs/grid-modernisation.html")
    program_spi = [t for t in program.select(".pmo-tile")
                   if t.select_one(".pmo-tile__label span").get_text() == "SPI"][0]
    earlier_grid = pd.read_csv(tmp_path / "2026-11-06" / "metrics.csv").query("program == 'Grid Modernisation'")
    was = earlier_grid["ev"].sum() / earlier_grid["pv"].sum()  # recomputed from the sums, as now
    assert f"was {format_ratio(was)}" in " ".join(program_spi.get_text(" ").split())


def test_notebooks_use_the_parameters_the_run_was_given(tmp_path):
    from pmo_lib.parameters import parse_parameters

    params = parse_parameters({"portfolio_name": "Acme Grid", "currency": "USD",
                               "rag_thresholds": {"spi": {"green": 0.7, "amber": 0.5}}})
    outcome = run_reports(data=SAMPLE, status_date=STATUS, out_dir=tmp_path / "run", params=params,
                          projects=["PRJ-008"], workers=1, progress=False)
    assert outcome.exit_code == 0
    project = page(outcome, "projects/PRJ-008.html")
    assert tiles(project)["Budget at completion"].startswith("$1.53M")
    assert "Schedule GREEN" in project.select_one(".pmo-header").get_text(" ", strip=True)  # SPI 0.71 >= 0.7
    assert "Acme Grid: portfolio overview" in page(outcome, "portfolio.html").get_text(" ")
    assert (outcome.run_dir / "parameters.yaml").is_file()


def test_every_page_opens_with_its_summary_and_decisions(sample_run):
    for file in [sample_run.run_dir / "portfolio.html", *sorted((sample_run.run_dir / "programs").glob("*.html")),
                 *sorted((sample_run.run_dir / "projects").glob("*.html"))]:
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        summary = soup.find(id="summary")
        assert summary is not None and summary.get_text(strip=True), file
        decisions = soup.find(id="decisions")
        assert decisions is not None, file
        # the summary comes right after the header: before the key figures and any table
        assert summary.find_previous(class_="pmo-header") is not None, file
        assert summary.find_previous(class_="pmo-tile") is None and summary.find_previous("table") is None, file
    prj003 = page(sample_run, "projects/PRJ-003.html")
    text = prj003.find(id="summary").get_text(" ", strip=True)
    assert text.startswith("Summary Contact Centre Cloud Migration is reported GREEN by its manager (2026-11-20) "
                           "but measures RED:")
    # the measured story leads; the manager's own words come after it
    assert prj003.find(string=re.compile("Status update of")).find_previous(id="summary") is not None


def test_headline_is_the_rule_colour_and_the_manifest_records_each_rag(sample_run):
    manifest = json.loads((sample_run.run_dir / "manifest.json").read_text())
    assert manifest["portfolio_rag"] == "red"
    rags = {r["key"]: r["rag"] for r in manifest["reports"]}
    assert rags["portfolio/portfolio"] == "red"
    assert rags["projects/PRJ-003"] == "red" and rags["projects/PRJ-001"] == "green"
    assert rags["programs/digital-customer"] == "green" and rags["programs/grid-modernisation"] == "red"
    assert set(rags.values()) <= {"red", "amber", "green", "grey"} and len(rags) == 29
    header = page(sample_run, "portfolio.html").select_one(".pmo-header").get_text(" ", strip=True)
    header = re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", " ".join(header.split())))  # amounts sit in no-wrap spans
    assert "Overall RED" in header and "5 red (20 % of budget), 4 amber (18 %), 15 green" in header
    attention = page(sample_run, "portfolio.html").select_one("table.pmo-attention")
    assert attention.select_one("tbody tr td").get_text(strip=True) == "Contact Centre Cloud Migration"


def test_every_page_is_reachable_by_links_from_the_portfolio(sample_run):
    root = sample_run.run_dir
    seen, todo = set(), ["portfolio.html"]
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        soup = BeautifulSoup((root / here).read_text(encoding="utf-8"), "html.parser")
        for a in soup.select("a.pmo-link"):
            target = (root / here).parent.joinpath(a["href"]).resolve().relative_to(root.resolve()).as_posix()
            assert (root / target).is_file(), (here, a["href"])  # no dead link
            todo.append(target)
    pages = {p.relative_to(root).as_posix() for p in root.rglob("*.html")} - {"index.html"}
    assert seen == pages
