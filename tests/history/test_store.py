"""The snapshot store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from pmo_lib.errors import HistoryError
from pmo_lib.history import migrations, schema
from pmo_lib.history.store import history_url, open_store, shown_url
from tests.history.conftest import snapshot


def test_writes_and_reads_back_a_series(database_url):
    store = open_store(database_url, write=True)
    for day, spi in (("2026-01-02", 1.0), ("2026-01-09", 0.9), ("2026-01-16", 0.8)):
        store.write(snapshot(day, {"P1": spi, "P2": 1.0}))
    history = open_store(database_url).read_series("Demo")
    assert [d.date().isoformat() for d in history.dates] == ["2026-01-02", "2026-01-09", "2026-01-16"]
    assert history.project("P1")["spi"].round(6).tolist() == [1.0, 0.9, 0.8]
    assert history.project("P1")["forecast_finish"].tolist() == [pd.Timestamp("2026-06-30")] * 3
    portfolio = history.rollup("portfolio")
    assert portfolio["spi"].round(6).tolist() == [1.0, 0.95, 0.9]
    assert portfolio[["red", "amber", "green"]].values.tolist() == [[0, 0, 2], [0, 1, 1], [1, 0, 1]]
    assert history.project("P1")["rag_reason"].iloc[-1] == "schedule red (SPI 0.80), cost red (CPI 0.80)"


def test_rerunning_a_status_date_replaces_it(database_url):
    store = open_store(database_url, write=True)
    assert store.write(snapshot("2026-01-09", {"P1": 0.8, "P2": 1.0})).replaced is False
    result = store.write(snapshot("2026-01-09", {"P1": 0.9, "P2": 1.0, "P3": 1.0}))
    assert result.replaced is True
    history = store.read_series("Demo")
    assert history.periods == 1
    assert sorted(history.projects["project_id"]) == ["P1", "P2", "P3"]
    assert history.project("P1")["spi"].round(6).tolist() == [0.9]
    assert store.portfolios()[["portfolio", "snapshots"]].values.tolist() == [["Demo", 1]]


def test_a_failed_write_leaves_the_store_as_it_was(database_url):
    store = open_store(database_url, write=True)
    store.write(snapshot("2026-01-02", {"P1": 1.0}))
    bad = snapshot("2026-01-09", {"P1": 0.9})
    bad.rollups = pd.concat([bad.rollups, bad.rollups.assign(name=None)])  # name is NOT NULL: fails mid-write
    with pytest.raises(HistoryError):
        store.write_many([snapshot("2026-01-02", {"P1": 0.5}), bad])
    history = store.read_series("Demo")
    assert [d.date().isoformat() for d in history.dates] == ["2026-01-02"]
    assert history.project("P1")["spi"].tolist() == [1.0]


def test_portfolios_never_mix(database_url):
    store = open_store(database_url, write=True)
    store.write(snapshot("2026-01-02", {"P1": 1.0, "P2": 1.0}))
    other = store.write(snapshot("2026-01-09", {"X1": 0.5, "X2": 0.5}))
    assert other.portfolio_key.startswith("Demo [") and "0 of this run's 2 shared" in other.note
    # the same portfolio again continues its series, even with a project added
    same = store.write(snapshot("2026-01-09", {"P1": 0.9, "P2": 1.0, "P3": 1.0}))
    assert (same.portfolio_key, same.note) == ("Demo", None)
    again = store.write(snapshot("2026-01-16", {"X1": 0.6, "X2": 0.5}))
    assert (again.portfolio_key, again.note) == (other.portfolio_key, None)
    assert store.dates("Demo") == [dt.date(2026, 1, 2), dt.date(2026, 1, 9)]
    assert store.dates(other.portfolio_key) == [dt.date(2026, 1, 9), dt.date(2026, 1, 16)]
    assert store.series_key("Demo", ["X1", "X2"]) == (other.portfolio_key, None)


def test_read_series_before_a_date_and_last_periods(database_url):
    store = open_store(database_url, write=True)
    days = pd.date_range("2026-01-02", periods=6, freq="7D")
    store.write_many([snapshot(d.date().isoformat(), {"P1": 0.5 + 0.1 * i}) for i, d in enumerate(days)])
    history = store.read_series("Demo", before=dt.date(2026, 2, 6), periods=3)
    assert [d.date().isoformat() for d in history.dates] == ["2026-01-16", "2026-01-23", "2026-01-30"]


def test_export_frame_has_status_date_project_id_then_metrics_columns(database_url):
    store = open_store(database_url, write=True)
    store.write(snapshot("2026-01-09", {"P2": 0.9, "P1": 1.0}))
    store.write(snapshot("2026-01-02", {"P1": 1.0, "P2": 1.0}))
    frame = store.export_frame()
    assert list(frame.columns[:5]) == ["status_date", "project_id", "name", "program", "bac"]
    assert list(frame.columns) == ["status_date", "project_id"] + [c for c in schema.PROJECT_COLUMNS
                                                                   if c != "project_id"]
    assert frame[["status_date", "project_id"]].astype(str).values.tolist() == [
        ["2026-01-02", "P1"], ["2026-01-02", "P2"], ["2026-01-09", "P1"], ["2026-01-09", "P2"]]
    with pytest.raises(HistoryError, match="portfolio 'Nope' is not in the history database"):
        store.export_frame("Nope")


def test_newer_schema_is_refused_and_nothing_changes(database_url):
    open_store(database_url, write=True).write(snapshot("2026-01-02", {"P1": 1.0}))
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE pmo_schema SET value = '99' WHERE key = 'schema_version'"))
    for write in (False, True):
        with pytest.raises(HistoryError, match="schema version 99, newer than this pmo-reports understands"):
            open_store(database_url, write=write)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM pmo_snapshots")).scalar() == 1
    engine.dispose()


def test_an_older_store_is_upgraded_by_its_migrations(database_url, monkeypatch):
    open_store(database_url, write=True).write(snapshot("2026-01-02", {"P1": 1.0}))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 2, ["ALTER TABLE pmo_risk_snapshots ADD COLUMN owner TEXT"])
    with pytest.raises(HistoryError, match="older than 2; run `pmo-report history upgrade"):
        open_store(database_url, write=False)
    store = open_store(database_url, write=True)
    assert store.version == 2
    engine = create_engine(database_url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT value FROM pmo_schema")).scalar() == "2"
        conn.execute(text("SELECT owner FROM pmo_risk_snapshots"))  # the migration's column exists
    engine.dispose()


def test_a_store_of_someone_else_is_refused(sqlite_url):
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pmo_snapshots (id INTEGER)"))
    engine.dispose()
    with pytest.raises(HistoryError, match="has pmo-reports tables but no schema version"):
        open_store(sqlite_url, write=True)


@pytest.mark.parametrize(("url", "message"), [
    ("nonsense://x", "unsupported database"),
    ("this is not a url", "is not a database URL"),
    ("sqlite:///{tmp}/missing/history.sqlite", "folder .* does not exist"),
])
def test_bad_urls_are_one_line_errors(tmp_path, url, message):
    with pytest.raises(HistoryError, match=message) as caught:
        open_store(url.format(tmp=tmp_path), write=True)
    assert "\n" not in str(caught.value)


def test_unreachable_server_is_one_line_without_the_password():
    url = "postgresql+psycopg://pmo:s3cret@127.0.0.1:1/pmo?connect_timeout=2"
    with pytest.raises(HistoryError) as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
    assert "pmo:***@127.0.0.1:1/pmo" in str(caught.value)
    assert shown_url(url).startswith("postgresql+psycopg://pmo:***@")


def test_read_only_open_of_a_missing_sqlite_file_creates_nothing(tmp_path):
    with pytest.raises(HistoryError, match="no history database at"):
        open_store(f"sqlite:///{tmp_path / 'history.sqlite'}")
    assert list(tmp_path.iterdir()) == []


def test_history_url_order(tmp_path, monkeypatch):
    monkeypatch.delenv("PMO_HISTORY_DB", raising=False)
    assert history_url(None, output_root=tmp_path) == f"sqlite:///{tmp_path / 'history.sqlite'}"
    assert history_url(None, output_root=None) is None
    monkeypatch.setenv("PMO_HISTORY_DB", "postgresql+psycopg://h/db")
    assert history_url(None, output_root=tmp_path) == "postgresql+psycopg://h/db"
    assert history_url("sqlite:///x.sqlite", output_root=tmp_path) == "sqlite:///x.sqlite"
