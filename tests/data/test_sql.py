"""Portfolios read from SQL databases: SQLite always, PostgreSQL on a real throwaway server."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.data.profile import parse_profile
from pmo_lib.errors import DataSourceError
from tests.conftest import VALID_TABLES

DATES = {"baseline_start", "baseline_finish", "date"}


def _frames(tables=VALID_TABLES) -> dict[str, pd.DataFrame]:
    frames = {}
    for name, text in tables.items():
        frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
        for column in frame.columns:
            if column in DATES:
                frame[column] = pd.to_datetime(frame[column]).dt.date
            elif column in ("budget", "amount", "percent_complete"):
                frame[column] = pd.to_numeric(frame[column].replace("", None))
        frames[name] = frame
    return frames


def _fill(url: str, frames: dict[str, pd.DataFrame], *, names: dict[str, str] | None = None) -> str:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for name, frame in frames.items():
            frame.to_sql((names or {}).get(name, name), connection, index=False)
    engine.dispose()
    return url


def test_a_database_loads_like_the_csv_folder(database_url, make_portfolio):
    from_db = load_portfolio(_fill(database_url, _frames()))
    from_csv = load_portfolio(make_portfolio())
    for name in ("projects", "tasks", "costs"):
        pd.testing.assert_frame_equal(from_db.table(name), from_csv.table(name), check_like=True)
    assert from_db.supplied == frozenset({"projects", "tasks", "costs"})


def test_problems_name_table_key_and_column(database_url):
    frames = _frames()
    frames["tasks"].loc[1, "percent_complete"] = 140
    frames["costs"].loc[2, "project_id"] = "P9"
    problems = [str(p) for p in check_portfolio(_fill(database_url, frames))[1]]
    assert problems == ["tasks:P1/T2:percent_complete: must be between 0 and 100 (140)",
                        "costs:#3:project_id: unknown project, not in projects (P9)"]


def test_profile_names_the_views_and_columns(database_url):
    frames = _frames()
    frames["projects"] = frames["projects"].rename(columns={"manager": "Project Manager", "program": "prog"})
    url = _fill(database_url, frames, names={"projects": "pmo_projects", "tasks": "v_tasks"})
    profile = parse_profile({"tables": {"projects": {"table": "pmo_projects", "columns": {"prog": "program"}},
                                        "tasks": {"table": "v_tasks"}}})
    portfolio = load_portfolio(url, profile)
    assert portfolio.projects["program"].tolist() == ["Digital", "Unassigned"]
    assert portfolio.projects["manager"].tolist() == ["Ann Lee", "Bo Chen"]
    assert len(portfolio.tasks) == 3


def test_a_missing_table_and_an_unreachable_server_are_one_line_without_password(sqlite_url):
    problems = [str(p) for p in check_portfolio(_fill(sqlite_url, {"projects": _frames()["projects"]}))[1]]
    assert problems == ["tasks: required table 'tasks' is missing", "costs: required table 'costs' is missing"]
    secret = uuid.uuid4().hex
    with pytest.raises(DataSourceError) as caught:
        load_portfolio(f"postgresql://pmo:{secret}@127.0.0.1:1/pmo")
    assert str(caught.value).startswith("postgresql://pmo:***@127.0.0.1:1/pmo: the database cannot be read (")
    assert secret not in str(caught.value)
