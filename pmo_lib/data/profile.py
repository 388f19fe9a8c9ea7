"""Import profiles: how to read a source that is not in the contract's own shape.

A profile is a small YAML file given with ``--profile FILE`` (or ``profile:`` in a parameters
file). It says where each table is (a file, a sheet or a database table), which header feeds
which contract column, constants for columns the source lacks, and how the source writes
numbers and dates. Everything it does not say keeps the forgiving defaults (see
``docs/data.md``). Unknown keys and unknown target columns are errors, one line each, with a
suggestion.

Examples
--------
>>> profile = parse_profile({"tables": {"tasks": {"sheet": "Task_Table1",
...                                              "columns": {"% Complete": "percent_complete"},
...                                              "constants": {"project_id": "P-100"}}},
...                          "dates": ["%d/%m/%Y"], "percent": "fraction"}, source="p.yaml")
>>> profile.tables["tasks"].sheet, profile.percent
('Task_Table1', 'fraction')
>>> parse_profile({"tables": {"tasks": {"columns": {"Done": "percent_complet"}}}}, source="p.yaml")
Traceback (most recent call last):
...
pmo_lib.errors.DataSourceError: p.yaml: tables.tasks.columns: 'Done' maps to unknown column 'percent_complet' (did you mean 'percent_complete'?)
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pmo_lib.data.schema import TABLE_ORDER, TABLES
from pmo_lib.errors import DataSourceError
from pmo_lib.files import read_yaml
from pmo_lib.parameters import describe_errors


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableProfile(_Strict):
    """Where one table is and how its headers map onto the contract."""

    file: str | None = None
    """CSV file in the data folder (``Project list.csv``)."""
    sheet: str | None = None
    """Workbook sheet (``Task_Table1``)."""
    table: str | None = None
    """Database table or view (``v_pmo_tasks``)."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Header as written -> contract column."""
    constants: dict[str, str] = Field(default_factory=dict)
    """Contract column -> one value for every row (a file holding one project's tasks)."""
    header_row: int | None = Field(default=None, ge=1)
    """This table's header row, where it differs from the profile's ``header_row``."""


class CsvProfile(_Strict):
    """How CSV files are written."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'", "\u00a0", "\u202f"] | None = None

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value):
        if value is not None and len(value) != 1:
            raise ValueError("must be one character, such as ';' or ','")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value):
        import codecs

        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(f"unknown encoding {value!r} (utf-8, cp1252, latin-1, ...)") from None
        return value

    @model_validator(mode="after")
    def _distinct(self):
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"thousands and decimal are both {self.decimal!r}")
        return self


class ScheduleProfile(_Strict):
    """How MS Project and Primavera schedules become tasks."""

    baseline: int = Field(default=0, ge=0, le=10)
    """0 for *Baseline*, 1-10 for *Baseline1*-*Baseline10*: baseline dates and budgets."""
    percent_complete: Literal["percent", "physical"] = "percent"
    """The task's % complete, or its physical % complete."""


class Profile(_Strict):
    """An import profile (see the module docstring and ``docs/data.md``)."""

    tables: dict[str, TableProfile] = Field(default_factory=dict)
    csv: CsvProfile = CsvProfile()
    dates: list[str] = Field(default_factory=list)
    """Date formats tried after ISO ``YYYY-MM-DD``: ``["%d/%m/%Y"]``."""
    percent: Literal["auto", "percent", "fraction"] = "auto"
    """percent_complete: ``percent`` (0-100), ``fraction`` (0-1) or ``auto`` (0-100, fractions refused)."""
    na_values: list[str] = Field(default_factory=list)
    """More words meaning "empty" in date and number columns (``NA``, ``N/A``, ``#N/A`` always are)."""
    header_row: int = Field(default=1, ge=1)
    """The row holding the headers (rows above it, such as a title, are skipped)."""
    schedule: ScheduleProfile = ScheduleProfile()
    """MS Project / Primavera files: which baseline, which % complete."""

    @field_validator("dates")
    @classmethod
    def _formats(cls, value):
        for fmt in value:
            if "%" not in fmt:
                raise ValueError(f"{fmt!r} is not a date format such as '%d/%m/%Y'")
        return value

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, value):
        for name in value:
            if name not in TABLES:
                close = difflib.get_close_matches(name, TABLE_ORDER, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (tables: {', '.join(TABLE_ORDER)})"
                raise ValueError(f"unknown table '{name}'{hint}")
        return value

    def table(self, name: str) -> TableProfile:
        """The profile of table ``name`` (an empty one where the profile says nothing)."""
        return self.tables.get(name) or TableProfile()

    def header_row_of(self, name: str) -> int:
        """The row holding table ``name``'s headers."""
        return self.table(name).header_row or self.header_row


DEFAULT_PROFILE = Profile()


def _column_problems(profile: Profile, source: str) -> list[str]:
    lines = []
    for name, spec in profile.tables.items():
        names = TABLES[name].names
        pairs = [("columns", header, target) for header, target in spec.columns.items()]
        pairs += [("constants", target, target) for target in spec.constants]
        for part, header, target in pairs:
            if target in names:
                continue
            close = difflib.get_close_matches(target, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (columns: {', '.join(names)})"
            what = f"'{header}' maps to unknown column '{target}'" if part == "columns" else \
                f"unknown column '{target}'"
            lines.append(f"{source}: tables.{name}.{part}: {what}{hint}")
    return lines


def parse_profile(values, *, source: str = "profile") -> Profile:
    """Check a profile mapping and return it.

    Raises
    ------
    DataSourceError
        One line per unknown key, unknown table or unknown target column, each naming the
        source and suggesting the nearest known name.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise DataSourceError(f"{source}: a profile must hold a mapping of keys (tables, csv, dates, ...)")
    try:
        profile = Profile(**values)
    except ValidationError as exc:
        raise DataSourceError(describe_errors(exc, source=source, model=Profile)) from None
    lines = _column_problems(profile, source)
    if lines:
        raise DataSourceError("\n".join(lines))
    return profile


def load_profile(path: str | Path | Profile | None) -> Profile:
    """Read a profile YAML file (None: the default, forgiving profile).

    Raises
    ------
    DataSourceError
        The file is missing, not YAML, or names unknown keys or columns.
    """
    if path is None:
        return DEFAULT_PROFILE
    if isinstance(path, Profile):
        return path
    file = Path(path)
    return parse_profile(read_yaml(file, error=DataSourceError, what="profile"), source=str(file))
