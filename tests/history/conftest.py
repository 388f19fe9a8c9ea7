"""Stores for the history tests: an SQLite file, and a throwaway PostgreSQL server.

The PostgreSQL cluster is made with Debian's own binaries (``initdb``,
``pg_ctl`` of the ``postgresql`` package, which ``.ci/run`` installs),
listening on 127.0.0.1 on a free port with its socket in a temporary folder,
trusting local connections, and removed at the end of the session. As root it
runs as the ``postgres`` user (PostgreSQL refuses to run as root). Outside CI
(``CI`` unset) the tests that need it are skipped when the binaries are
missing; in CI a missing server is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import pytest

from pmo_lib.history.snapshot import snapshot_from_metrics


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


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'history.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request):
    """Each store test runs against an SQLite file and a real PostgreSQL database."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def metrics_frame(spis: dict[str, float], *, program: str = "Core") -> pd.DataFrame:
    """A small metrics table: BAC 100 each, PV 50, EV = 50 x SPI, AC 50 (so CPI = SPI)."""
    ids = list(spis)
    ev = [50.0 * spis[p] for p in ids]
    rag = ["green" if s >= 0.95 else "amber" if s >= 0.85 else "red" for s in spis.values()]
    return pd.DataFrame({"project_id": ids, "name": [f"Project {p}" for p in ids], "program": program,
                         "bac": 100.0, "pv": 50.0, "ev": ev, "ac": 50.0, "spi": [e / 50 for e in ev],
                         "cpi": [e / 50 for e in ev], "eac": [100 / (e / 50) for e in ev],
                         "forecast_finish": pd.Timestamp("2026-06-30"), "schedule_rag": rag, "cost_rag": rag,
                         "overall_rag": rag})


def snapshot(day: str, spis: dict[str, float], *, name: str = "Demo", **options):
    return snapshot_from_metrics(metrics_frame(spis), portfolio_name=name, status_date=day, **options)
