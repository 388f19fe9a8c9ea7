"""The predecessors column: links read in every documented form, checked against the project's tasks."""

from __future__ import annotations

import pytest

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.data.predecessors import Link, format_link, parse_predecessors
from tests.conftest import VALID_TABLES

TASKS = (
    "project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget,predecessors\n"
    "P1,T1,Design,2024-01-01,2024-01-11,100,400,\n"
    "P1,T2,Build,2024-01-11,2024-01-31,50,600,T1FS+2d\n"
    "P1,T3,Test,2024-01-20,2024-01-31,0,0,\"T1SS; T2FF-4 hrs\"\n"
    "P2,T1,Go-live,2024-02-01,2024-02-01,0,0,\n"
)


@pytest.mark.parametrize("text, links", [
    ("", []),
    ("T-002FS+2d;T-005SS", [Link("T-002", "FS", 2.0, "d"), Link("T-005", "SS")]),
    ("3,5FS+2 days", [Link("3"), Link("5", "FS", 2.0, "d")]),
    ("7SF-1 wk; 8FF+50%", [Link("7", "SF", -1.0, "w"), Link("8", "FF", 50.0, "%")]),
    ("9FS+3 edays;10FS+0.5mo", [Link("9", "FS", 3.0, "ed"), Link("10", "FS", 0.5, "mo")]),
    ("Class", [Link("Class")]),  # the type is in capitals: a task called Class
    ("CLASS", [Link("CLA", "SS")]),  # unless the project has a task called CLASS (below)
])
def test_links_in_every_documented_form(text, links):
    assert parse_predecessors(text) == links


def test_a_whole_link_that_is_a_task_id_is_that_task():
    assert parse_predecessors("CLASS;CLASSFS+1d", task_ids=frozenset({"CLASS"})) == [
        Link("CLASS"), Link("CLASS", "FS", 1.0, "d")]


def test_format_round_trips():
    for link in (Link("T-002", "FS", 2.0, "d"), Link("5", "SS"), Link("9", "FF", -0.5, "ew")):
        assert parse_predecessors(format_link(link.task_id, link.type, link.lag, link.unit)) == [link]


def test_a_csv_portfolio_with_predecessors_loads_them_as_text(make_portfolio):
    tasks = load_portfolio(make_portfolio(tasks=TASKS)).tasks
    assert tasks["predecessors"].tolist() == ["", "T1FS+2d", "T1SS; T2FF-4 hrs", ""]


def test_without_the_column_every_task_has_none(make_portfolio):
    assert load_portfolio(make_portfolio()).tasks["predecessors"].tolist() == ["", "", ""]


def test_an_unknown_or_own_predecessor_is_an_error_naming_file_row_and_column(make_portfolio):
    bad = TASKS.replace("T1FS+2d", "T9FS+2d").replace("P2,T1,Go-live,2024-02-01,2024-02-01,0,0,",
                                                     "P2,T1,Go-live,2024-02-01,2024-02-01,0,0,T2;T1")
    _, problems = check_portfolio(make_portfolio(tasks=bad))
    assert [str(p).split(" (links look like")[0] for p in problems if p.is_error] == [
        "tasks.csv:3:predecessors: unknown predecessor task 'T9': not a task of project P1",
        "tasks.csv:5:predecessors: a task cannot be its own predecessor (T1)",
        "tasks.csv:5:predecessors: unknown predecessor task 'T2': not a task of project P2",
    ]
    assert str(problems[0]).endswith("(links look like T-002FS+2d;T-005SS: a task id of the project, FS/SS/FF/SF, "
                                     "a lag such as +2d, -4h, +50%) (T9FS+2d)")
    assert VALID_TABLES["tasks"].count("\n") == 4  # the fixture this test edits
