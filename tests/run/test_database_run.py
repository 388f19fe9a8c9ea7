"""A run from a PostgreSQL database: reports made, and the URL's password in no file of the run."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e  # runs the report suite against a real server


def test_run_from_postgresql_keeps_the_password_out_of_every_file(postgres_url, tmp_path):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        for file in sorted(SAMPLE.glob("*.csv")):
            pd.read_csv(file, dtype=str, keep_default_na=False).to_sql(file.stem, connection, index=False)
    engine.dispose()
    secret = uuid.uuid4().hex
    url = postgres_url.replace("postgres@", f"postgres:{secret}@")  # the throwaway server trusts, so any password
    out = tmp_path / "output" / "2026-11-20"
    result = CliRunner().invoke(main, ["run", "--data", url, "--status-date", "2026-11-20", "--out", str(out),
                                       "--projects", "PRJ-008"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().startswith("3 reports ok, 0 failed")
    assert (out / "projects" / "PRJ-008.html").is_file()
    leaked = [p for p in out.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert leaked == []
    assert secret not in result.stderr and secret not in result.stdout
