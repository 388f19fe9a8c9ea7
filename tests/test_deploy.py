"""The scheduler recipes in deploy/ parse, and their command is one the CLI accepts."""

from __future__ import annotations

import ast
import configparser
import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

DEPLOY = ROOT / "deploy"


def command_args(command: str) -> list[str]:
    """The arguments after `pmo-report`, with the data path pointed at the sample."""
    command = re.sub(r"\{\{\s*ds\s*\}\}", "2026-11-20", command)  # Airflow's logical date
    command = re.sub(r"\{\{[^}]*\}\}", "TEMPLATED", command)
    words = shlex.split(re.search(r"pmo-report (run .*)", command).group(1).split(">>")[0])
    for i, word in enumerate(words):
        if word == "--data":
            words[i + 1] = str(SAMPLE)
    return words


def accepts(command: str) -> None:
    args = command_args(command) + ["--dry-run"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (args, result.output)
    assert "reports would run" in result.stderr


def test_cron_line():
    lines = [line for line in (DEPLOY / "pmo-report.cron").read_text().splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(None, 5)
    assert fields[:5] == ["30", "18", "*", "*", "5"]
    accepts(fields[5])


def test_systemd_service_and_timer():
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(DEPLOY / "pmo-report.service")
    assert service["Service"]["Type"] == "oneshot"
    accepts(service["Service"]["ExecStart"])
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(DEPLOY / "pmo-report.timer")
    assert timer["Timer"]["OnCalendar"] == "Sat *-*-* 06:00:00"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_airflow_dag_parses_and_runs_the_command():
    source = (DEPLOY / "airflow_dag.py").read_text()
    tree = ast.parse(source)
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    command = "".join(s for s in strings if "pmo-report" in s or s.startswith("--"))
    assert "--status-date {{ ds }}" in command
    accepts(re.sub(r"cd \S+ && ", "", command))


def test_ci_schedule():
    workflow = yaml.safe_load((DEPLOY / "github-actions.yml").read_text())
    assert workflow[True]["schedule"][0]["cron"] == "30 18 * * 5"  # YAML 1.1 reads `on` as True
    steps = workflow["jobs"]["reports"]["steps"]
    run = next(s["run"] for s in steps if "pmo-report" in s.get("run", ""))
    accepts(run.splitlines()[1])
