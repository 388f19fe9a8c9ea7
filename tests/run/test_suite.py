"""The runner on small catalogs of test notebooks: layout, manifest, failures, no leaks."""

from __future__ import annotations

import json

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from pmo_lib.errors import DataValidationError, ParameterError
from pmo_lib.parameters import parse_parameters
from pmo_lib.run.suite import run_reports
from tests.conftest import VALID_TABLES

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

PARAMS = '''data_path = ""
status_date = ""
params_file = ""
previous_metrics = ""
project_id = "P1"
'''


def write_notebook(path, *cells):
    book = new_notebook(cells=[new_markdown_cell("# Test report"),
                               new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                               *[new_code_cell(c) for c in cells]],
                        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                 "language": "python"}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(book, str(path))


@pytest.fixture
def project_root(tmp_path):
    root = tmp_path / "root"
    write_notebook(root / "notebooks" / "ok.ipynb",
                   "from pmo_lib.reports.html import note\nnote(f'Report for {project_id} as of {status_date}')")
    write_notebook(root / "notebooks" / "broken.ipynb",
                   "from pmo_lib.reports.html import note\nnote('first cell works')",
                   "if project_id == 'P2':\n    raise ValueError('broken on purpose for ' + project_id)\n'fine'")
    write_notebook(root / "notebooks" / "leak.ipynb",
                   "assert 'leaked_value' not in dir(), 'state leaked from the previous report'\n"
                   "import os\nfrom pmo_lib.reports.html import note\nnote(os.getcwd())",
                   "leaked_value = project_id\nos.chdir('/')")
    write_notebook(root / "notebooks" / "faults.ipynb",
                   "import os, time\nif project_id == 'P1':\n    os._exit(3)\n"
                   "if project_id == 'P2':\n    time.sleep(30)",
                   "from pmo_lib.reports.html import note\nnote('survived')")
    return root


def catalog(notebook, *, timeout=120):
    return parse_parameters({"portfolio_name": "Test <Portfolio>", "timeout_seconds": timeout, "reports": [
        {"name": "projects", "notebook": f"notebooks/{notebook}", "scope": "project", "title": "Project"}]})


def run(make_portfolio, project_root, tmp_path, notebook, **options):
    timeout = options.pop("timeout", 120)
    return run_reports(data=make_portfolio(), status_date=__import__("datetime").date(2024, 1, 20),
                       out_dir=tmp_path / "out" / "2024-01-20", params=catalog(notebook, timeout=timeout),
                       root=project_root, progress=False, **options)


def test_layout_manifest_and_index(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "ok.ipynb", workers=1)
    out = outcome.run_dir
    assert outcome.exit_code == 0
    assert sorted(p.name for p in (out / "projects").iterdir()) == ["P1.html", "P2.html"]
    assert sorted(p.name for p in (out / "notebooks" / "projects").iterdir()) == ["P1.ipynb", "P2.ipynb"]
    page = (out / "projects" / "P2.html").read_text()
    text = " ".join(BeautifulSoup(page, "html.parser").get_text(" ").split())  # dates sit in no-wrap spans
    assert "Report for P2 as of 2024-01-20" in text
    assert "Test &lt;Portfolio&gt;" in page
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"ok": 2, "failed": 0}
    assert manifest["status_date"] == "2024-01-20"
    assert len(manifest["data"]["fingerprint"]) == 64
    assert [(r["key"], r["status"], r["page"]) for r in manifest["reports"]] == [
        ("projects/P1", "ok", "projects/P1.html"), ("projects/P2", "ok", "projects/P2.html")]
    metrics = (out / "metrics.csv").read_text().splitlines()
    assert metrics[0].startswith("project_id,name,program,bac,pv,ev,ac,")
    assert [line.split(",")[0] for line in metrics[1:]] == ["P1", "P2"]
    index = (out / "index.html").read_text()
    assert 'href="projects/P1.html"' in index and "Billing revamp (P1)" in index
    assert not list(out.rglob(".*.tmp"))


def test_a_failing_report_does_not_stop_the_others(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "broken.ipynb", workers=2)
    out = outcome.run_dir
    assert outcome.exit_code == 1
    assert (out / "projects" / "P1.html").exists()
    assert not (out / "projects" / "P2.html").exists()
    kept = nbformat.read(str(out / "notebooks" / "projects" / "P2.ipynb"), as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"ok": 1, "failed": 1}
    failed = manifest["reports"][1]
    assert failed["status"] == "failed"
    assert failed["error"]["type"] == "ValueError"
    assert failed["error"]["message"] == "broken on purpose for P2"
    assert failed["error"]["cell"] == 4  # its number in notebooks/broken.ipynb, from 1
    assert failed["error"]["source"] == "if project_id == 'P2':"
    index = (out / "index.html").read_text()
    assert "FAILED" in index and "ValueError in cell 4 (if project_id == &#39;P2&#39;:): broken on purpose for P2" in index


def test_papermill_engine_records_the_same_failure(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "broken.ipynb", workers=1, engine="papermill")
    assert outcome.exit_code == 1
    failed = [r for r in outcome.results if r.status == "failed"]
    assert [(r.subject, r.error["type"], r.error["message"]) for r in failed] == [
        ("P2", "ValueError", "broken on purpose for P2")]


def test_no_state_leaks_between_reports_in_a_warm_kernel(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "leak.ipynb", workers=1)
    assert [r.status for r in outcome.results] == ["ok", "ok"], [r.error for r in outcome.results]
    second = (outcome.run_dir / "projects" / "P2.html").read_text()
    assert str(project_root / "notebooks") in second  # the working folder was restored


def test_kernel_death_and_timeout_are_recorded(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "faults.ipynb", workers=1, timeout=3)
    assert outcome.exit_code == 1
    errors = {r.subject: r.error["type"] for r in outcome.results}
    assert errors == {"P1": "KernelDied", "P2": "Timeout"}


def test_invalid_data_writes_nothing(make_portfolio, project_root, tmp_path):
    bad = VALID_TABLES["costs"] + "P1,not-a-date,1,Labour\n"
    with pytest.raises(DataValidationError):
        run(make_portfolio.__call__ if False else (lambda: make_portfolio(costs=bad)), project_root, tmp_path,
            "ok.ipynb")
    assert not (tmp_path / "out").exists()


def test_undeclared_notebook_parameter_fails_that_report_only(make_portfolio, project_root, tmp_path):
    """A notebook whose parameters cell lacks what the run passes fails its reports; the others run."""
    write_notebook(project_root / "notebooks" / "narrow.ipynb", "1")
    book = nbformat.read(str(project_root / "notebooks" / "narrow.ipynb"), as_version=4)
    book.cells[1].source = 'project_id = "P1"\n'
    nbformat.write(book, str(project_root / "notebooks" / "narrow.ipynb"))
    params = parse_parameters({"portfolio_name": "Mixed", "reports": [
        {"name": "narrow", "notebook": "notebooks/narrow.ipynb", "scope": "project", "title": "Narrow"},
        {"name": "projects", "notebook": "notebooks/ok.ipynb", "scope": "project", "title": "Project"}]})
    outcome = run_reports(data=make_portfolio(), status_date=__import__("datetime").date(2024, 1, 20),
                          out_dir=tmp_path / "out", params=params, root=project_root, workers=1, progress=False)
    assert outcome.exit_code == 1
    assert {(r.report, r.subject, r.status) for r in outcome.results} == {
        ("narrow", "P1", "failed"), ("narrow", "P2", "failed"), ("projects", "P1", "ok"), ("projects", "P2", "ok")}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    refused = [r["error"] for r in manifest["reports"] if r["report"] == "narrow"]
    assert refused[0] == refused[1]
    assert refused[0]["type"] == "ParameterMismatch"
    assert (refused[0]["cell"], refused[0]["source"]) == (2, 'project_id = "P1"')
    assert refused[0]["message"].startswith(
        "notebooks/narrow.ipynb: parameter 'data_path' is not declared in the notebook's parameters cell")
    assert "parameter 'status_date' is not declared" in refused[0]["message"]
    assert not (tmp_path / "out" / "narrow").exists() and (tmp_path / "out" / "projects" / "P2.html").is_file()
    index = (tmp_path / "out" / "index.html").read_text()
    assert "ParameterMismatch in cell 2" in index


def test_only_selected_projects(make_portfolio, project_root, tmp_path):
    outcome = run(make_portfolio, project_root, tmp_path, "ok.ipynb", workers=1, projects=["P2"])
    assert [r.subject for r in outcome.results] == ["P2"]
    with pytest.raises(ParameterError, match="unknown project id"):
        run(make_portfolio, project_root, tmp_path, "ok.ipynb", projects=["P9"])


def test_reset_forgets_outputs_and_names_but_keeps_ipython(make_portfolio, project_root, tmp_path):
    write_notebook(project_root / "notebooks" / "outputs.ipynb",
                   "assert '_2' not in dir() and not Out, 'outputs leaked: ' + repr(sorted(Out))\n"
                   "assert callable(get_ipython) and In is not None\n"
                   "big = list(range(10))\nbig",
                   "from pmo_lib.reports.html import note\nnote(str(len(_)))")
    outcome = run(make_portfolio, project_root, tmp_path, "outputs.ipynb", workers=1)
    assert [r.status for r in outcome.results] == ["ok", "ok"], [r.error for r in outcome.results]


def test_kernels_read_the_analysis_the_runner_computed_once(tmp_path):
    """The runner leaves its analysis (metrics computed) for the kernels, then removes the file."""
    import datetime as dt

    from pmo_lib.parameters import load_parameters
    from tests.conftest import SAMPLE

    root = tmp_path / "root"
    write_notebook(root / "notebooks" / "probe.ipynb",
                   "from pmo_lib.analysis.handoff import load_analysis\nfrom pmo_lib.reports.html import note\n"
                   "a = load_analysis(data_path=data_path, status_date=status_date, params_file=params_file)\n"
                   "note('precomputed' if 'metrics' in vars(a) else 'loaded again')")
    params = load_parameters().model_copy(update={"reports": catalog("probe.ipynb").reports})
    outcome = run_reports(data=SAMPLE, status_date=dt.date(2026, 11, 20), out_dir=tmp_path / "out", params=params,
                          root=root, projects=["PRJ-001"], workers=1, progress=False)
    assert outcome.exit_code == 0, [r.error for r in outcome.results]
    assert "precomputed" in (outcome.run_dir / "projects" / "PRJ-001.html").read_text()
    assert [p.name for p in outcome.run_dir.glob(".*")] == [".pmo-run"]  # the marker; the analysis file is gone
