"""A blank portfolio workbook to fill in: the contract's sheets, headers, an example row, drop-downs.

Required headers are bold; each category column offers its words as a drop-down list,
booleans offer ``true``/``false`` and 1–5 scales accept whole numbers from 1 to 5 only. The
example row of each sheet comes from the sample generator, so it always fits the contract
(``pmo-report validate`` accepts the template as written).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.files import write_bytes

EXAMPLE_DATE = dt.date(2026, 11, 20)
TEMPLATE_ROWS = 2000
"""Rows the drop-down lists and number checks cover."""


def example_rows() -> dict[str, dict[str, str]]:
    """One consistent example row per table (as text), from a one-project generated portfolio."""
    from pmo_lib.data.sample import generate_portfolio

    tables = generate_portfolio(projects=1, seed=7, status_date=EXAMPLE_DATE)
    rows = {}
    for name in TABLE_ORDER:
        frame = tables.get(name)
        if name == "assignments" and frame is not None and "resources" in rows:  # one that fits the example
            frame = frame[frame["resource_id"].astype(str) == rows["resources"]["resource_id"]]
        if frame is not None and len(frame):
            first = frame.iloc[0]
            rows[name] = {c: _text(first[c]) if c in frame.columns else "" for c in TABLES[name].names}
    return rows


def _text(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_template(path: Path) -> Path:
    """Write the blank workbook to ``path`` (atomically) and return it.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> book = write_template(pathlib.Path(tempfile.mkdtemp()) / "portfolio.xlsx")
    >>> openpyxl.load_workbook(book).sheetnames[:3]
    ['projects', 'tasks', 'costs']
    """
    import io

    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    examples = example_rows()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in TABLE_ORDER:
        spec = TABLES[name]
        sheet = book.create_sheet(name)
        sheet.append(spec.names)
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(1, index)
            cell.font = Font(bold=column.required)
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.name) + 2)
        if name in examples:
            sheet.append([examples[name][c] for c in spec.names])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            rule = _rule(column, DataValidation)
            if rule is not None:
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    buffer = io.BytesIO()
    book.save(buffer)
    write_bytes(path, buffer.getvalue())
    return path


def _rule(column, DataValidation):
    if column.kind == "category":
        return DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                              error=f"{column.name}: one of {', '.join(column.choices)}", showErrorMessage=True)
    if column.kind == "bool":
        return DataValidation(type="list", formula1='"true,false"', allow_blank=True)
    if column.kind == "integer" and column.minimum is not None and column.maximum is not None:
        return DataValidation(type="whole", operator="between", formula1=str(int(column.minimum)),
                              formula2=str(int(column.maximum)), allow_blank=True, showErrorMessage=True,
                              error=f"{column.name}: a whole number from {int(column.minimum)} to "
                                    f"{int(column.maximum)}")
    return None
