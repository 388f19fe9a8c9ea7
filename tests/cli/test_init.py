"""pmo-report init: parameters with the portfolio's own name, people, a template that validates, a profile skeleton."""

from __future__ import annotations

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.data.loading import load_portfolio
from pmo_lib.mail.recipients import load_distribution
from pmo_lib.parameters import load_parameters

pytestmark = pytest.mark.e2e  # runs the CLI end to end


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_init_from_data_names_the_portfolio_lists_people_and_writes_a_valid_template(make_portfolio, tmp_path):
    folder = make_portfolio()
    target = tmp_path / "acme"
    result = run("init", target, "--data", folder, "--name", "Acme Grid")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (f"wrote parameters.yaml, distribution.yaml, portfolio.xlsx into {target} for "
                                     "portfolio 'Acme Grid'; 3 people to give addresses in distribution.yaml")
    params = load_parameters(target / "parameters.yaml")
    assert (params.portfolio_name, params.data_path, params.profile) == ("Acme Grid", str(folder), None)
    distribution = load_distribution(target / "distribution.yaml")
    assert distribution.people == {"Ann Lee": "ann.lee@example.org", "Bo Chen": "bo.chen@example.org",
                                   "Sam Ode": "sam.ode@example.org"}
    book = openpyxl.load_workbook(target / "portfolio.xlsx")
    assert book.sheetnames[:3] == ["projects", "tasks", "costs"]
    status = [v for v in book["projects"].data_validations.dataValidation if v.formula1.startswith('"active')]
    assert status[0].formula1 == '"active,on_hold,closed,cancelled"'
    template = load_portfolio(target / "portfolio.xlsx")
    assert len(template.projects) == 1 and len(template.tasks) == 1 and len(template.assignments) == 1
    assert run("init", target).exit_code == 2  # never overwrites


def test_init_writes_a_profile_skeleton_for_a_source_that_needs_one(make_portfolio, tmp_path):
    folder = make_portfolio(costs="Projekt;Datum;Betrag\nP1;05/01/2024;300\n")
    result = run("init", tmp_path / "x", "--data", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().endswith("; the data needs a profile: edit profile.yaml")
    text = (tmp_path / "x" / "profile.yaml").read_text()
    assert "  costs:\n    # read from costs.csv; missing: project_id, date, amount\n    columns: {}\n" \
           "    #   Projekt: <contract column>\n" in text
    assert yaml.safe_load(text)["tables"]["costs"] == {"columns": {}}
    assert load_parameters(tmp_path / "x" / "parameters.yaml").portfolio_name == "Portfolio"
