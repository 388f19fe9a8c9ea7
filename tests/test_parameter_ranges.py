"""Bad parameters never crash: every range is checked before anything is written.

Hypothesis walks every parameter of ``parameters/defaults.yaml`` (and the
status date) with hostile values: NaN, infinities, negatives, absurd windows,
thresholds outside 0 to 2, weights that sum to 0, strings where numbers go.
Each case ends in exit 0 or exit 2 with one located line, never a traceback;
on exit 2 nothing is written; what is accepted computes every metric.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.cli import main
from pmo_lib.data.loading import load_portfolio
from pmo_lib.errors import ParameterError
from pmo_lib.parameters import RunParameters, load_parameters
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e  # the CLI end to end, with the metrics of every accepted case

def leaf_paths(model=RunParameters, prefix=()) -> list[tuple[str, ...]]:
    """Every settable leaf of the parameters (the report catalog and data path aside)."""
    paths = []
    for name, info in model.model_fields.items():
        if name in ("reports", "data_path"):
            continue
        inner = info.annotation
        if isinstance(inner, type) and issubclass(inner, RunParameters.__mro__[1]):
            paths += leaf_paths(inner, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = leaf_paths()
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 0, -1, 0.0, 2.0, 2.0001, 1e9, 10**12, -(10**12)]),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
)


def test_every_parameter_is_walked():
    assert {".".join(p) for p in PATHS} >= {
        "rag_thresholds.spi.green", "rag_thresholds.cpi.amber", "windows.milestone_days", "windows.top_risks",
        "demand_weights.risk", "demand_capacity", "timeout_seconds", "workers", "status_date", "currency"}


def nested(path: tuple[str, ...], value) -> dict:
    for key in reversed(path):
        value = {key: value}
    return value


def files_under(folder):
    return sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture(scope="module")
def sample():
    return load_portfolio(SAMPLE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=VALUES, also=st.sampled_from([None, "zero_weights", "swap_band"]),
       status=st.one_of(st.just("2026-11-20"), st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat)))
def test_any_parameter_value_is_exit_0_or_2_never_a_traceback_and_nothing_written_on_2(
        tmp_path_factory, sample, path, value, also, status):
    folder = tmp_path_factory.mktemp("p")
    override = nested(path, value)
    if also == "zero_weights":
        override.setdefault("demand_weights", {}).update(strategic_alignment=0, benefit_per_cost=0, risk=0)
    elif also == "swap_band":
        override.setdefault("rag_thresholds", {}).setdefault("spi", {}).update(green=0.5, amber=0.9)
    params_file = folder / "params.yaml"
    params_file.write_text(yaml.safe_dump(override, allow_unicode=True), encoding="utf-8")
    out = folder / "output" / "run"
    result = CliRunner().invoke(main, ["run", "--data", str(SAMPLE), "--status-date", status, "--out", str(out),
                                       "--params", str(params_file), "--dry-run"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert files_under(folder / "output") == []
    try:
        params = load_parameters(params_file)
    except ParameterError as exc:
        assert result.exit_code == 2
        assert str(exc).splitlines()[0] in result.stderr or "'--status-date'" in result.stderr
        written = CliRunner().invoke(main, ["run", "--data", str(SAMPLE), "--status-date", "2026-11-20",
                                            "--out", str(out), "--params", str(params_file)])
        assert written.exit_code == 2 and "Traceback" not in written.output
        assert files_under(folder / "output") == []  # nothing written on 2
        return
    if result.exit_code == 2:  # the parameters are fine: the status date is what was refused
        assert "--status-date" in result.stderr
        return
    status_date = dt.date.fromisoformat(status)
    PortfolioAnalysis(sample, status_date=status_date, params=params).compute_all()  # the run's own metrics
    metrics = CliRunner().invoke(main, ["metrics", "--data", str(SAMPLE), "--status-date", status,
                                        "--params", str(params_file)])
    assert metrics.exit_code == 0, metrics.output


@pytest.mark.parametrize(("override", "says"), [
    ({"rag_thresholds": {"spi": {"green": math.nan}}}, "rag_thresholds.spi.green: Input should be a finite number"),
    ({"windows": {"milestone_days": 10**9}}, "windows.milestone_days: Input should be less than or equal to 3650"),
    ({"demand_weights": {"strategic_alignment": 0, "benefit_per_cost": 0, "risk": 0}},
     "demand_weights: Value error, the weights must not all be 0"),
    ({"rag_thresholds": {"cpi": {"green": 2.5}}}, "rag_thresholds.cpi.green: Input should be less than or equal to 2"),
    ({"demand_capacity": -math.inf}, "demand_capacity: Input should be a finite number"),
    ({"windows": {"burn_rate_weeks": -3}}, "windows.burn_rate_weeks: Input should be greater than or equal to 1"),
])
def test_the_issue_cases_are_one_line_and_exit_2(tmp_path, override, says):
    params_file = tmp_path / "p.yaml"
    params_file.write_text(yaml.safe_dump(override), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--data", str(SAMPLE), "--status-date", "2026-11-20",
                                       "--out", str(tmp_path / "out"), "--params", str(params_file)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {params_file}: {says}"), result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("status", "says"), [
    ("2300-01-01", "2300-01-01: outside the dates the metrics can use (1690-01-01 to 2250-12-31)"),
    ("9999-12-31", "9999-12-31: outside the dates the metrics can use (1690-01-01 to 2250-12-31)"),
    ("1700-01-01", "--status-date 1700-01-01: 328 years from the data's dates"),
])
@pytest.mark.parametrize("command", ["run", "metrics"])
def test_status_dates_outside_the_range_are_one_line_and_exit_2(tmp_path, status, says, command):
    args = ["--data", str(SAMPLE), "--status-date", status]
    if command == "run":
        args += ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [command, *args])
    assert result.exit_code == 2 and says in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_header_only_portfolio_is_an_error_for_validate_and_run_alike(make_portfolio, tmp_path):
    data = make_portfolio(projects="project_id,name,program,manager,sponsor,status,budget\n",
                          tasks="project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget\n",
                          costs="project_id,date,amount,category\n")
    says = "projects.csv: no projects: the projects table has headers but no rows, so there is nothing to report"
    validate = CliRunner().invoke(main, ["validate", "--data", str(data)])
    run = CliRunner().invoke(main, ["run", "--data", str(data), "--status-date", "2024-01-20",
                                    "--out", str(tmp_path / "out")])
    assert validate.exit_code == run.exit_code == 2
    assert says in validate.stderr and says in run.stderr
    assert not (tmp_path / "out").exists()
