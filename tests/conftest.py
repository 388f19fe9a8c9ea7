"""Shared fixtures: a tiny valid portfolio as CSV text, and ways to break it."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SAMPLE_PROJECTS, SAMPLE_PROGRAMS = 24, 4


def catalog_reports(params=None) -> list:
    """The enabled reports of the catalog (parameters/defaults.yaml ``reports``), the tests' source of truth.

    Tests count reports, scopes and mails from here, so that ``pmo-report new-report`` followed by
    ``make test`` stays green.
    """
    from pmo_lib.parameters import load_parameters

    return [entry for entry in (params or load_parameters()).reports if entry.enabled]


def expected_reports(*, projects: int, programs: int, params=None) -> int:
    """How many reports a run of the catalog produces for that many projects and programs.

    >>> expected_reports(projects=24, programs=4) >= 1 + 4 + 24
    True
    """
    per_scope = {"portfolio": 1, "program": programs, "project": projects}
    return sum(per_scope[entry.scope] for entry in catalog_reports(params))

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


# A throwaway PostgreSQL server for the database tests, made with Debian's own binaries (initdb and
# pg_ctl of the postgresql package, which .ci/run installs), on 127.0.0.1 at a free port, trusting
# local connections, removed at the end of the session. As root it runs as the postgres user
# (PostgreSQL refuses root). Outside CI the tests that need it skip when the binaries are missing;
# in CI a missing server is a failure.


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="session")
def postgres_server():
    """``postgresql+psycopg://postgres@127.0.0.1:PORT`` of a throwaway cluster (no database part)."""
    bindir = _bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) missing in CI: .ci/run installs them")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="pmo-pg-"))
    data, sock, log = base / "data", base / "sock", base / "server.log"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                    "-E", "UTF8", "--no-sync", "--no-instructions"]),
                   check=True, capture_output=True, env=env, timeout=120)
    subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                                    "-o", f"-h 127.0.0.1 -p {port} -k {sock} -F", "start"]),
                   check=True, capture_output=True, env=env, timeout=120)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, env=env, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A new, empty database on the throwaway server, for one test."""
    import psycopg

    name = f"pmo_{uuid.uuid4().hex[:12]}"
    server = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sample_pack_run(tmp_path_factory):
    """`pmo-report run --pdf` of the sample for PRJ-001 and PRJ-003 (one program): the pages, board pack
    and mail of a real run, shared by the layout, board pack and mail-weight tests (e2e)."""
    from click.testing import CliRunner

    from pmo_lib.cli.main import main
    from pmo_lib.parameters import PROJECT_ROOT

    out = tmp_path_factory.mktemp("sample-pack") / "2026-11-20"
    result = CliRunner().invoke(main, ["run", "--data", str(PROJECT_ROOT / "data" / "sample"),
                                       "--status-date", "2026-11-20", "--out", str(out),
                                       "--projects", "PRJ-003,PRJ-001", "--pdf"])
    assert result.exit_code == 0, result.output
    assert f"board pack: {out / 'board-pack.pdf'}" in result.output
    return out


@pytest.fixture
def sqlite_url(tmp_path):
    """An SQLite database file of one test."""
    return f"sqlite:///{tmp_path / 'pmo.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def database_url(request):
    """Each test runs against an SQLite file and a real PostgreSQL database (a server: the e2e tier)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
