"""Tests for pmo_lib.charts.s_curve."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.charts.s_curve import SERIES_NAMES, s_curve_chart


@pytest.fixture
def curve() -> pd.DataFrame:
    dates = pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-16", "2026-01-02", "2026-01-09",
                            "2026-01-09", "2026-01-09", "2026-02-06"])
    return pd.DataFrame({
        "project_id": ["P1"] * 8,
        "date": dates,
        "series": ["pv", "pv", "pv", "ac", "ac", "ev", "eac_forecast", "eac_forecast"],
        "value": [0.0, 350.0, 700.0, 0.0, 400.0, 300.0, 400.0, 933.0],
    })


def test_bac_line_lines_point_and_status_rule_under_one_legend(curve, values, marks):
    spec = s_curve_chart(curve, status_date="2026-01-09").to_dict()
    assert marks(spec) == ["rule", "text", "line", "point", "rule", "text"]
    assert values(spec, 1) == [{"value": 700.0, "label": "BAC €700", "date": "2026-02-13T00:00:00"}]
    lines, point = spec["layer"][2]["encoding"], spec["layer"][3]["encoding"]
    names = [SERIES_NAMES[s] for s in ("pv", "ev", "ac", "eac_forecast")]
    assert lines["color"]["scale"]["domain"] == names == point["color"]["scale"]["domain"]
    assert lines["strokeDash"]["legend"] is None and "shape" not in point  # one legend: colour
    assert lines["strokeDash"]["scale"]["range"][-1] == [6, 4]  # the forecast is dashed
    assert {row["series"] for row in values(spec, 2)} == {"pv", "ac", "eac_forecast"}
    assert [row["value"] for row in values(spec, 3)] == [300.0]  # EV is the point
    y = lines["y"]
    assert y["title"] == "Cumulative cost (EUR)" and "'€'" in y["axis"]["labelExpr"]
    assert y["scale"]["domain"] == [0, pytest.approx(933.0 * 1.08)]  # the forecast's end inside the plot
    x_end = pd.Timestamp(lines["x"]["scale"]["domain"][1])
    assert x_end == pd.Timestamp("2026-02-13")  # a week past the forecast's last date
    assert spec["layer"][2]["mark"]["clip"] is True


def test_status_rule_is_at_the_given_date_else_at_the_ev_point(curve, values):
    given = s_curve_chart(curve, status_date="2026-01-23").to_dict()
    [rule] = values(given, 4, 0)
    assert rule["date"].startswith("2026-01-23") and rule["label"] == "Status date 2026-01-23"
    inferred = s_curve_chart(curve).to_dict()
    assert values(inferred, 4, 0)[0]["date"].startswith("2026-01-09")
    no_ev = s_curve_chart(curve[curve["series"] != "ev"]).to_dict()
    assert [layer["mark"]["type"] for layer in no_ev["layer"]] == ["rule", "text", "line"]


def test_renders_title_axis_and_legend(curve, render):
    svg, soup = render(s_curve_chart(curve, currency="GBP", title="Billing revamp: cost"))
    text = soup.get_text(" ")
    for expected in ("Billing revamp: cost", "Cumulative cost (GBP)", "Planned value (PV)",
                     "Forecast (EAC)", "Earned value (EV)", "Status date 2026-01-09", "Feb 2026",
                     "BAC £700", "£800"):
        assert expected in text
    assert text.count("Earned value (EV)") == 1  # one legend entry


def test_hostile_title_is_escaped_text(curve, render, hostile):
    svg, soup = render(s_curve_chart(curve, title=hostile[1]))
    assert hostile[1] in soup.get_text()
    assert "<script>" not in svg


def test_empty_input_gives_a_no_data_chart(curve, render):
    chart = s_curve_chart(curve.iloc[:0])
    assert chart.to_dict()["mark"]["type"] == "text"
    assert "No data" in render(chart)[1].get_text()
    assert s_curve_chart(pd.DataFrame()).to_dict()["mark"]["type"] == "text"
    unknown = curve.assign(series="something else")
    assert s_curve_chart(unknown).to_dict()["mark"]["type"] == "text"


def test_several_projects_are_refused_and_the_input_is_not_changed(curve):
    before = curve.copy()
    s_curve_chart(curve)
    pd.testing.assert_frame_equal(curve, before)
    with pytest.raises(ValueError, match="one project"):
        s_curve_chart(pd.concat([curve, curve.assign(project_id="P2")]))
