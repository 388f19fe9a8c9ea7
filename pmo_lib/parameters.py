"""Run parameters: one YAML file, checked before anything runs.

The default file is ``parameters/defaults.yaml``. A parameter file may name
only the keys it changes; everything else keeps its default. An unknown or
misspelt key is an error that names the file and the key and suggests the
nearest known key. YAML is read with the safe loader. Secrets (SMTP
credentials) never live here: they come from the environment.

Examples
--------
>>> params = RunParameters()
>>> params.rag_thresholds.spi.green
0.95
>>> parse_parameters({"rag_thresholds": {"spi": {"gren": 0.9}}}, source="p.yaml")
Traceback (most recent call last):
...
pmo_lib.errors.ParameterError: p.yaml: unknown key 'rag_thresholds.spi.gren' (did you mean 'green'?)
"""

from __future__ import annotations

import datetime as dt
import difflib
import typing
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pmo_lib.errors import ParameterError
from pmo_lib.files import read_yaml
from pmo_lib.formatting import NumberFormat

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PARAMETERS = PROJECT_ROOT / "parameters" / "defaults.yaml"


THRESHOLD_RANGE = (0.0, 2.0)  # an index of 2 is twice the plan: thresholds beyond it are mistakes
MAX_WINDOW_DAYS = 3650  # ten years
# The data's dates are 1678-01-01..2261-12-31 (what pandas can hold); a status date leaves room for any
# window (ten years) and a year more for forecasts on either side.
FIRST_STATUS_DATE, LAST_STATUS_DATE = dt.date(1690, 1, 1), dt.date(2250, 12, 31)


def check_status_date(status_date: dt.date, *, source: str = "status date") -> dt.date:
    """A status date every window and forecast can use, or a ParameterError naming the range.

    Examples
    --------
    >>> check_status_date(dt.date(2026, 11, 20))
    datetime.date(2026, 11, 20)
    >>> check_status_date(dt.date(2300, 1, 1), source="--status-date")
    Traceback (most recent call last):
    ...
    pmo_lib.errors.ParameterError: --status-date 2300-01-01: outside the dates the metrics can use (1690-01-01 to 2250-12-31)
    """
    if not FIRST_STATUS_DATE <= status_date <= LAST_STATUS_DATE:
        raise ParameterError(f"{source} {status_date.isoformat()}: outside the dates the metrics can use "
                             f"({FIRST_STATUS_DATE.isoformat()} to {LAST_STATUS_DATE.isoformat()})")
    return status_date


MAX_SPAN_YEARS = 250  # day counts are int64 nanoseconds (292 years): keep every difference well inside


def check_status_date_span(status_date: dt.date, dates: tuple | None, *, source: str = "--status-date") -> None:
    """The status date must lie within MAX_SPAN_YEARS of every date in the data (``dates``: first, last).

    Examples
    --------
    >>> check_status_date_span(dt.date(2026, 11, 20), (dt.date(2025, 1, 6), dt.date(2027, 3, 1)))
    >>> check_status_date_span(dt.date(1700, 1, 1), (dt.date(2025, 1, 6), dt.date(2027, 3, 1)))
    Traceback (most recent call last):
    ...
    pmo_lib.errors.ParameterError: --status-date 1700-01-01: 327 years from the data's dates (2025-01-06 to 2027-03-01); the metrics span at most 250 years
    """
    if not dates:
        return
    first, last = (d.date() if hasattr(d, "date") and callable(d.date) else d for d in dates)
    years = max((status_date - first).days, (last - status_date).days) / 365.25
    if years > MAX_SPAN_YEARS:
        raise ParameterError(f"{source} {status_date.isoformat()}: {years:.0f} years from the data's dates "
                             f"({first.isoformat()} to {last.isoformat()}); the metrics span at most "
                             f"{MAX_SPAN_YEARS} years")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class Band(_Strict):
    """Index thresholds: ``green`` if value >= green, ``amber`` if >= amber, else red (each 0 to 2)."""

    green: FiniteFloat = Field(0.95, ge=THRESHOLD_RANGE[0], le=THRESHOLD_RANGE[1])
    amber: FiniteFloat = Field(0.85, ge=THRESHOLD_RANGE[0], le=THRESHOLD_RANGE[1])

    @model_validator(mode="after")
    def _ordered(self):
        if self.amber > self.green:
            raise ValueError(f"amber ({self.amber}) must not be above green ({self.green})")
        return self


class RagThresholdParameters(_Strict):
    """RAG thresholds for the schedule (SPI) and cost (CPI) indices."""

    spi: Band = Band()
    cpi: Band = Band()


class MilestoneRules(_Strict):
    """Milestone RAG: red when a milestone is late by more than ``red_days_overdue`` days or the
    on-time share of finished milestones is below ``red_on_time_share`` (0 switches that rule off);
    amber when a milestone is overdue, forecast more than ``amber_slip_days`` past its baseline, or at
    risk (a milestone is called late from the first day of slip)."""

    red_days_overdue: int = Field(14, ge=0)
    red_on_time_share: float = Field(0.0, ge=0, le=1)
    amber_slip_days: int = Field(14, ge=0)


class RiskRules(_Strict):
    """Risk RAG: red when an open risk scores ``red_score`` or more, or more than ``red_overdue`` open
    risks are overdue; amber when one scores ``amber_score`` or more, or any is overdue. A risk scoring
    ``high_score`` or more counts as high in the register summaries."""

    red_score: int = Field(20, ge=1, le=25)
    red_overdue: int = Field(2, ge=0)
    amber_score: int = Field(15, ge=1, le=25)
    high_score: int = Field(15, ge=1, le=25)

    @model_validator(mode="after")
    def _ordered(self):
        if self.amber_score > self.red_score:
            raise ValueError(f"amber_score ({self.amber_score}) must not be above red_score ({self.red_score})")
        return self


class IssueRules(_Strict):
    """Issue RAG: red when a critical issue is open or more than ``red_overdue`` high or critical
    issues are overdue; amber when a high issue is open or any issue is overdue."""

    red_overdue: int = Field(2, ge=0)


class HeatMapBands(_Strict):
    """Colour bands of the risk heat map by score (probability x impact): red from ``red``, amber from
    ``amber``, green below."""

    red: int = Field(15, ge=1, le=25)
    amber: int = Field(8, ge=1, le=25)

    @model_validator(mode="after")
    def _ordered(self):
        if self.amber > self.red:
            raise ValueError(f"amber ({self.amber}) must not be above red ({self.red})")
        return self


class RagRuleParameters(_Strict):
    """The rules of the milestone, risk and issue RAG dimensions and the heat-map bands."""

    milestones: MilestoneRules = MilestoneRules()
    risks: RiskRules = RiskRules()
    issues: IssueRules = IssueRules()
    heat_map: HeatMapBands = HeatMapBands()


class WindowParameters(_Strict):
    """Look-ahead and look-back windows, in days or weeks (at most ten years)."""

    status_update_days: int = Field(14, ge=1, le=MAX_WINDOW_DAYS)
    milestone_days: int = Field(60, ge=1, le=MAX_WINDOW_DAYS)
    milestone_at_risk_days: int = Field(14, ge=0, le=MAX_WINDOW_DAYS)
    burn_rate_weeks: int = Field(4, ge=1, le=MAX_WINDOW_DAYS // 7)
    top_risks: int = Field(5, ge=1, le=1000)
    trend_periods: int = Field(12, ge=2, le=520)


class ExposureParameters(_Strict):
    """The exposure rule of program and portfolio headlines: shares of the scope's BAC.

    Red when projects rated red hold at least ``red_share`` of the BAC; amber
    when red and amber projects together hold at least ``amber_share``.
    """

    red_share: FiniteFloat = Field(0.15, ge=0, le=1)
    amber_share: FiniteFloat = Field(0.30, ge=0, le=1)


class DemandWeightParameters(_Strict):
    """Weights of the demand score (they need not sum to 1; they are normalised, so not all 0)."""

    strategic_alignment: FiniteFloat = Field(0.5, ge=0, le=1e6)
    benefit_per_cost: FiniteFloat = Field(0.3, ge=0, le=1e6)
    risk: FiniteFloat = Field(0.2, ge=0, le=1e6)

    @model_validator(mode="after")
    def _not_all_zero(self):
        if self.strategic_alignment + self.benefit_per_cost + self.risk <= 0:
            raise ValueError("the weights must not all be 0 (the score divides by their sum)")
        return self


class NumberFormatParameters(_Strict):
    """How every page, tile, table, chart axis and mail writes amounts and dates.

    ``money``: ``compact`` (three significant figures, ``€1.53M``) or ``full``
    (``€1,534,500``); ``date``: ``iso`` (``2026-11-20``) or a ``strftime``
    pattern such as ``"%d %b %Y"`` (``20 Nov 2026``).
    """

    money: Literal["compact", "full"] = "compact"
    date: str = "iso"

    @field_validator("date")
    @classmethod
    def _date_style(cls, value: str) -> str:
        NumberFormat(date=value)  # raises ValueError with the reason
        return value


class ReportEntry(_Strict):
    """One report of the catalog: a notebook run once per project, program, or run."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    notebook: str
    scope: Literal["project", "program", "portfolio"]
    title: str = ""
    enabled: bool = True


def _default_catalog() -> tuple[ReportEntry, ...]:
    return (
        ReportEntry(name="portfolio", notebook="notebooks/portfolio_overview.ipynb",
                    scope="portfolio", title="Portfolio overview"),
        ReportEntry(name="programs", notebook="notebooks/program_summary.ipynb",
                    scope="program", title="Program summary"),
        ReportEntry(name="projects", notebook="notebooks/project_status.ipynb",
                    scope="project", title="Project status"),
    )


class RunParameters(_Strict):
    """Everything a run is parameterised with."""

    portfolio_name: str = "Portfolio"
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    status_date: dt.date | None = None
    data_path: str = "data/sample"
    profile: str | None = None
    """An import profile for the data (see docs/data.md); relative to the parameters file."""
    rag_thresholds: RagThresholdParameters = RagThresholdParameters()
    rag_rules: RagRuleParameters = RagRuleParameters()
    windows: WindowParameters = WindowParameters()
    demand_weights: DemandWeightParameters = DemandWeightParameters()
    rollup_exposure: ExposureParameters = ExposureParameters()
    report_base_url: str = ""
    demand_capacity: FiniteFloat | None = Field(None, ge=0, le=1e15)
    number_format: NumberFormatParameters = NumberFormatParameters()
    reports: tuple[ReportEntry, ...] = Field(default_factory=_default_catalog)
    timeout_seconds: int = Field(600, ge=1, le=86_400)
    workers: int = Field(2, ge=1, le=64)

    @field_validator("status_date")
    @classmethod
    def _usable_date(cls, value):
        if value is not None:
            check_status_date(value)
        return value

    @field_validator("reports")
    @classmethod
    def _unique_names(cls, reports):
        names = [r.name for r in reports]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"report names must be unique: {', '.join(duplicated)}")
        return reports


def _inner_model(annotation) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds, and whether a dict key comes first in error locations."""
    if typing.get_origin(annotation) is dict:
        return _inner_model(typing.get_args(annotation)[1])[0], True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    for arg in typing.get_args(annotation):  # Optional[...], tuple[Model, ...]
        found = _inner_model(arg)
        if found[0] is not None:
            return found
    return None, False


def _model_at(root: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model a pydantic error location points into (list indices and dict keys stepped over)."""
    model: type[BaseModel] | None = root
    expect_key = False
    for part in path:
        if model is None:
            return None
        if expect_key or isinstance(part, int):
            expect_key = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model, expect_key = _inner_model(field.annotation)
    return model


def describe_errors(exc: ValidationError, *, source: str, model: type[BaseModel]) -> str:
    """One line per problem of a settings file: the file, the key, what is wrong, a suggestion.

    Examples
    --------
    >>> try:
    ...     RunParameters(windows={"top_risk": 3})
    ... except ValidationError as exc:
    ...     print(describe_errors(exc, source="p.yaml", model=RunParameters))
    p.yaml: unknown key 'windows.top_risk' (did you mean 'top_risks'?)
    """
    lines = []
    for error in exc.errors():
        location = tuple(error["loc"])
        dotted = ".".join(str(p) for p in location)
        if error["type"] == "extra_forbidden":
            parent = _model_at(model, location[:-1])
            known = list(parent.model_fields) if parent is not None else []
            close = difflib.get_close_matches(str(location[-1]), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else (
                f" (known keys: {', '.join(known)})" if known else "")
            lines.append(f"{source}: unknown key '{dotted}'{hint}")
        elif dotted:
            lines.append(f"{source}: {dotted}: {error['msg']} (got {error.get('input')!r})")
        else:
            lines.append(f"{source}: {error['msg']}")
    return "\n".join(lines)


def parse_parameters(values: dict | None, *, source: str = "parameters") -> RunParameters:
    """Check a parameter mapping and return it with defaults filled in.

    Raises
    ------
    ParameterError
        Naming the source, every bad key and a suggestion for misspellings.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ParameterError(f"{source}: the file must hold a mapping of keys to values")
    try:
        return RunParameters(**values)
    except ValidationError as exc:
        raise ParameterError(describe_errors(exc, source=source, model=RunParameters)) from None


def load_parameters(path: str | Path | None = None) -> RunParameters:
    """Read a YAML parameter file (default ``parameters/defaults.yaml``).

    A file other than the default is laid over the defaults file, so it may
    hold only the keys it changes.
    """
    base = (read_yaml(DEFAULT_PARAMETERS, error=ParameterError, what="parameter file")
            if DEFAULT_PARAMETERS.is_file() else {})
    defaults = parse_parameters(base, source=str(DEFAULT_PARAMETERS))
    if path is None or Path(path).resolve() == DEFAULT_PARAMETERS:
        return defaults
    override = read_yaml(path, error=ParameterError, what="parameter file")
    if isinstance(override, dict) and isinstance(override.get("profile"), str) and override["profile"]:
        profile = Path(override["profile"]).expanduser()
        override = {**override, "profile": str(profile if profile.is_absolute() else (Path(path).parent / profile).resolve())}
    merged = _merge(base, override or {}) if isinstance(override, dict) else override
    return parse_parameters(merged, source=str(path))


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
