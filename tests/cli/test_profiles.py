"""validate, metrics and run with --profile, grouped problems and --all, database URLs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import VALID_TABLES

EUROPEAN_COSTS = "Projekt;Datum;Betrag\nP1;05/01/2024;300\nP1;12/01/2024;250,5\nP1;19/01/2024;-50\n"
PROFILE = """\
tables:
  costs: {columns: {Projekt: project_id, Datum: date, Betrag: amount}}
csv: {decimal: ","}
dates: ["%d/%m/%Y"]
"""

pytestmark = pytest.mark.e2e  # runs the CLI end to end


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def european(make_portfolio, tmp_path):
    folder = make_portfolio(costs=EUROPEAN_COSTS)
    profile = tmp_path / "profile.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    return folder, profile


def test_validate_groups_problems_with_a_hint_and_all_lists_each(european):
    folder, _ = european
    result = run("validate", "--data", folder)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "costs.csv:1:project_id: required column is missing (found: Projekt, Datum, Betrag); nearest: 'Projekt' "
        '(map it in a profile: columns: {"Projekt": project_id})',
        "  hint: rename the column in the file, or map it in a profile: columns: {...}",
        "costs.csv:1:date: required column is missing (found: Projekt, Datum, Betrag); nearest: 'Datum' (map it "
        'in a profile: columns: {"Datum": date})',
        "costs.csv:1:amount: required column is missing (found: Projekt, Datum, Betrag)",
    ]


def test_validate_and_metrics_read_the_european_export_with_its_profile(european):
    folder, profile = european
    result = run("validate", "--data", folder, "--profile", profile)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "2 projects, 3 tasks, 3 cost lines: 0 errors, 0 warnings"
    metrics = run("metrics", "--data", folder, "--profile", profile, "--status-date", "2024-01-31",
                  "--format", "json")
    assert metrics.exit_code == 0, metrics.stderr
    assert metrics.stderr == ""
    p1 = json.loads(metrics.stdout)[0]
    assert (p1["project_id"], p1["ac"], p1["ev"]) == ("P1", 500.5, 700.0)


def test_many_bad_cells_are_one_group_and_all_lists_every_one(make_portfolio):
    rows = "".join(f"P1,2024-01-{d:02d},{d}x\n" for d in range(1, 13))
    folder = make_portfolio(costs="project_id,date,amount\n" + rows)
    grouped = run("validate", "--data", folder).stderr.splitlines()
    assert grouped == ["costs.csv:amount: not a number: 12 rows (2, 3, 4, 5, 6, ...), e.g. (1x)",
                       "  hint: write a plain number such as 1250.50; currency symbols are read in money columns only"]
    every = run("validate", "--data", folder, "--all").stderr.splitlines()
    assert len(every) == 12 and every[-1] == "costs.csv:13:amount: not a number (12x)"


def test_a_bad_profile_is_one_line_per_problem_with_suggestions(make_portfolio, tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("tabels: {}\npercent: fractions\ntables: {tasks: {columns: {Done: percent_complet}}}\n")
    result = run("validate", "--data", make_portfolio(), "--profile", profile)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {profile}: percent: Input should be 'auto', 'percent' or 'fraction' (got 'fractions')",
        f"{profile}: unknown key 'tabels' (did you mean 'tables'?)",
    ]
    profile.write_text("tables: {tasks: {columns: {Done: percent_complet}}}\n")
    assert run("validate", "--data", make_portfolio(), "--profile", profile).stderr.strip() == (
        f"error: {profile}: tables.tasks.columns: 'Done' maps to unknown column 'percent_complet' "
        "(did you mean 'percent_complete'?)")


def test_validate_reads_a_sqlite_url(make_portfolio, tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'pmo.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name, text in VALID_TABLES.items():
            columns = text.splitlines()[0].split(",")
            rows = [dict(zip(columns, line.split(","))) for line in text.splitlines()[1:]]
            connection.execute(sa.text(f"CREATE TABLE {name} ({', '.join(c + ' TEXT' for c in columns)})"))
            connection.execute(sa.text(f"INSERT INTO {name} VALUES ({', '.join(':' + c for c in columns)})"), rows)
    engine.dispose()
    result = run("validate", "--data", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "2 projects, 3 tasks, 3 cost lines: 0 errors, 0 warnings"


def test_run_dry_run_uses_the_profile_from_the_option_and_from_parameters(european, tmp_path):
    folder, profile = european
    without = run("run", "--data", folder, "--status-date", "2024-01-31", "--out", tmp_path / "out", "--dry-run")
    assert without.exit_code == 2
    assert "costs.csv:1:amount: required column is missing" in without.stderr
    given = run("run", "--data", folder, "--status-date", "2024-01-31", "--out", tmp_path / "out", "--dry-run",
                "--profile", profile)
    assert given.exit_code == 0, given.stderr
    assert given.stderr.startswith("warning: the portfolio name 'Northwind Utilities' is the sample's, from "
                                   f"parameters/defaults.yaml, but the data is {folder}: give your portfolio its "
                                   "own name")
    params = tmp_path / "params.yaml"
    params.write_text("profile: profile.yaml\nportfolio_name: Acme Grid\n")
    from_params = run("run", "--data", folder, "--status-date", "2024-01-31", "--out", tmp_path / "out",
                      "--dry-run", "--params", params)
    assert from_params.exit_code == 0, from_params.stderr
    assert "portfolio name" not in from_params.stderr
    assert len(json.loads(from_params.stdout)["reports"]) == len(json.loads(given.stdout)["reports"])
