"""A history carried in a data folder: written, read back, and filled in beneath the store's periods."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.errors import HistoryError
from pmo_lib.history.files import read_history_files, write_history_files
from pmo_lib.history.series import TrendHistory
from tests.history.conftest import snapshot


def history(*days):
    out = TrendHistory("Demo")
    for i, day in enumerate(days):
        out = out.with_snapshot(snapshot(day, {"P1": 1.0 - 0.1 * i, "P2": 1.0}))
    return out


def test_round_trip(tmp_path):
    written = history("2026-01-02", "2026-01-09")
    write_history_files(written, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["milestones.csv", "projects.csv", "risks.csv",
                                                           "rollups.csv"]
    back = read_history_files(tmp_path, key="Demo")
    assert back.periods == 2
    assert back.project("P1")["spi"].round(6).tolist() == [1.0, 0.9]
    assert back.project("P1")["forecast_finish"].tolist() == [pd.Timestamp("2026-06-30")] * 2
    assert back.rollup("portfolio")[["red", "amber", "green"]].values.tolist() == [[0, 0, 2], [0, 1, 1]]
    assert back.project("P1")["rag_reason"].iloc[-1] == "schedule amber (SPI 0.90), cost amber (CPI 0.90)"


def test_the_stores_periods_win_and_later_periods_are_left_out():
    stored = history("2026-01-09")
    carried = history("2026-01-02", "2026-01-09", "2026-01-16").last(3)
    merged = stored.filled_from(carried, before=pd.Timestamp("2026-01-16"))
    assert [d.date().isoformat() for d in merged.dates] == ["2026-01-02", "2026-01-09"]
    assert merged.project("P1")["spi"].round(6).tolist() == [1.0, 1.0]  # 01-09 is the store's (its first period)


def test_a_missing_folder_is_none_and_a_bad_file_names_itself(tmp_path):
    assert read_history_files(tmp_path / "nope", key="Demo") is None
    (tmp_path / "projects.csv").write_text("project_id,spi\nP1,1\n")
    with pytest.raises(HistoryError, match=r"projects.csv: has no status_date column"):
        read_history_files(tmp_path, key="Demo")
