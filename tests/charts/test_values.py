"""The chart data conversion gives exactly Altair's records, and hands Altair what it does not handle."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from pmo_lib.charts._values import _column, to_values


def altair_values(frame):
    return alt.data.default_data_transformer(frame, max_rows=None)


COLUMNS = {
    "text": pd.Series(["A", None, "Ü <b>"], dtype="str"),
    "string": pd.Series(["A", pd.NA, "B"], dtype="string"),
    "object_text": pd.Series(["A", "B", "C"], dtype=object),
    "object_gaps": pd.Series(["A", None, float("nan")], dtype=object),
    "object_mixed": pd.Series(["A", 2, 3.5], dtype=object),
    "integer": pd.Series([1, -2, 3], dtype="int64"),
    "small_integer": pd.Series([1, 2, 3], dtype="int16"),
    "nullable_integer": pd.Series([1, None, 3], dtype="Int64"),
    "float": pd.Series([1.25, float("nan"), float("inf")], dtype="float64"),
    "float32": pd.Series([0.1, float("nan"), -float("inf")], dtype="float32"),
    "nullable_float": pd.Series([1.5, None, 2.0], dtype="Float64"),
    "bool": pd.Series([True, False, True]),
    "nullable_bool": pd.Series([True, None, False], dtype="boolean"),
    "date": pd.to_datetime(pd.Series(["2026-01-05 00:00", None, "2026-11-20 13:45"])),
    "date_seconds": pd.Series(pd.to_datetime(["2026-01-05", "2026-02-01", None])).astype("datetime64[s]"),
    "date_utc": pd.to_datetime(pd.Series(["2026-01-05", None, "2026-11-20"])).dt.tz_localize("UTC"),
    "category": pd.Series(["red", None, "green"], dtype="category"),
}


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_each_column_type_gives_altairs_records(name):
    frame = pd.DataFrame({name: COLUMNS[name], "n": [1, 2, 3]}).set_axis([7, 3, 5])
    ours, theirs = to_values(frame), altair_values(frame)
    assert ours == theirs
    assert [[type(v) for v in row.values()] for row in ours["values"]] == \
           [[type(v) for v in row.values()] for row in theirs["values"]]


def test_all_types_in_one_frame_and_the_worked_values():
    frame = pd.DataFrame(COLUMNS)
    assert to_values(frame) == altair_values(frame)
    first, second = to_values(frame)["values"][:2]
    assert first["date"] == "2026-01-05T00:00:00" and second["date"] == ""
    assert first["date_utc"] == "2026-01-05T00:00:00+00:00"
    assert second["float"] is None and to_values(frame)["values"][2]["float"] is None  # NaN and inf
    assert second["text"] is None and second["nullable_integer"] is None and second["category"] is None
    assert second["object_gaps"] != second["object_gaps"]  # NaN: what Altair gives under pandas 3
    assert first["integer"] == 1 and type(first["integer"]) is int


def test_empty_frames():
    assert to_values(pd.DataFrame({"a": pd.Series([], dtype=float)})) == {"values": []}
    assert to_values(pd.DataFrame(index=[0, 1])) == altair_values(pd.DataFrame(index=[0, 1]))


def test_what_altair_refuses_still_raises_altairs_error():
    frame = pd.DataFrame({"gap": pd.to_timedelta([1], unit="D")})
    with pytest.raises(ValueError) as ours:
        to_values(frame)
    with pytest.raises(ValueError) as theirs:
        altair_values(frame)
    assert "not supported by Altair" in str(ours.value) and str(ours.value) == str(theirs.value)


def test_column_names_that_are_not_text_are_altairs():
    frame = pd.DataFrame({0: [1], 1: [2]})
    assert to_values(frame) == altair_values(frame) == {"values": [{"0": 1, "1": 2}]}


def test_columns_handed_to_altair():
    arrays = pd.Series([np.array([1, 2]), None], dtype=object)
    assert _column(arrays) is None  # numpy arrays inside cells: Altair turns them into lists
    assert _column(pd.Series([pd.Timestamp("2026-01-01")], dtype=object)) is None
    assert _column(pd.Series(pd.period_range("2026-01", periods=2, freq="M"))) is None
    assert _column(pd.Series(["A", None], dtype=object)) is None  # a gap: Altair's own conversion
    assert _column(pd.Series(pd.to_timedelta([1], unit="D"))) is None
    frame = pd.DataFrame({"arrays": arrays})
    assert to_values(frame) == altair_values(frame) == {"values": [{"arrays": [1, 2]}, {"arrays": None}]}
    duplicated = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(Exception, match="unique column names"):  # Altair's error, not a wrong record
        to_values(duplicated)
