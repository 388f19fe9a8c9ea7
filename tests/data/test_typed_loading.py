"""Columns typed by the CSV parser: the same values and messages as the text rules, for less work.

``check_portfolio`` lets pyarrow type the number and date columns it reads cleanly
(:func:`pmo_lib.data.reading.typed_columns`); a column with any cell it cannot read, a ``nan`` or
``inf``, or a date out of range stays text, and a typed column that breaks a bound or a whole-number
rule is read again as text (:meth:`pmo_lib.data.raw.RawTable.text`). These tests pin that each
path gives what the text rules alone give: values, dtypes, and every message with the cell as written.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pandas.testing as tm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib.data.loading import check_portfolio
from pmo_lib.data.profile import parse_profile
from pmo_lib.data.reading import read_csv_table
from pmo_lib.data.validation import parse_table


def _write(folder, name: str, rows: list[list[str]]):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _both(path, name: str, profile=None):
    """The table parsed from the typed read and from the all-text read: frames and problems."""
    typed = parse_table(read_csv_table(path, name, profile, typed=True), profile)
    text = parse_table(read_csv_table(path, name, profile), profile)
    return typed, text


def test_a_clean_number_column_is_typed_by_the_parser(tmp_path):
    path = _write(tmp_path, "costs", [["project_id", "date", "amount"], ["P1", "2024-01-05", "1250.5"],
                                      ["P1", "2024-01-12", " 7 "], ["P2", "", ""]])
    raw = read_csv_table(path, "costs", typed=True)
    assert str(raw.frame["amount"].dtype) == "float64" and str(raw.frame["date"].dtype) == "datetime64[ns]"
    assert raw.frame["amount"].tolist()[:2] == [1250.5, 7.0]
    (frame, problems), (text_frame, text_problems) = _both(path, "costs")
    tm.assert_frame_equal(frame, text_frame, check_exact=True)
    assert [str(p) for p in problems] == [str(p) for p in text_problems] == [
        "costs.csv:4:date: a value is required (empty)", "costs.csv:4:amount: a value is required (empty)"]


def test_one_bad_cell_keeps_its_column_text_and_is_named_by_row_and_column(make_portfolio):
    costs = ("project_id,date,amount,category\nP1,2024-01-05,10,L\nP1,2024-01-06,1,234.5,L\n"
             "P1,2024-01-07,ten,L\nP1,2024-01-08,nan,L\nP1,2024-01-09,1e999,L\n")
    costs = costs.replace("1,234.5", '"1,234.5"')
    portfolio, problems = check_portfolio(make_portfolio(costs=costs))
    assert [str(p) for p in problems] == [
        "costs.csv:4:amount: not a number (ten)",
        "costs.csv:5:amount: not a number (nan)",
        "costs.csv:6:amount: not a finite number (1e999)",
    ]
    assert portfolio.costs["amount"].tolist()[:2] == [10.0, 1234.5]


def test_a_typed_column_that_breaks_a_bound_shows_the_cell_as_written(make_portfolio):
    tasks = ("project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget\n"
             "P1,T1,A,2024-01-01,2024-02-01,50,1000\n"
             "P1,T2,B,2024-01-01,2024-02-01,100.50,-5.00\n"
             "P2,T1,C, 2024-03-01 ,2024-02-01,0,1e2\n")
    folder = make_portfolio(tasks=tasks)
    typed = read_csv_table(folder / "tasks.csv", "tasks", typed=True).frame
    assert typed[["baseline_start", "percent_complete", "budget"]].dtypes.astype(str).tolist() == [
        "datetime64[ns]", "float64", "float64"]
    problems = [str(p) for p in check_portfolio(folder)[1]]
    assert problems == [
        "tasks.csv:3:percent_complete: must be between 0 and 100 (100.50)",
        "tasks.csv:3:budget: must be >= 0 (-5.00)",
        "tasks.csv:4:baseline_finish: baseline_finish is before baseline_start (2024-02-01 <  2024-03-01 )",
    ]


def test_a_date_column_with_mixed_forms_is_read_by_the_text_rules(tmp_path):
    path = _write(tmp_path, "costs", [["project_id", "date", "amount"], ["P1", "2024-01-05", "1"],
                                      ["P1", "2026-03-02 17:00", "2"], ["P1", "05/01/2024", "3"],
                                      ["P1", "0999-01-01", "4"]])
    raw = read_csv_table(path, "costs", typed=True)
    assert str(raw.frame["date"].dtype) == "str" and str(raw.frame["amount"].dtype) == "float64"
    (frame, problems), (text_frame, text_problems) = _both(path, "costs")
    tm.assert_frame_equal(frame, text_frame, check_exact=True)
    assert frame["date"].tolist()[:2] == [pd.Timestamp("2024-01-05"), pd.Timestamp("2026-03-02")]
    assert [str(p) for p in problems] == [str(p) for p in text_problems] == [
        "costs.csv:5:date: date outside 1678-01-01 to 2261-12-31 (0999-01-01)",
        "costs.csv:4:date: not a date in YYYY-MM-DD form (05/01/2024)"]
    profile = parse_profile({"dates": ["%d/%m/%Y"]})
    (frame, problems), _ = _both(path, "costs", profile)
    assert frame["date"].iloc[2] == pd.Timestamp("2024-01-05") and len(problems) == 1


def test_no_column_is_typed_for_a_profile_with_a_decimal_comma_and_fractions_are_scaled_first(tmp_path):
    path = _write(tmp_path, "tasks", [["project_id", "task_id", "name", "baseline_start", "baseline_finish",
                                       "percent_complete", "budget"],
                                      ["P1", "T1", "A", "2024-01-01", "2024-02-01", "0.5", "1.500"],
                                      ["P1", "T2", "B", "2024-01-01", "2024-02-01", "2", "7"]])
    comma = parse_profile({"csv": {"decimal": ",", "thousands": "."}})
    assert str(read_csv_table(path, "tasks", comma, typed=True).frame["budget"].dtype) == "str"
    fraction = parse_profile({"percent": "fraction"})
    (frame, problems), (text_frame, text_problems) = _both(path, "tasks", fraction)
    tm.assert_frame_equal(frame, text_frame, check_exact=True)
    assert [str(p) for p in problems] == [str(p) for p in text_problems] == [
        "tasks.csv:3:percent_complete: must be between 0 and 100 (2)"]


NUMBERS = ["", "1", " 2.5 ", "-3", "1e3", "0.5", "100", "101", "2.5", "nan", "inf", "1e999", "NA", "ten", "45%",
           "1,250", "+1", ".5", "5."]
DATES = ["", "2024-01-05", " 2024-01-05 ", "2024-02-30", "2024-01-05 17:30", "0999-01-01", "2300-01-01",
         "05/01/2024", "NA", "x"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_typed_read_agrees_with_the_text_read(tmp_path, data):
    """Whatever the cells, a table read with typed columns parses to what the all-text read gives."""
    rows = data.draw(st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(DATES),
                                        st.sampled_from(NUMBERS), st.sampled_from(NUMBERS)), min_size=1,
                              max_size=6))
    header = ["project_id", "task_id", "name", "baseline_start", "baseline_finish", "percent_complete", "budget"]
    body = [["P1", f"T{i}", "x", *row] for i, row in enumerate(rows)]
    path = _write(tmp_path, "tasks", [header, *body])
    (frame, problems), (text_frame, text_problems) = _both(path, "tasks")
    tm.assert_frame_equal(frame, text_frame, check_exact=True)
    assert [str(p) for p in problems] == [str(p) for p in text_problems]
