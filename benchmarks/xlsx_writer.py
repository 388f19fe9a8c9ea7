"""Write a portfolio's CSV folder as one ``.xlsx`` workbook, fast, for the loading benchmark.

openpyxl needs minutes for the million-row workbooks the benchmark reads, so the sheets are
written as SpreadsheetML directly: typed cells as a spreadsheet user has them (numbers as
numbers, dates as date cells, ``percent_complete`` as a percentage-formatted fraction, text
as inline strings), one sheet per table, streamed row by row into the zip file.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from pmo_lib.data.schema import TABLE_ORDER, TABLES

_EPOCH = dt.date(1899, 12, 30)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>'
)
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '</styleSheet>'
)
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _letters(number: int) -> str:
    text = ""
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _cell(ref: str, kind: str, column: str, text: str) -> str:
    if text == "":
        return ""
    if kind == "date":
        serial = (dt.date.fromisoformat(text) - _EPOCH).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    if kind in ("number", "integer"):
        if column == "percent_complete":
            return f'<c r="{ref}" s="2"><v>{float(text) / 100!r}</v></c>'
        return f'<c r="{ref}"><v>{text}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def write_workbook(folder: Path, book: Path) -> Path:
    """Write every ``<table>.csv`` of ``folder`` as a sheet of ``book`` (written to a temporary name first)."""
    names = [n for n in TABLE_ORDER if (folder / f"{n}.csv").exists()]
    partial = book.with_name(book.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
                            for i in range(1, len(names) + 1))
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=overrides))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                            f'<workbook {_MAIN} {_R}><sheets>{sheets}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
        rels += (f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                 f'2006/relationships/styles" Target="styles.xml"/>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         f'{rels}</Relationships>')
        for index, name in enumerate(names, 1):
            kinds = {c.name: c.kind for c in TABLES[name].columns}
            with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as source, \
                    archive.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as sheet:
                rows = csv.reader(source)
                header = next(rows)
                letters = [_letters(i) for i in range(1, len(header) + 1)]
                sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_MAIN}>'
                            '<sheetData>'.encode())
                head = "".join(_cell(f"{letter}1", "text", h, h) for letter, h in zip(letters, header))
                sheet.write(f'<row r="1">{head}</row>'.encode())
                columns = [(letter, kinds.get(h, "text"), h) for letter, h in zip(letters, header)]
                buffer = []
                for number, record in enumerate(rows, start=2):
                    cells = "".join(_cell(f"{letter}{number}", kind, column, text)
                                    for (letter, kind, column), text in zip(columns, record))
                    buffer.append(f'<row r="{number}">{cells}</row>')
                    if len(buffer) >= 5000:
                        sheet.write("".join(buffer).encode())
                        buffer.clear()
                sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())
    partial.replace(book)
    return book
