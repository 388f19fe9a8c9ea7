"""Bad input everywhere: random CSV content never crashes the loader, bad parameter files are clear errors.

A valid tiny portfolio (``tests/conftest.py``) gets one file, required or
optional, replaced by random bytes, random text or a random table (random
headers drawn from the contract's column names and from noise, ragged rows,
cells that look almost right). Loading it either succeeds or raises
:class:`DataValidationError`, whose every problem names a contract file and,
where given, a row inside the file and a column, or
:class:`DataSourceError`. Never anything else.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib.cli import main
from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.schema import PROJECT_ID_PATTERN, TABLE_ORDER, TABLES
from pmo_lib.errors import DataSourceError, DataValidationError
from tests.conftest import VALID_TABLES, write_tables

COLUMN_NAMES = sorted({c.name for t in TABLES.values() for c in t.columns})
ALMOST = ["", " ", "P1", "P2", "p1", "P1 ", "T1", "RES-1", "2024-01-05", "2024-02-30", "2024-1-5", "0000-01-01",
          "9999-12-31", "05/01/2024", "1e309", "-1e309", "1e-400", "nan", "NaN", "inf", "-inf", "-0", "0x10",
          "1,5", "1_000", "١٢", "100", "101", "-1", "3", "6", "2.5", "true", "YES", "maybe", "open", "closed",
          "Active", "on hold", "on-hold", "critical", "green", "Red", "None", "NULL", "#N/A", '"', '""', "\n",
          "\r\n", "\x00", "=cmd|' /C calc'!A0", "\ufeff", "P1,P2", "../../etc"]
TABLE = st.sampled_from(TABLE_ORDER)
CELL = st.one_of(st.sampled_from(ALMOST), st.text(max_size=16))
HEADER = st.one_of(st.sampled_from(COLUMN_NAMES), st.sampled_from(["", " name ", "Project_ID", "a,b", "\ufeffproject_id"]),
                   st.text(max_size=10))


@st.composite
def random_table(draw) -> bytes:
    """A CSV-shaped file: mostly contract headers, some noise; rows of any width."""
    table = draw(TABLE)
    wanted = [c.name for c in TABLES[table].columns if draw(st.booleans()) or c.required]
    header = draw(st.lists(HEADER, max_size=4)) + wanted
    header = draw(st.permutations(header))
    rows = draw(st.lists(st.lists(CELL, min_size=max(0, len(header) - 1), max_size=len(header) + 1), max_size=8))
    buffer = io.StringIO()
    if draw(st.booleans()):
        csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows([header, *rows])
    else:  # written by hand, without quoting: commas and quotes in cells break the shape
        buffer.write("\n".join(",".join(row) for row in [header, *rows]))
    return draw(st.sampled_from(["", "\ufeff"])).encode() + buffer.getvalue().encode("utf-8")


CONTENT = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(lambda t: t.encode("utf-8")),
    random_table(),
)


def check_loading(folder: Path) -> None:
    lines = {name: (folder / f"{name}.csv").read_bytes().count(b"\n") + (folder / f"{name}.csv").read_bytes().count(b"\r") + 2
             for name in TABLE_ORDER if (folder / f"{name}.csv").exists()}
    try:
        portfolio = load_portfolio(folder)
    except DataValidationError as exc:
        assert exc.errors, "a DataValidationError without an error"
        for problem in exc.problems:
            name = problem.file.removesuffix(".csv")
            assert name in TABLE_ORDER and problem.file.endswith(".csv"), problem
            assert problem.row is None or 1 <= problem.row <= lines.get(name, 1), (problem, lines)
            assert problem.column is None or isinstance(problem.column, str), problem
            assert problem.message and str(problem).startswith(problem.file), problem
        return
    except DataSourceError as exc:
        assert ".csv" in str(exc), exc  # names the file it could not read
        return
    assert portfolio.projects["project_id"].map(lambda v: bool(PROJECT_ID_PATTERN.match(v))).all()


@pytest.mark.e2e  # 400 random portfolios: about 40 s of CPU, left to the full suite
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(table=TABLE, content=CONTENT)
def test_random_content_in_any_file_loads_or_is_a_located_error(table, content):
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_tables(Path(scratch), VALID_TABLES)
        (folder / f"{table}.csv").write_bytes(content)
        check_loading(folder)


@pytest.mark.e2e  # 200 random rows: about 20 s of CPU, left to the full suite
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.sampled_from(["projects", "tasks", "costs"]), row=st.lists(CELL, min_size=1, max_size=14))
def test_a_random_row_appended_to_a_valid_table_is_a_located_error_or_fine(table, row):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_tables(Path(scratch), {**VALID_TABLES, table: VALID_TABLES[table] + buffer.getvalue()})
        check_loading(folder)


# --- parameter files through the command line ----------------------------------------------------------

@pytest.mark.parametrize("content, says", [
    ("rag_thresholds:\n  spi: {gren: 0.9}\n", "unknown key 'rag_thresholds.spi.gren' (did you mean 'green'?)"),
    ("portfolio_nam: X\n", "unknown key 'portfolio_nam' (did you mean 'portfolio_name'?)"),
    ("workers: many\n", "workers: Input should be a valid integer"),
    ("currency: euro\n", "currency: String should match pattern"),
    ("rag_thresholds: [1, 2\n", "not valid YAML"),
    ("- just\n- a list\n", "the file must hold a mapping of keys to values"),
    ("reports:\n  - {name: '../x', notebook: n.ipynb, scope: project}\n", "reports.0.name"),
    ("!!python/object/apply:os.system ['touch /tmp/pmo-pwned']\n", "not valid YAML"),
    ("\xff\xfe", "cannot be read"),
])
def test_a_bad_parameter_file_is_a_clear_error_and_exit_2(make_portfolio, tmp_path, content, says):
    params = tmp_path / "bad.yaml"
    params.write_bytes(content.encode("latin-1") if content.startswith("\xff") else content.encode("utf-8"))
    out = tmp_path / "output" / "2024-01-20"
    result = CliRunner().invoke(main, ["run", "--data", str(make_portfolio()), "--status-date", "2024-01-20",
                                       "--params", str(params), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {params}"), result.output
    assert says in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not Path("/tmp/pmo-pwned").exists()


# --- the defects the fuzzing found, kept as examples ------------------------------------------------------

def messages(folder: Path) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        load_portfolio(folder)
    return [str(p) for p in caught.value.errors]


def test_a_repeated_column_name_is_an_error_at_its_header(make_portfolio):
    projects = VALID_TABLES["projects"].replace("project_id,name,", "project_id,name,name,", 1).replace(
        "P1,Billing revamp,", "P1,Billing revamp,Other,").replace("P2,Grid sensors,", "P2,Grid sensors,Other,")
    assert messages(make_portfolio(projects=projects)) == [
        "projects.csv:1:name: the column name appears twice (columns 2 and 3): rename or remove one"]
    blank = "project_id,,,name\nP1,,,x\n"  # columns without a name are extra columns: ignored
    assert not load_portfolio(make_portfolio(projects=VALID_TABLES["projects"].replace("\n", ",,\n"))).warnings
    assert "projects.csv:1:program: required column is missing (found: project_id, name)" in messages(
        make_portfolio(projects=blank))


def test_a_repeated_column_name_in_a_workbook_is_an_error(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, text in VALID_TABLES.items():
        sheet = book.create_sheet(name)
        for record in csv.reader(io.StringIO(text)):
            sheet.append(record + (["again"] if name == "costs" else []))
    book["costs"].cell(1, 5).value = "amount"
    book.save(tmp_path / "book.xlsx")
    assert messages(tmp_path / "book.xlsx") == [
        "book.xlsx[costs]:1:amount: the column name appears twice (columns 3 and 5): rename or remove one"]


def test_a_date_a_timestamp_cannot_hold_is_an_error_not_a_crash(make_portfolio):
    tasks = VALID_TABLES["tasks"].replace("2024-01-31", "9999-12-31").replace("2024-02-01,2024-02-01",
                                                                                "0000-01-01,2024-02-01")
    assert messages(make_portfolio(tasks=tasks)) == [
        "tasks.csv:3:baseline_finish: date outside 1678-01-01 to 2261-12-31 (9999-12-31)",
        "tasks.csv:4:baseline_start: date outside 1678-01-01 to 2261-12-31 (0000-01-01)"]


def test_a_key_with_a_missing_part_repeated_is_an_error_not_a_crash(make_portfolio):
    updates = "project_id,status_date,summary\nP1,,first\nP1,,second\n"
    found = messages(make_portfolio(status_updates=updates))
    assert "status_updates.csv:2:status_date: a value is required (empty)" in found
    assert "status_updates.csv:3:status_date: duplicate key (project_id, status_date), first on row 2 (P1, )" in found
