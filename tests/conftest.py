"""Shared fixtures: a tiny valid portfolio as CSV text, and ways to break it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"

VALID_TABLES = {
    "projects": (
        "project_id,name,program,manager,sponsor,status,budget\n"
        "P1,Billing revamp,Digital,Ann Lee,Sam Ode,active,1000\n"
        "P2,Grid sensors,,Bo Chen,Sam Ode,,500\n"
    ),
    "tasks": (
        "project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget,is_milestone\n"
        "P1,T1,Design,2024-01-01,2024-01-11,100,400,false\n"
        "P1,T2,Build,2024-01-11,2024-01-31,50,600,no\n"
        "P2,T1,Go-live,2024-02-01,2024-02-01,0,0,yes\n"
    ),
    "costs": (
        "project_id,date,amount,category\n"
        "P1,2024-01-05,300,Labour\n"
        "P1,2024-01-12,250.5,Labour\n"
        "P1,2024-01-19,-50,Labour\n"
    ),
}


def write_tables(folder: Path, tables: dict[str, str | None]) -> Path:
    """Write CSV texts into ``folder``; a None value leaves that table out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def make_portfolio(tmp_path):
    """Return a function writing the valid tiny portfolio with some tables replaced."""

    def make(**replacements: str | None) -> Path:
        tables = {**VALID_TABLES, **replacements}
        return write_tables(tmp_path / "portfolio", tables)

    return make
