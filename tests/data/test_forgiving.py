"""Forgiving reading that is never silently wrong: export headers, NA words, separators, times of day."""

from __future__ import annotations

import math

import pytest

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.data.profile import parse_profile
from tests.conftest import VALID_TABLES


def messages(path, profile=None):
    return [str(p) for p in check_portfolio(path, profile)[1]]


MS_PROJECT_TASKS = (
    "Project ID,Unique ID,Task Name,Baseline Start,Baseline Finish,% Complete,Baseline Cost,Milestone,"
    "Start,Finish,Resource Names\n"
    "P1,T1,Design,2024-01-01,2024-01-11,100%,400,No,2024-01-01,2024-01-12,Ann Lee\n"
    "P1,T2,Build,2024-01-11,2024-01-31,55%,600,No,2024-01-12,2024-02-05,\n"
    "P2,T1,Go-live,2024-02-01,2024-02-01,0%,0,Yes,N/A,#N/A,\n"
)


def test_export_headers_and_percent_signs_are_read(make_portfolio):
    portfolio = load_portfolio(make_portfolio(tasks=MS_PROJECT_TASKS))
    tasks = portfolio.tasks
    assert tasks["percent_complete"].tolist() == [100.0, 55.0, 0.0]
    assert tasks["budget"].tolist() == [400.0, 600.0, 0.0]
    assert tasks["is_milestone"].tolist() == [False, False, True]
    assert tasks["owner"].tolist() == ["Ann Lee", "", ""]
    assert tasks["forecast_finish"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2024-01-12", "2024-02-05", ""]
    assert list(tasks.columns[:3]) == ["project_id", "task_id", "name"]


def test_headers_match_ignoring_case_spaces_and_punctuation(make_portfolio):
    projects = VALID_TABLES["projects"].replace("project_id,name,program,manager,", "PROJECT-ID, Name ,Program,Manager,")
    portfolio = load_portfolio(make_portfolio(projects=projects))
    assert portfolio.projects["project_id"].tolist() == ["P1", "P2"]


def test_two_headers_claiming_one_column_are_an_error_not_a_choice(make_portfolio):
    tasks = VALID_TABLES["tasks"].replace("is_milestone\n", "is_milestone,Start,Start Date\n").replace(
        "false\n", "false,,\n").replace("no\n", "no,,\n").replace("yes\n", "yes,,\n")
    assert messages(make_portfolio(tasks=tasks)) == [
        "tasks.csv:1:forecast_start: the columns 'Start', 'Start Date' all look like forecast_start: "
        "name one of them in a profile"]


def test_na_words_are_empty_in_date_and_number_columns(make_portfolio):
    projects = VALID_TABLES["projects"].replace(",1000\n", ",N/A\n").replace(",500\n", ",#N/A\n")
    portfolio = load_portfolio(make_portfolio(projects=projects))
    assert portfolio.projects["budget"].isna().all()
    required = VALID_TABLES["costs"].replace(",300,", ",NA,")
    assert messages(make_portfolio(costs=required)) == ["costs.csv:2:amount: a value is required (NA)"]


def test_iso_dates_with_a_time_of_day_are_dates(make_portfolio):
    costs = VALID_TABLES["costs"].replace("2024-01-05", "2024-01-05 17:30").replace("2024-01-12", "2024-01-12T08:00:00")
    dates = load_portfolio(make_portfolio(costs=costs)).costs["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2024-01-05", "2024-01-12", "2024-01-19"]


def test_semicolon_separated_files_are_detected(make_portfolio):
    costs = VALID_TABLES["costs"].replace(",", ";")
    assert load_portfolio(make_portfolio(costs=costs)).costs["amount"].tolist() == [300.0, 250.5, -50.0]


def test_decimal_commas_need_a_declaration(make_portfolio):
    costs = "project_id;date;amount\nP1;05/01/2024;1.250,50\nP1;12/01/2024;-50\n"
    folder = make_portfolio(costs=costs)
    assert messages(folder) == [
        "costs.csv:2:date: not a date in YYYY-MM-DD form (05/01/2024)",
        "costs.csv:2:amount: not a number: a decimal comma or thousands separator needs a declaration (1.250,50)",
        "costs.csv:3:date: not a date in YYYY-MM-DD form (12/01/2024)",
    ]
    profile = parse_profile({"csv": {"decimal": ",", "thousands": "."}, "dates": ["%d/%m/%Y"]})
    costs = load_portfolio(folder, profile).costs
    assert costs["amount"].tolist() == [1250.5, -50.0]
    assert costs["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-12"]


def test_unambiguous_money_is_read(make_portfolio):
    projects = VALID_TABLES["projects"].replace(",1000\n", ',"€1,250,000"\n').replace(",500\n", ',"(1,250.50)"\n')
    portfolio, problems = check_portfolio(make_portfolio(projects=projects))
    assert portfolio.projects["budget"].tolist()[0] == 1_250_000.0
    assert [str(p) for p in problems] == ["projects.csv:3:budget: must be >= 0 ((1,250.50))"]


def test_percent_complete_as_fractions_is_an_error_that_says_how_to_declare_it(make_portfolio):
    tasks = VALID_TABLES["tasks"].replace(",100,", ",1,").replace(",50,", ",0.45,")
    folder = make_portfolio(tasks=tasks)
    assert messages(folder) == [
        "tasks.csv:1:percent_complete: all values lie between 0 and 1 with fractions: they look like fractions "
        "of 1, not percentages; declare percent: fraction in a profile (or write 45 for 45 %) (0.45)"]
    portfolio = load_portfolio(folder, parse_profile({"percent": "fraction"}))
    assert portfolio.tasks["percent_complete"].tolist() == [100.0, 45.0, 0.0]
    as_is = load_portfolio(folder, parse_profile({"percent": "percent"})).tasks["percent_complete"].tolist()
    assert math.isclose(as_is[1], 0.45)


def test_whole_percentages_of_0_and_1_are_not_taken_for_fractions(make_portfolio):
    tasks = VALID_TABLES["tasks"].replace(",100,", ",1,").replace(",50,", ",1,")
    assert load_portfolio(make_portfolio(tasks=tasks)).tasks["percent_complete"].tolist() == [1.0, 1.0, 0.0]


def test_files_named_in_any_case_are_read_and_others_listed(make_portfolio):
    folder = make_portfolio()
    (folder / "costs.csv").rename(folder / "Costs.csv")
    (folder / "Risk Register.csv").write_text("x\n1\n", encoding="utf-8")
    portfolio, problems = check_portfolio(folder)
    assert len(portfolio.costs) == 3
    assert [str(p) for p in problems] == [
        "file 'Risk Register.csv': not read: did you mean 'risks'? Name it risks.csv or map it in a profile "
        "(file: ...)"]


def test_a_title_above_the_headers_is_said_once(make_portfolio):
    projects = "Project list, November 2026\n\n" + VALID_TABLES["projects"]
    assert messages(make_portfolio(projects=projects))[0] == (
        "projects.csv:1: the headers seem to be on row 3, not row 1 (a title above them?): declare it in a "
        "profile (tables: {projects: {header_row: 3}})")
    portfolio = load_portfolio(make_portfolio(projects=projects),
                               parse_profile({"tables": {"projects": {"header_row": 3}}}))
    assert portfolio.projects["name"].tolist() == ["Billing revamp", "Grid sensors"]


def test_a_header_only_portfolio_is_an_error(make_portfolio):
    assert messages(make_portfolio(projects="project_id,name,program,manager\n",
                                   tasks=VALID_TABLES["tasks"].split("\n")[0] + "\n",
                                   costs="project_id,date,amount\n")) == [
        "projects.csv: no projects: the projects table has headers but no rows, so there is nothing to report"]


@pytest.mark.parametrize("header", ["Project ID;Project Name;Program;PM"])
def test_a_declared_comma_on_a_semicolon_file_says_so(make_portfolio, header):
    projects = header + "\nP1;A;D;Ann\n"
    found = messages(make_portfolio(projects=projects), parse_profile({"csv": {"delimiter": ","}}))
    assert found[0] == ("projects.csv:1: the file looks ';'-separated but was read with another separator: declare "
                        "csv: {delimiter: ';'} in a profile (missing: project_id, name, program, manager)")
