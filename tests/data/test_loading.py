"""Loading: typed tables from CSV folders and workbooks, empty optional tables."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.schema import TABLE_ORDER, empty_frame_dtypes
from pmo_lib.errors import DataSourceError, DataValidationError
from tests.conftest import SAMPLE


def test_types_of_loaded_tables(make_portfolio):
    portfolio = load_portfolio(make_portfolio())
    tasks = portfolio.tasks
    assert str(tasks["baseline_start"].dtype) == "datetime64[ns]"
    assert tasks["budget"].dtype == "float64"
    assert tasks["is_milestone"].tolist() == [False, False, True]
    assert portfolio.costs["amount"].tolist() == [300.0, 250.5, -50.0]
    assert list(portfolio.projects["program"]) == ["Digital", "Unassigned"]
    assert list(portfolio.projects["status"]) == ["active", "active"]
    assert isinstance(portfolio.projects["status"].dtype, pd.CategoricalDtype)
    assert list(portfolio.projects["status"].cat.categories) == ["active", "on_hold", "closed", "cancelled"]


def test_optional_tables_absent_are_empty_with_columns(make_portfolio):
    portfolio = load_portfolio(make_portfolio())
    assert portfolio.supplied == frozenset({"projects", "tasks", "costs"})
    assert not portfolio.has("risks")
    for name in ("risks", "issues", "resources", "assignments", "changes", "status_updates", "demand"):
        frame = portfolio.table(name)
        assert len(frame) == 0
        assert list(frame.columns) == list(empty_frame_dtypes(name))


def test_extra_columns_are_kept_after_the_contract(make_portfolio):
    projects = "project_id,name,program,manager,region\nP1,A,D,Ann,North\nP2,B,D,Bo,South\n"
    portfolio = load_portfolio(make_portfolio(projects=projects))
    assert list(portfolio.projects.columns)[-1] == "region"
    assert portfolio.projects["region"].tolist() == ["North", "South"]


def _write_workbook(folder, target, *, as_text=False):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in TABLE_ORDER:
        file = folder / f"{name}.csv"
        if not file.exists():
            continue
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append([_typed(v) if not as_text else v for v in record])
    book.save(target)
    return target


def _typed(value: str):
    """Cells as a spreadsheet user would type them: numbers and dates typed."""
    try:
        return pd.Timestamp(value).to_pydatetime() if len(value) == 10 and value[4] == "-" else float(value)
    except ValueError:
        return value


def test_workbook_loads_like_the_csv_folder(make_portfolio, tmp_path):
    folder = make_portfolio()
    from_csv = load_portfolio(folder)
    from_book = load_portfolio(_write_workbook(folder, tmp_path / "book.xlsx"))
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(from_csv.table(name), from_book.table(name))


def test_sample_loads_from_csv_and_workbook_alike(tmp_path):
    from_csv = load_portfolio(SAMPLE)
    assert len(from_csv.projects) == 24
    from_book = load_portfolio(_write_workbook(SAMPLE, tmp_path / "sample.xlsx", as_text=True))
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(from_csv.table(name), from_book.table(name))


def test_workbook_errors_name_the_sheet_row(make_portfolio, tmp_path):
    book = _write_workbook(make_portfolio(), tmp_path / "book.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook["tasks"]["F3"] = 250  # percent_complete of the second task
    workbook.save(book)
    with pytest.raises(DataValidationError) as caught:
        load_portfolio(book)
    assert [str(p) for p in caught.value.errors] == [
        "book.xlsx[tasks]:3:percent_complete: must be between 0 and 100 (250)"]


def test_missing_folder_is_a_source_error(tmp_path):
    with pytest.raises(DataSourceError, match="no such folder or file"):
        load_portfolio(tmp_path / "nowhere")


def test_unreadable_workbook(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(DataSourceError, match=r"broken.xlsx: the workbook cannot be opened"):
        load_portfolio(bad)


def test_windows_1252_csv_is_read_with_a_warning_naming_the_file(make_portfolio):
    folder = make_portfolio()
    (folder / "projects.csv").write_bytes(
        b"project_id,name,program,manager\nP1,Caf\xe9 app \x80,D,Ann\nP2,B,D,Bo\n")
    portfolio = load_portfolio(folder)
    assert portfolio.projects.loc[0, "name"] == "Café app €"
    assert [str(w) for w in portfolio.warnings] == [
        "projects.csv: not UTF-8: read as Windows-1252 (cp1252); save it as CSV UTF-8, or declare "
        "csv: {encoding: cp1252} in a profile to silence this"]


def test_csv_in_no_readable_encoding_names_file_and_line(make_portfolio):
    folder = make_portfolio()
    (folder / "projects.csv").write_bytes(
        b"project_id,name,program,manager\nP1,Caf\xe9 app\x81,D,Ann\nP2,B,D,Bo\n")
    with pytest.raises(DataSourceError) as caught:
        load_portfolio(folder)
    assert str(caught.value).endswith("projects.csv:2: not UTF-8 text (byte 0xE9); save the file as CSV UTF-8")


def test_utf8_bom_and_unicode_text(make_portfolio):
    folder = make_portfolio()
    text = "project_id,name,program,manager\nP1,Zoë <&> \"quoted\",D,José\nP2,B,D,Bo\n"
    (folder / "projects.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    portfolio = load_portfolio(folder)
    assert portfolio.projects.loc[0, "name"] == 'Zoë <&> "quoted"'
    assert portfolio.projects.loc[0, "manager"] == "José"
