"""The exceptions pmo-reports raises, and the problems validation reports.

Every error carries a message a PMO analyst can act on: what is wrong, where
(``FILE:ROW:COLUMN`` for data, ``file: key`` for parameters), and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input data.

    Parameters
    ----------
    file : str
        The file (``tasks.csv``) or workbook sheet (``book.xlsx[tasks]``).
    row : int or None
        1-based line in the file (header = 1) or sheet row; None for the whole file.
    column : str or None
        The column the problem is in; None for a whole row or file.
    message : str
        What is wrong, in words.
    value : str or None
        The offending value as it appears in the file.
    severity : str
        ``"error"`` (the run stops) or ``"warning"`` (reported, the run goes on).

    Examples
    --------
    >>> str(Problem("tasks.csv", 7, "percent_complete", "must be between 0 and 100", "140"))
    'tasks.csv:7:percent_complete: must be between 0 and 100 (140)'
    >>> str(Problem("tasks.csv", None, None, "required table is missing"))
    'tasks.csv: required table is missing'
    """

    file: str
    row: int | None
    column: str | None
    message: str
    value: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.column is not None:
            where += f"::{self.column}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            shown = self.value.replace("\r", "\\r").replace("\n", "\\n")
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            text += f" ({shown})" if shown else " (empty)"
        return text

    @property
    def is_error(self) -> bool:
        """Whether this problem stops the run."""
        return self.severity == "error"


class PmoError(Exception):
    """Base class of every error pmo-reports raises on purpose."""

    exit_code = 2

    def _render_traceback_(self) -> list[str]:
        """How IPython shows this error in a notebook cell: one line, as the message says where and what to do.

        Examples
        --------
        >>> PmoError("status_date: '2026-13-45' is not a date")._render_traceback_()
        ["PmoError: status_date: '2026-13-45' is not a date"]
        """
        return [f"{type(self).__name__}: {self}"]


class DataSourceError(PmoError):
    """The portfolio cannot be read at all: missing folder, unreadable workbook, bad encoding."""


class DataValidationError(PmoError):
    """The portfolio was read but breaks the data contract.

    Attributes
    ----------
    problems : list of Problem
        Every problem found, errors and warnings, in file order.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the portfolio data:\n{lines}{more}")

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the run."""
        return [p for p in self.problems if p.is_error]


class ParameterError(PmoError):
    """A parameter file or a notebook's parameters are wrong."""


class ReportError(PmoError):
    """A report could not be produced."""

    exit_code = 1


class HistoryError(PmoError):
    """The snapshot store cannot be used: a bad URL, an unreachable server, a wrong schema version."""
