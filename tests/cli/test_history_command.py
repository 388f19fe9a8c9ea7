"""``pmo-report history import|export|list|upgrade``: output, one-line errors, exit 2, nothing changed."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.history.store import open_store
from pmo_lib.run.metrics_file import format_metrics
from tests.history.conftest import metrics_frame, snapshot

pytestmark = pytest.mark.e2e


def run(*args):
    result = CliRunner().invoke(main, ["history", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write_run_folder(root, day, spis, *, name="Demo", green=0.95):
    folder = root / day
    folder.mkdir(parents=True)
    (folder / "metrics.csv").write_text(format_metrics(metrics_frame(spis)))
    (folder / "manifest.json").write_text(json.dumps({
        "status_date": day, "portfolio_name": name, "reports": [], "data": {"fingerprint": "ab" * 32},
        "parameters": {"rag_thresholds": {"spi": {"green": green, "amber": 0.85}}}}))
    return folder


def test_import_then_list_then_export(tmp_path):
    root = tmp_path / "output"
    write_run_folder(root, "2026-01-02", {"P1": 1.0, "P2": 1.0})
    write_run_folder(root, "2026-01-09", {"P1": 0.9, "P2": 1.0}, green=0.9)
    (root / "not-a-run").mkdir()
    result = run("import", root)
    assert result.exit_code == 0, result.stderr
    db = f"sqlite:///{root / 'history.sqlite'}"
    assert result.stdout.strip() == f"imported 2 run folders (0 replaced) into {db}: Demo"
    assert run("import", root).stdout.startswith("imported 2 run folders (2 replaced)")
    listing = run("list", "--db", db)
    assert listing.stdout.splitlines() == ["Demo: 2 snapshots, 2026-01-02 .. 2026-01-09",
                                           "    2026-01-02 2026-01-09"]
    out = tmp_path / "history.csv"
    exported = run("export", "--db", db, "--out", out)
    assert exported.stdout.strip() == f"wrote 4 rows (2 status dates) to {out}"
    frame = pd.read_csv(out)
    assert list(frame.columns[:4]) == ["status_date", "project_id", "name", "program"]
    assert frame[["status_date", "project_id", "spi"]].values.tolist() == [
        ["2026-01-02", "P1", 1.0], ["2026-01-02", "P2", 1.0], ["2026-01-09", "P1", 0.9], ["2026-01-09", "P2", 1.0]]
    # the roll-up RAG uses each run's own thresholds: SPI 0.95 is green at 0.9 in the second run
    rollups = open_store(db).read_series("Demo").rollup("portfolio")
    assert rollups["schedule_rag"].tolist() == ["green", "green"]


@pytest.mark.parametrize(("args", "message"), [
    (("list", "--db", "nosuch://x"), "error: history database URL 'nosuch://x': unsupported database"),
    (("list", "--db", "sqlite:///{tmp}/none.sqlite"), "error: no history database at {tmp}/none.sqlite"),
    (("export", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x?connect_timeout=2", "--out", "{tmp}/x.csv"),
     "error: history database postgresql+psycopg://u:***@127.0.0.1:1/x?connect_timeout=2: "),
    (("import", "{tmp}/missing"), "error: {tmp}/missing: no such output folder"),
])
def test_errors_are_one_line_exit_2_and_change_nothing(tmp_path, args, message):
    before = sorted(tmp_path.rglob("*"))
    result = run(*(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(tmp=tmp_path)), result.stderr
    assert result.stderr.count("\n") == 1 and "pw" not in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_a_bad_run_folder_names_the_file_and_imports_nothing(tmp_path):
    root = tmp_path / "output"
    write_run_folder(root, "2026-01-02", {"P1": 1.0})
    bad = write_run_folder(root, "2026-01-09", {"P1": 1.0})
    (bad / "metrics.csv").write_text("project_id,name\nP1,x\n")
    result = run("import", root)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {bad / 'metrics.csv'}: not a metrics table "
                             "(no column ac, bac, ev, overall_rag, pv)\n")
    assert not (root / "history.sqlite").exists()


def test_export_needs_a_portfolio_when_the_store_has_several(tmp_path):
    db = f"sqlite:///{tmp_path / 'history.sqlite'}"
    store = open_store(db, write=True)
    store.write(snapshot("2026-01-02", {"P1": 1.0}, name="A"))
    store.write(snapshot("2026-01-02", {"P1": 1.0}, name="B"))
    result = run("export", "--db", db, "--out", tmp_path / "x.csv")
    assert (result.exit_code, result.stderr) == (
        2, "error: the history database holds 2 portfolios (A, B); name one with --portfolio\n")
    assert run("export", "--db", db, "--out", tmp_path / "x.csv", "--portfolio", "B").exit_code == 0
    assert pd.read_csv(tmp_path / "x.csv")["project_id"].tolist() == ["P1"]


def test_upgrade_reports_the_version(tmp_path):
    db = f"sqlite:///{tmp_path / 'history.sqlite'}"
    open_store(db, write=True)
    assert run("upgrade", "--db", db).stdout.strip() == f"{db}: schema version 1"
