"""The story a sponsor gets: summaries, decisions, exceptions, tiles and links on the sample (issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.parameters import load_parameters
from pmo_lib.reports import PortfolioReport, ProgramReport, ProjectReport
from tests.conftest import SAMPLE

NO_PREVIOUS = "There is no previous report to compare with."


@pytest.fixture(scope="module")
def analysis():
    return PortfolioAnalysis(load_portfolio(SAMPLE), status_date="2026-11-20", params=load_parameters())


def project(analysis, project_id) -> ProjectReport:
    return ProjectReport(analysis, project_id=project_id)


def summary_text(view) -> str:
    block = view.summary()
    soup = BeautifulSoup(block.html, "html.parser")
    section = soup.find(id="summary")
    assert section is not None and section.name == "section"
    return section.find("p").get_text()


def tiles(fragment) -> dict[str, str]:
    soup = BeautifulSoup(fragment.html, "html.parser")
    found = {}
    for tile in soup.select(".pmo-tile"):
        label = tile.select_one(".pmo-tile__label span").get_text(" ", strip=True)
        badge = tile.select_one(".pmo-rag")
        found[label] = (tile.select_one(".pmo-tile__value").get_text(strip=True),
                        badge.get_text() if badge else None)
    return found


def test_watermelon_summary_names_both_colours_first(analysis):
    text = summary_text(project(analysis, "PRJ-003"))
    first = text.split(". ")[0]
    assert first == ("Contact Centre Cloud Migration is reported GREEN by its manager (2026-11-20) but measures RED: "
                     "schedule red: SPI 0.77 < 0.85; cost red: CPI 0.79 < 0.85; risks red: an open risk scores 20 (≥ 20)")
    assert "It is forecast to cost €218k against a budget at completion of €172k: €46.2k (26.8 %) over." in text


def test_over_budget_summary_states_the_overrun(analysis):
    assert summary_text(project(analysis, "PRJ-013")) == (
        "ERP Finance Upgrade is RED: cost red: CPI 0.74 < 0.85; risks red: an open risk scores 20 (≥ 20); "
        "issues red: 1 critical issue open. "
        "It is forecast to finish on 2027-07-24, 6 days before its baseline finish of 2027-07-30. "
        "It is forecast to cost €4.82M against a budget at completion of €3.57M: €1.25M (34.9 %) over. "
        f"{NO_PREVIOUS} "
        "Top exception: critical issue I01 “Contingency used up: the forecast cost is above the approved budget” is "
        "open, 53 days old. Decisions needed: 1, listed below (1 asked for by the manager).")


def test_late_summary_states_forecast_finish_and_slip(analysis):
    text = summary_text(project(analysis, "PRJ-008"))
    assert ("It is forecast to finish on 2027-06-05, 92 days after its baseline finish of 2027-03-05 "
            "(SPI(t) 0.76).") in text
    assert text.endswith("Decisions needed: 2, listed below (1 change request, 1 red risk past its date).")


def test_not_started_closed_and_on_hold_have_their_own_words(analysis):
    assert summary_text(project(analysis, "PRJ-022")) == (
        "Environmental Permit Tracking has not started: it starts on 2026-12-21, in 31 days, with a budget at "
        f"completion of €579k and a planned finish on 2027-10-08. {NO_PREVIOUS} "
        "No decision is needed from the sponsor.")
    assert summary_text(project(analysis, "PRJ-005")) == (
        "Self-Service Outage Map is closed: its final cost was €2.06M against a budget of €2.1M, €36.9k "
        "under budget, and it finished on 2026-10-07, 2 days before its baseline finish. "
        f"{NO_PREVIOUS} No decision is needed from the sponsor.")
    on_hold = summary_text(project(analysis, "PRJ-017"))
    assert on_hold.startswith("Document Management Consolidation is on hold: the last activity recorded was on "
                              "2026-11-13, 7 days ago; measured status RED: risks red: 3 risks past their "
                              "mitigation date (> 2).")


def test_tiles_follow_their_dimension_and_the_stage(analysis):
    late = tiles(project(analysis, "PRJ-008").kpis())
    assert late["Variance at completion"] == ("-€9.56k", "GREEN")  # CPI 0.99: the cost colour, not "negative = red"
    assert late["Forecast finish"] == ("2027-06-05", "RED")  # SPI(t) 0.76 < 0.85
    assert late["SPI(t)"] == ("0.76", "RED")
    closed = tiles(project(analysis, "PRJ-005").kpis())
    assert list(closed) == ["Final cost", "Under budget", "Final CPI", "Finished"]
    assert closed["Under budget"] == ("€36.9k", "GREEN")
    assert closed["Finished"] == ("2026-10-07", None)
    future = tiles(project(analysis, "PRJ-022").kpis())
    assert list(future) == ["Starts", "Budget at completion", "Planned finish", "Spent so far"]
    assert future["Starts"] == ("2026-12-21", None)
    assert "in 31 days" in project(analysis, "PRJ-022").kpis().html
    paused = tiles(project(analysis, "PRJ-017").kpis())
    assert paused["On hold"] == ("paused", None)


def test_money_and_plan_are_reconciled_once(analysis):
    text = repr(project(analysis, "PRJ-008").kpis())
    assert ("Budgets: approved budget €1.63M → BAC (sum of task budgets) €1.53M → after approved changes "
            "€1.55M → EAC (forecast) €1.54M; the forecast is €10.7k under the budget after approved "
            "changes.") in text
    assert "Finish: baseline 2027-03-05 → after approved changes 2027-03-14 → forecast 2027-06-05." in text
    changes = repr(project(analysis, "PRJ-003").changes())
    assert "Approved changes move" not in changes and "No change requests." in changes


def test_portfolio_headline_follows_the_exposure_rule(analysis):
    report = PortfolioReport(analysis)
    header = repr(report.header())
    assert header.startswith("Northwind Utilities: portfolio overview — RED")
    assert "24 projects in 4 programs: 5 red (20 % of budget), 4 amber (18 %), 15 green" in header
    assert analysis.totals["index_rag"] == "green" and analysis.totals["exposure_rag"] == "red"
    text = summary_text(report)
    assert text.startswith("The portfolio is RED: exposure red: red projects hold 20 % of the budget (≥ 15 %). "
                           "24 projects: 5 red (20 % of budget), 4 amber (18 %), 15 green. 1 watermelon inside: "
                           "PRJ-003 Contact Centre Cloud Migration is reported GREEN but measures RED.")
    assert "€1.61M (4.1 %) over" in text


def test_program_summary_names_the_watermelon_inside(analysis):
    text = summary_text(ProgramReport(analysis, program="Digital Customer"))
    assert "1 watermelon inside: PRJ-003 Contact Centre Cloud Migration is reported GREEN but measures RED." in text
    assert text.startswith("The Digital Customer program is GREEN: indices green; exposure green: red and amber "
                           "projects hold 29 % of the budget (< 30 %).")


def test_exceptions_first_watermelons_then_red_then_amber(analysis):
    soup = BeautifulSoup(PortfolioReport(analysis).attention().html, "html.parser")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in soup.select("tbody tr")]
    # within a colour, the house order: program, then project
    assert [r[1] for r in rows] == ["PRJ-003", "PRJ-013", "PRJ-017", "PRJ-008", "PRJ-020",
                                    "PRJ-006", "PRJ-010", "PRJ-019", "PRJ-023"]
    assert rows[0][3] == "watermelon: manager says GREEN"
    assert rows[4][4] == "issues red: 1 critical issue open"  # PRJ-020: red with schedule and cost green
    projects = BeautifulSoup(PortfolioReport(analysis).projects().html, "html.parser")
    assert "Reason" in [th.get_text() for th in projects.select("thead th")]
    assert "issues red: 1 critical issue open" in projects.get_text(" ")


def test_decisions_needed_stated_and_derived(analysis, tmp_path):
    portfolio_decisions = repr(PortfolioReport(analysis).decisions())
    assert ("Substation Automation Phase 2 (PRJ-008): Approve or reject change request CR-01 “Add three "
            "substations to scope” (+€21.2k, +21 days), proposed 2026-11-10") in portfolio_decisions
    assert ("Regulatory Reporting Automation (PRJ-020): Unblock critical issue I01 “Regulator brought its audit "
            "forward: evidence pack not ready”, due 2026-10-28 (23 days overdue)") in portfolio_decisions
    assert "Act on red risk R01" in portfolio_decisions
    assert repr(project(analysis, "PRJ-013").decisions()).splitlines() == [  # the sample's decisions_needed
        "Decisions needed:",
        "- The manager asks: Approve extra funding or cut scope: the forecast cost is above the approved budget"]
    assert repr(project(analysis, "PRJ-001").decisions()).splitlines()[1].startswith(
        "- Approve or reject change request CR-01")
    assert repr(project(analysis, "PRJ-022").decisions()) == "No decision is needed."
    # The manager's own request, from the new optional column.
    import shutil
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    updates = pd.read_csv(data / "status_updates.csv")
    latest = updates.index[(updates["project_id"] == "PRJ-013") & (updates["status_date"] == "2026-11-20")]
    updates["decisions_needed"] = ""
    updates.loc[latest, "decisions_needed"] = "Release €250k of contingency & confirm the <go-live> date"
    updates.to_csv(data / "status_updates.csv", index=False)
    asked = PortfolioAnalysis(load_portfolio(data), status_date="2026-11-20", params=load_parameters())
    decided = project(asked, "PRJ-013").decisions()
    assert repr(decided).splitlines() == [
        "Decisions needed:", "- The manager asks: Release €250k of contingency & confirm the <go-live> date"]
    assert "confirm the &lt;go-live&gt; date</li>" in decided.html  # data is text, escaped


def test_pages_link_to_each_other_relatively(analysis):
    portfolio = BeautifulSoup(PortfolioReport(analysis).header().html, "html.parser")
    hrefs = {a["href"] for a in portfolio.select("a.pmo-link")}
    assert {f"projects/{pid}.html" for pid in analysis.metrics["project_id"]} <= hrefs
    assert {"programs/digital-customer.html", "programs/regulatory-compliance.html"} <= hrefs
    program = BeautifulSoup(ProgramReport(analysis, program="Digital Customer").header().html, "html.parser")
    assert {a["href"] for a in program.select("a.pmo-link")} == {
        "../portfolio.html", *(f"../projects/PRJ-00{i}.html" for i in range(1, 7))}
    one = BeautifulSoup(project(analysis, "PRJ-003").header().html, "html.parser")
    assert [a["href"] for a in one.select("a.pmo-link")] == ["../programs/digital-customer.html", "../portfolio.html"]
    # the plain text (a mail's text part) names the linked pages
    assert repr(project(analysis, "PRJ-003").header()).splitlines()[-1] == (
        "Part of: Digital Customer program · Portfolio overview")


def test_summary_says_what_changed_since_the_previous_run(analysis):
    before = analysis.metrics.copy()
    row = before["project_id"] == "PRJ-003"
    before.loc[row, ["overall_rag", "cpi", "spi"]] = ["amber", 0.9, 0.77]
    text = summary_text(ProjectReport(analysis, project_id="PRJ-003", previous=before))
    assert "Since the previous report the overall status went from AMBER to RED; CPI 0.90 → 0.79." in text
    # the portfolio's previous headline goes through the same rule (indices and exposure): it stayed RED
    portfolio = summary_text(PortfolioReport(analysis, previous=analysis.metrics.copy()))
    assert "Since the previous report the overall status stayed RED." in portfolio


def test_a_slipped_milestone_is_late_in_the_summary(analysis):
    text = summary_text(project(analysis, "PRJ-010"))
    assert ("Top exception: milestone “Go-live” is late: baseline 2027-07-22, forecast 2027-10-04 "
            "(74 days after its baseline).") in text
    states = analysis.milestones.set_index(["project_id", "name"])["state"]
    assert states.loc[("PRJ-010", "Go-live")] == "late"  # a slip is "late", not "at risk"


def test_a_closed_project_has_no_forecast_on_its_s_curve(analysis):
    closed = project(analysis, "PRJ-005")  # closed in the sample
    assert str(closed.project["status"]) == "closed"
    assert "Forecast (EAC)" not in closed.s_curve().svg
    assert "Forecast (EAC)" in project(analysis, "PRJ-003").s_curve().svg
