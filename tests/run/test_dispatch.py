"""Executors give the same pages: one worker, two workers, and a Dask cluster."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from pmo_lib.parameters import load_parameters
from pmo_lib.run.suite import run_reports
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

STATUS = dt.date(2026, 11, 20)
PROJECTS = ["PRJ-003", "PRJ-008"]


def normalised_pages(run_dir):
    """Every page's bytes, minus the generation time and chart ids that differ run to run."""
    pages = {}
    for file in sorted(run_dir.rglob("*.html")):
        text = file.read_text(encoding="utf-8")
        text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", "TIME", text)
        text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "TIME", text)  # the footer's human time stamp
        text = re.sub(r"\d+\.\d s?</td>|<td>\d+\.\d</td>", "SECONDS", text)
        pages[str(file.relative_to(run_dir))] = text
    return pages


def run(tmp_path, name, **options):
    # each run in its own output root: a root keeps a history store, and a second run into it would
    # show the first as an earlier period
    return run_reports(data=SAMPLE, status_date=STATUS, out_dir=tmp_path / name / str(STATUS), params=load_parameters(),
                       projects=PROJECTS, progress=False, **options)


@pytest.fixture(scope="module")
def dask_cluster():
    import distributed  # the [dask] extra, installed by make

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    yield cluster.scheduler_address
    cluster.close()


def test_same_pages_from_every_executor_and_worker_count(tmp_path, dask_cluster):
    one = run(tmp_path, "one", workers=1)
    two = run(tmp_path, "two", workers=2)
    on_dask = run(tmp_path, "dask", executor="dask", scheduler=dask_cluster)
    for outcome in (one, two, on_dask):
        assert outcome.exit_code == 0, [r.error for r in outcome.results]
    reference = normalised_pages(one.run_dir)
    assert set(reference) == {"index.html", "portfolio.html", "programs/digital-customer.html",
                              "programs/grid-modernisation.html", "projects/PRJ-003.html", "projects/PRJ-008.html"}
    for other in (two, on_dask):
        pages = normalised_pages(other.run_dir)
        assert set(pages) == set(reference)
        for name in reference:
            if name != "index.html":  # the index holds per-report seconds
                assert pages[name] == reference[name], name
    manifest = json.loads((on_dask.run_dir / "manifest.json").read_text())
    assert manifest["counts"] == {"ok": 5, "failed": 0}


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    from pmo_lib.errors import ParameterError

    with pytest.raises(ParameterError, match="cannot reach the Dask scheduler"):
        run(tmp_path, "nowhere", executor="dask", scheduler="tcp://127.0.0.1:9")
