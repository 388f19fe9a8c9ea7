"""Workbooks read as their author meant them: merged cells, percent formats, times, uncalculated formulas."""

from __future__ import annotations

import datetime as dt

import openpyxl

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.data.profile import parse_profile


def _book(path, *, program_merged=True, percent_format=True, formula=False, extra_sheet=None):
    book = openpyxl.Workbook()
    projects = book.active
    projects.title = "Projects"
    projects.append(["Project ID", "Project Name", "Program", "PM"])
    for pid, name, program in [("P1", "Billing", "Digital"), ("P2", "Portal", None), ("P3", "Grid", "Energy")]:
        projects.append([pid, name, program if program_merged else (program or "Digital"), "Ann Lee"])
    if program_merged:
        projects.merge_cells("C2:C3")
    tasks = book.create_sheet("tasks")
    tasks.append(["Project ID", "Task ID", "Task Name", "Baseline Start", "Baseline Finish", "% Complete",
                  "Baseline Cost"])
    rows = [("P1", "T1", dt.datetime(2024, 1, 1, 8), dt.datetime(2024, 1, 11, 17), 0.45, 400),
            ("P2", "T1", dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1), 1, 100),
            ("P3", "T1", dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1), 0, 100)]
    for number, (pid, tid, start, finish, done, cost) in enumerate(rows, start=2):
        tasks.append([pid, tid, "Work", start, finish, done, cost])
        if percent_format:
            tasks.cell(number, 6).number_format = "0%"
    if formula:
        tasks["G4"] = "=G2/4"
    costs = book.create_sheet("costs")
    costs.append(["project_id", "date", "amount"])
    costs.append(["P1", dt.date(2024, 1, 5), 300])
    if extra_sheet:
        book.create_sheet(extra_sheet).append(["x"])
    book.save(path)
    return path


def test_merged_program_fills_its_range_and_percent_cells_read_as_percent(tmp_path):
    portfolio = load_portfolio(_book(tmp_path / "book.xlsx"))
    assert portfolio.projects["program"].tolist() == ["Digital", "Digital", "Energy"]
    assert portfolio.tasks["percent_complete"].tolist() == [45.0, 100.0, 0.0]
    assert portfolio.tasks["baseline_finish"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-11", "2024-02-01", "2024-02-01"]


def test_unformatted_fractions_in_a_workbook_are_refused_then_declared(tmp_path):
    book = _book(tmp_path / "book.xlsx", percent_format=False)
    assert [str(p) for p in check_portfolio(book)[1]] == [
        "book.xlsx[tasks]:1:percent_complete: all values lie between 0 and 1 with fractions: they look like "
        "fractions of 1, not percentages; declare percent: fraction in a profile (or write 45 for 45 %) (0.45)"]
    declared = load_portfolio(book, parse_profile({"percent": "fraction"}))
    assert declared.tasks["percent_complete"].tolist() == [45.0, 100.0, 0.0]


def test_a_formula_without_a_calculated_value_is_an_error_naming_the_cell(tmp_path):
    book = _book(tmp_path / "book.xlsx", formula=True)
    assert [str(p) for p in check_portfolio(book)[1]] == [
        "book.xlsx[tasks]:4:budget: cell G4 holds a formula without a calculated value (the workbook was not saved by "
        "Excel): open and save it in Excel, or paste values"]


def test_sheets_not_read_are_warnings_with_a_suggestion(tmp_path):
    book = _book(tmp_path / "book.xlsx", extra_sheet="Risk Register")
    assert [str(p) for p in check_portfolio(book)[1]] == [
        "book.xlsx: sheet 'Risk Register': not read: did you mean 'risks'? Name it risks or map it in a profile "
        "(sheet: ...)"]
    profile = parse_profile({"tables": {"risks": {"sheet": "Risk Register"}}})
    assert "book.xlsx[Risk Register]:1:risk_id: required column is missing (found: x)" in [
        str(p) for p in check_portfolio(book, profile)[1]]


def test_error_cells_read_as_their_code_and_columns_left_of_the_data_are_empty(tmp_path):
    """An ``#N/A`` cell is empty in a date column but text in a text column; data may start in column B."""
    book = openpyxl.Workbook()
    projects = book.active
    projects.title = "projects"
    for row in (["project_id", "name", "program", "manager"], ["P1", "#N/A", "Digital", "Ann"]):
        projects.append([None, *row])
    tasks = book.create_sheet("tasks")
    tasks.append(["project_id", "task_id", "name", "baseline_start", "baseline_finish", "percent_complete", "budget",
                  "actual_finish"])
    tasks.append(["P1", "T1", "Work", dt.date(2024, 1, 1), dt.date(2024, 1, 5), 100, 10, "#N/A"])
    for sheet, ref in ((projects, "C2"), (tasks, "H2")):
        sheet[ref].data_type = "e"
    book.create_sheet("costs").append(["project_id", "date", "amount"])
    book.save(tmp_path / "book.xlsx")
    portfolio, problems = check_portfolio(tmp_path / "book.xlsx")
    assert [str(p) for p in problems if p.is_error] == []
    assert portfolio.projects["name"].tolist() == ["#N/A"]
    assert portfolio.tasks["actual_finish"].isna().tolist() == [True]


def test_a_bad_value_after_many_batches_of_rows_is_named_with_its_sheet_row(tmp_path, monkeypatch):
    from pmo_lib.data import workbook

    monkeypatch.setattr(workbook, "_BATCH", 100)
    book = _book(tmp_path / "book.xlsx", program_merged=True)
    loaded = openpyxl.load_workbook(book)
    costs = loaded["costs"]
    for number in range(3, 1003):
        costs.append(["P1", dt.date(2024, 1, 5), "x" if number == 950 else number])
    loaded.save(book)
    portfolio, problems = check_portfolio(book)
    assert [str(p) for p in problems] == ["book.xlsx[costs]:950:amount: not a number (x)"]
    assert len(portfolio.costs) == 1001 and portfolio.costs["amount"].iloc[-1] == 1002.0
    assert portfolio.projects["program"].tolist() == ["Digital", "Digital", "Energy"]
