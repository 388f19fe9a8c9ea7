"""Every validation rule, each with a small bad fixture and its exact message."""

from __future__ import annotations

import pytest

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.errors import DataValidationError
from tests.conftest import VALID_TABLES


def problems_of(path):
    return [str(p) for p in check_portfolio(path)[1]]


def with_row(table: str, row: str) -> str:
    return VALID_TABLES[table] + row + "\n"


def test_valid_portfolio_has_no_problems(make_portfolio):
    assert problems_of(make_portfolio()) == []


def test_missing_required_table(make_portfolio):
    assert problems_of(make_portfolio(costs=None)) == ["costs.csv: required table 'costs' is missing"]


def test_missing_column(make_portfolio):
    text = VALID_TABLES["tasks"].replace(",budget,", ",cost,")
    assert ("tasks.csv:1:budget: required column is missing (found: project_id, task_id, name, baseline_start, "
            "baseline_finish, percent_complete, cost, is_milestone)") in problems_of(
        make_portfolio(tasks=text))


def test_bad_date(make_portfolio):
    bad = with_row("tasks", "P1,T3,Test,2024-02-30,2024-03-01,0,10,false")
    assert problems_of(make_portfolio(tasks=bad)) == [
        "tasks.csv:5:baseline_start: not a date in YYYY-MM-DD form (2024-02-30)"]


def test_date_in_another_format(make_portfolio):
    bad = with_row("costs", "P1,05/02/2024,10,Labour")
    assert problems_of(make_portfolio(costs=bad)) == ["costs.csv:5:date: not a date in YYYY-MM-DD form (05/02/2024)"]


def test_percentage_out_of_range(make_portfolio):
    bad = with_row("tasks", "P1,T3,Test,2024-02-01,2024-03-01,140,10,false")
    assert problems_of(make_portfolio(tasks=bad)) == [
        "tasks.csv:5:percent_complete: must be between 0 and 100 (140)"]


def test_negative_budget(make_portfolio):
    bad = with_row("tasks", "P1,T3,Test,2024-02-01,2024-03-01,0,-1,false")
    assert problems_of(make_portfolio(tasks=bad)) == ["tasks.csv:5:budget: must be >= 0 (-1)"]


def test_malformed_amount(make_portfolio):
    bad = with_row("costs", "P1,2024-01-26,\"1,200\",Labour")
    assert problems_of(make_portfolio(costs=bad)) == [
        "costs.csv:5:amount: not a number: a decimal comma or thousands separator needs a declaration (1,200)"]


def test_duplicate_key(make_portfolio):
    bad = with_row("tasks", "P1,T2,Build again,2024-02-01,2024-03-01,0,10,false")
    assert problems_of(make_portfolio(tasks=bad)) == [
        "tasks.csv:5:task_id: duplicate key (project_id, task_id), first on row 3 (P1, T2)"]


def test_unknown_project_reference(make_portfolio):
    bad = with_row("costs", "P7,2024-01-26,10,Labour")
    assert problems_of(make_portfolio(costs=bad)) == ["costs.csv:5:project_id: unknown project, not in projects (P7)"]


def test_unknown_resource_reference(make_portfolio):
    resources = "resource_id,name,role,capacity_hours_per_week\nR1,Ann,Developer,40\n"
    assignments = "project_id,resource_id,week_start,planned_hours\nP1,R1,2024-01-01,10\nP1,R2,2024-01-01,5\n"
    found = problems_of(make_portfolio(resources=resources, assignments=assignments))
    assert found == ["assignments.csv:3:resource_id: unknown resource, not in resources (R2)"]


def test_baseline_finish_before_start(make_portfolio):
    bad = with_row("tasks", "P1,T3,Test,2024-03-01,2024-02-01,0,10,false")
    assert problems_of(make_portfolio(tasks=bad)) == [
        "tasks.csv:5:baseline_finish: baseline_finish is before baseline_start (2024-02-01 < 2024-03-01)"]


def test_actual_finish_before_actual_start(make_portfolio):
    text = VALID_TABLES["tasks"].replace("is_milestone\n", "is_milestone,actual_start,actual_finish\n", 1)
    text = text.replace("100,400,false\n", "100,400,false,2024-01-10,2024-01-02\n")
    text = text.replace("50,600,no\n", "50,600,no,,\n").replace("0,0,yes\n", "0,0,yes,,\n")
    assert problems_of(make_portfolio(tasks=text)) == [
        "tasks.csv:2:actual_finish: actual_finish is before actual_start (2024-01-02 < 2024-01-10)"]


@pytest.mark.parametrize("bad_id", ["../../etc", "a/b", ".hidden", "x" * 65, "P 1"])
def test_project_id_that_could_name_a_path_is_refused(make_portfolio, bad_id):
    bad = with_row("projects", f"{bad_id},Escape,Digital,Eve,,active,10")
    found = problems_of(make_portfolio(projects=bad))
    assert found == [
        f"projects.csv:4:project_id: not a valid project_id: 1-64 letters, digits, '.', '_' or '-', "
        f"starting with a letter or digit ({bad_id})"]


def test_value_not_in_set(make_portfolio):
    bad = with_row("projects", "P3,Other,Digital,Eve,,paused,10")
    assert problems_of(make_portfolio(projects=bad)) == [
        "projects.csv:4:status: must be one of active, on_hold, closed, cancelled (paused)"]


def test_empty_required_value(make_portfolio):
    bad = with_row("projects", "P3,,Digital,Eve,,active,10")
    assert problems_of(make_portfolio(projects=bad)) == ["projects.csv:4:name: a value is required (empty)"]


def test_bad_boolean_and_scale(make_portfolio):
    risks = ("project_id,risk_id,title,probability,impact,status\n"
             "P1,R1,Supplier late,6,2,open\nP1,R2,Scope creep,2.5,3,Open\n")
    assert problems_of(make_portfolio(risks=risks)) == [
        "risks.csv:2:probability: must be between 1 and 5 (6)",
        "risks.csv:3:probability: not a whole number (2.5)",
    ]


def test_row_numbers_count_physical_lines_with_embedded_newlines(make_portfolio):
    text = VALID_TABLES["tasks"] + 'P1,T3,"Two\nline name",2024-02-01,2024-03-01,0,10,false\n' \
        "P1,T4,Test,2024-02-01,2024-03-01,101,10,false\n"
    assert problems_of(make_portfolio(tasks=text)) == ["tasks.csv:7:percent_complete: must be between 0 and 100 (101)"]


def test_ragged_row(make_portfolio):
    bad = with_row("costs", "P1,2024-01-26,10,Labour,extra")
    assert problems_of(make_portfolio(costs=bad)) == ["costs.csv:5: row has 5 fields but the header has 4"]


def test_all_problems_reported_at_once(make_portfolio):
    tasks = with_row("tasks", "P1,T3,Test,2024-02-30,2024-03-01,140,x,maybe")
    costs = with_row("costs", "P9,2024-01-26,ten,Labour")
    with pytest.raises(DataValidationError) as caught:
        load_portfolio(make_portfolio(tasks=tasks, costs=costs))
    assert [str(p) for p in caught.value.errors] == [
        "tasks.csv:5:baseline_start: not a date in YYYY-MM-DD form (2024-02-30)",
        "tasks.csv:5:percent_complete: must be between 0 and 100 (140)",
        "tasks.csv:5:budget: not a number (x)",
        "tasks.csv:5:is_milestone: not true/false, yes/no or 1/0 (maybe)",
        "costs.csv:5:project_id: unknown project, not in projects (P9)",
        "costs.csv:5:amount: not a number (ten)",
    ]


def test_warnings_do_not_stop_loading(make_portfolio):
    projects = VALID_TABLES["projects"].replace("active,1000", "active,900")
    tasks = VALID_TABLES["tasks"].replace("is_milestone\n", "is_milestone,actual_finish\n", 1)
    tasks = tasks.replace("100,400,false\n", "100,400,false,\n").replace("50,600,no\n", "50,600,no,2024-01-30\n")
    tasks = tasks.replace("0,0,yes\n", "0,0,yes,\n")
    portfolio = load_portfolio(make_portfolio(projects=projects, tasks=tasks))
    assert [str(w) for w in portfolio.warnings] == [
        "projects.csv:2:budget: task budgets sum above the approved budget (task budgets total 1,000.00 > approved 900.00)",
        "tasks.csv:3:percent_complete: actual_finish is set but the task is not 100 % complete (50)",
    ]
    assert all(w.severity == "warning" for w in portfolio.warnings)


def test_an_infinite_number_is_a_located_error(tmp_path):
    """``1e999`` parses as infinity: a located error, never an OverflowError or an infinite budget."""
    import csv
    import shutil

    from pmo_lib.data.loading import check_portfolio
    from tests.conftest import SAMPLE

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("history"))
    rows = list(csv.reader((folder / "changes.csv").open(encoding="utf-8")))
    column = rows[0].index("schedule_impact_days")
    rows[1][column] = "1e999"
    with (folder / "changes.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    problems = [str(p) for p in check_portfolio(folder)[1] if "finite" in str(p)]
    assert problems == ["changes.csv:2:schedule_impact_days: not a finite number (1e999)"]
