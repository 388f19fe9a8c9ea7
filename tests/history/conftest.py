"""Stores for the history tests: an SQLite file, and a database on the throwaway PostgreSQL server.

The server is ``postgres_server`` / ``postgres_url`` of ``tests/conftest.py``
(Debian's ``initdb`` and ``pg_ctl``, which ``.ci/run`` installs; skipped outside
CI when they are missing). Tests on PostgreSQL start a server, so they are in
the e2e tier.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.history.snapshot import snapshot_from_metrics


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
