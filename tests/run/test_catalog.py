"""Custom reports: new-report writes a runnable notebook and registers it; list-reports shows it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.errors import ParameterError
from pmo_lib.parameters import load_parameters
from pmo_lib.run.catalog import describe_catalog, new_report
from pmo_lib.run.suite import run_reports
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    (root / "parameters").mkdir()
    params = root / "parameters" / "team.yaml"
    shutil.copy(ROOT / "parameters" / "defaults.yaml", params)
    return root, params


def test_new_report_is_registered_and_runs_for_every_program(workspace, tmp_path):
    root, params_file = workspace
    notebook = new_report("budget_watch", scope="program", title="Budget watch", root=root,
                          parameters_file=params_file)
    assert notebook == root / "notebooks" / "budget_watch.ipynb"
    book = nbformat.read(str(notebook), as_version=4)
    assert all(c.outputs == [] for c in book.cells if c.cell_type == "code")
    params = load_parameters(params_file)
    entry = params.reports[-1]
    assert (entry.name, entry.scope, entry.title, entry.notebook) == (
        "budget_watch", "program", "Budget watch", "notebooks/budget_watch.ipynb")
    described = {d["name"]: d for d in describe_catalog(params, root=root)}
    assert set(described["budget_watch"]["parameters"]) == {
        "data_path", "status_date", "params_file", "previous_metrics", "program"}
    outcome = run_reports(data=SAMPLE, status_date=dt.date(2026, 11, 20), out_dir=tmp_path / "out",
                          params=params, projects=["PRJ-001"], workers=1, root=root, progress=False)
    assert outcome.exit_code == 0, [r.error for r in outcome.results]
    page = (outcome.run_dir / "budget_watch" / "digital-customer.html").read_text()
    assert "Program: Digital Customer" in page
    soup = BeautifulSoup(page, "html.parser")
    text = soup.get_text(" ", strip=True)
    # a table and a plain Altair chart (inline SVG), under sentences about the data; no placeholder text
    assert [h.get_text(strip=True) for h in soup.find_all("h2")] == [
        "Key figures", "Projects", "Cost and schedule performance"]
    assert soup.select("table") and soup.select("figure.pmo-chart svg")
    assert not re.search(r"example|replace|edit the cells|TODO|lorem", text, re.IGNORECASE), text
    assert "Customer Portal Rebuild" in text and "Forecast" in text
    assert 'href="budget_watch/digital-customer.html"' in (outcome.run_dir / "index.html").read_text()


def test_new_report_refuses_bad_or_duplicate_names(workspace):
    root, params_file = workspace
    with pytest.raises(ParameterError, match="use lower-case letters"):
        new_report("Bad Name", scope="project", root=root, parameters_file=params_file)
    with pytest.raises(ParameterError, match="already in the catalog"):
        new_report("projects", scope="project", root=root, parameters_file=params_file)
    new_report("risk_review", scope="project", root=root, parameters_file=params_file)
    with pytest.raises(ParameterError, match="already in the catalog"):
        new_report("risk_review", scope="project", root=root, parameters_file=params_file)


def test_list_reports_shows_catalog_and_parameters():
    result = CliRunner().invoke(main, ["list-reports"])
    assert result.exit_code == 0
    assert "projects: Project status — one per project, notebooks/project_status.ipynb" in result.stdout
    assert '    project_id: str = "PRJ-008"  # the project this report is about' in result.stdout


def test_new_report_then_the_tests_stay_green_in_a_scratch_copy(tmp_path):
    """`pmo-report new-report X --scope program` and then the tests it affects pass: they count from the catalog."""
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("pmo_lib", "tests", "notebooks", "parameters"):
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    shutil.copytree(SAMPLE, root / "data" / "sample")
    shutil.copy(ROOT / "pyproject.toml", root)
    env = {**os.environ, "PYTHONPATH": str(root)}
    created = subprocess.run([sys.executable, "-m", "pmo_lib.cli.main", "new-report", "budget_watch", "--scope",
                              "program"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    assert (root / "notebooks" / "budget_watch.ipynb").is_file()
    assert "name: budget_watch" in (root / "parameters" / "defaults.yaml").read_text(encoding="utf-8")
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "tests/test_parameters.py",
         "tests/run/test_notebook_rules.py", "tests/mail/test_run_email.py", "tests/conftest.py",
         "tests/test_notebooks.py", "-k", "not pre_commit and (budget_watch or not test_notebooks)"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "test_runs_top_to_bottom_with_its_defaults[budget_watch] PASSED" in tests.stdout
    assert "test_run_then_mail_every_report_once PASSED" in tests.stdout  # four mails now, counted from the catalog
