"""The pmo-report command line: exit codes and messages."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import SAMPLE, VALID_TABLES

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_validate_valid_portfolio_exits_0(make_portfolio):
    result = run("validate", "--data", make_portfolio())
    assert result.exit_code == 0
    assert result.stdout.strip() == "2 projects, 3 tasks, 3 cost lines: 0 errors, 0 warnings"


def test_validate_invalid_portfolio_exits_2_and_names_location(make_portfolio):
    bad = VALID_TABLES["costs"] + "P1,2024-13-01,10,Labour\n"
    result = run("validate", "--data", make_portfolio(costs=bad))
    assert result.exit_code == 2
    assert "costs.csv:5:date: not a date in YYYY-MM-DD form (2024-13-01)" in result.stderr
    assert result.stdout.strip() == "2 projects, 3 tasks, 4 cost lines: 1 error, 0 warnings"


def test_validate_warnings_exit_0(make_portfolio):
    projects = VALID_TABLES["projects"].replace("active,1000", "active,10")
    result = run("validate", "--data", make_portfolio(projects=projects))
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: projects.csv:2:budget: task budgets sum above the approved budget")
    assert result.stdout.strip().endswith("0 errors, 1 warning")


def test_validate_missing_folder_is_one_line_exit_2(tmp_path):
    result = run("validate", "--data", tmp_path / "missing")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such folder or file" in result.stderr
    assert "Traceback" not in result.output


def test_validate_missing_table_exit_2(make_portfolio):
    result = run("validate", "--data", make_portfolio(tasks=None))
    assert result.exit_code == 2
    assert "tasks.csv: required table 'tasks' is missing" in result.stderr


def test_bad_usage_exits_2():
    assert run("validate").exit_code == 2
    assert run("no-such-command").exit_code == 2
    assert run("metrics", "--data", "x", "--status-date", "2024-31-31").exit_code == 2


def test_console_script_runs_out_of_process(make_portfolio):
    exe = shutil.which("pmo-report") or str(SAMPLE.parent.parent / ".venv" / "bin" / "pmo-report")
    done = subprocess.run([exe, "validate", "--data", str(make_portfolio())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "0 errors" in done.stdout


def test_validate_sample_exits_0():
    result = run("validate", "--data", SAMPLE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("24 projects, ")


def test_sample_command_is_deterministic(tmp_path):
    for out in ("a", "b"):
        assert run("sample", "--out", tmp_path / out, "--projects", 3, "--seed", 11,
                   "--status-date", "2026-01-09").exit_code == 0
    for file in sorted((tmp_path / "a").glob("*.csv")):
        assert file.read_bytes() == (tmp_path / "b" / file.name).read_bytes()
    assert run("validate", "--data", tmp_path / "a").exit_code == 0
