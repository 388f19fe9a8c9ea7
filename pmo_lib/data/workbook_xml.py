"""What a workbook's cell values do not say, read from its XML in streamed chunks.

python-calamine (:mod:`pmo_lib.data.workbook`) gives every cell's value but not its number
format, an error cell's code, or whether a formula was ever calculated. Those come from the
sheet's XML, read in chunks of a few MB (never the whole sheet in memory) and searched only
where a chunk can hold what is looked for:

- cells whose style is a percentage format (``0%``, ``0.0%``): the styles part says which
  styles those are; a workbook without one pays nothing;
- error cells (``#N/A``, ``#DIV/0!``), whose code becomes their text, as Excel shows it;
- formulas without a calculated value (a workbook written by a program, never saved by Excel).

Examples
--------
>>> column_number(b"AB"), split_ref(b"C12")
(28, (12, 3))
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

_CHUNK = 1 << 22
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PERCENT_BUILTIN = {9, 10}
"""Excel's built-in number formats ``0%`` and ``0.00%``."""

_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bt="e"[^>]*?)>(.*?)</(?:\w+:)?c>', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)")


@dataclass
class SheetNotes:
    """Per sheet row (1-based), the cells (1-based column) that need more than their value."""

    percent: dict[int, set[int]] = field(default_factory=dict)
    errors: dict[int, dict[int, str]] = field(default_factory=dict)
    formulas: list[tuple[int, int, str]] = field(default_factory=list)
    """``(row, column, reference)`` of each formula without a calculated value."""


def column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def split_ref(ref: bytes) -> tuple[int, int]:
    """``(row, column)``, both 1-based, of a cell reference such as ``b"C12"``."""
    letters = ref.rstrip(b"0123456789")
    return int(ref[len(letters):]), column_number(letters)


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the path of its XML part in the archive."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PACKAGE_REL}Relationship")}
    paths = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join("xl", target))
    return paths


def percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell style indexes (``s`` attribute) whose number format shows a percentage."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{_MAIN}numFmt")}
    percent = _PERCENT_BUILTIN | {number for number, code in custom.items() if "%" in code}
    found = set()
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(cell_formats if cell_formats is not None else []):
        if int(xf.get("numFmtId", 0)) in percent:
            found.add(index)
    return found


def _chunks(archive: zipfile.ZipFile, path: str):
    """The part's XML in chunks, each ending on a tag boundary."""
    with archive.open(path) as handle:
        carry = b""
        while True:
            block = handle.read(_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block
            cut = data.rfind(b"</")
            cut = data.find(b">", cut) + 1 if cut >= 0 else 0
            if cut <= 0:
                carry = data
                continue
            yield data[:cut]
            carry = data[cut:]


def sheet_notes(archive: zipfile.ZipFile, path: str, percent: set[int]) -> SheetNotes:
    """Percent-formatted cells, error cells and uncalculated formulas of one sheet, in one streamed pass."""
    notes = SheetNotes()
    styled = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bs="(?:' + b"|".join(str(s).encode() for s in sorted(percent))
                        + rb')"[^>]*?)/?>') if percent and 0 not in percent else None
    markers = [f's="{s}"'.encode() for s in percent]
    for chunk in _chunks(archive, path):
        if 0 in percent:  # the default style is a percentage: every cell must be looked at
            for attributes, _ in _CELL.findall(chunk):
                style = _STYLE.search(attributes)
                if style is None or int(style.group(1)) in percent:
                    _add_percent(notes, attributes)
        elif styled is not None and any(m in chunk for m in markers):
            for attributes in styled.findall(chunk):
                _add_percent(notes, attributes)
        if b't="e"' in chunk:
            for attributes, body in _ERROR_CELL.findall(chunk):
                ref, value = _REF.search(attributes), _VALUE.search(body)
                if ref and value:
                    row, column = int(ref.group(2)), column_number(ref.group(1))
                    notes.errors.setdefault(row, {})[column] = value.group(1).decode("utf-8", "replace")
        if b"<f" in chunk or b":f" in chunk:
            for attributes, body in _CELL.findall(chunk):
                if body and _FORMULA.search(body) and not _VALUE.search(body):
                    ref = _REF.search(attributes)
                    if ref:
                        notes.formulas.append((int(ref.group(2)), column_number(ref.group(1)),
                                               (ref.group(1) + ref.group(2)).decode()))
    return notes


def _add_percent(notes: SheetNotes, attributes: bytes) -> None:
    ref = _REF.search(attributes)
    if ref:
        notes.percent.setdefault(int(ref.group(2)), set()).add(column_number(ref.group(1)))
