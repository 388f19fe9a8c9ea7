"""Demand scoring, ranking and budget fit.

Default weights 0.5 alignment, 0.3 value, 0.2 low risk (sum 1); value cap 3x.
"""

import numpy as np
import pandas as pd
import pytest

from pmo_lib.data.tables import empty_table
from pmo_lib.metrics.demand import FIT_COLUMNS, DemandWeights, demand_fit, score_demand

# id, alignment, risk, cost, benefit, status, submitted
ROWS = [
    ("Q1", 5, 1, 100.0, 300.0, "approved", "2026-01-20"),  # 1, 1 (3x), 1 -> 100
    ("Q2", 3, 3, 200.0, 300.0, "approved", "2026-01-10"),  # .5, .5 (1.5x), .5 -> 50
    ("Q3", 1, 5, 100.0, 0.0, "approved", "2026-01-01"),  # 0, 0, 0 -> 0
    ("Q4", 4, 2, 0.0, 10.0, "approved", "2026-01-15"),  # .75, 1 (free), .75 -> 37.5+30+15 = 82.5
    ("Q5", 3, 3, 100.0, 150.0, "submitted", "2026-01-05"),  # as Q2 -> 50, submitted earlier
    ("Q6", 2, 4, 50.0, -20.0, "rejected", "2026-01-02"),  # .25, 0 (loss), .25 -> 12.5+0+5 = 17.5
]


@pytest.fixture
def demand(table):
    rid, align, risk, cost, benefit, status, submitted = (list(c) for c in zip(*ROWS))
    return table(
        "demand", request_id=rid, title=rid, sponsor=["S"] * 6, estimated_cost=cost,
        expected_benefit=benefit, strategic_alignment=align, risk_level=risk, status=status,
        submitted_date=submitted,
    )


def test_score_and_rank(demand):
    before = demand.copy()
    result = score_demand(demand)
    pd.testing.assert_frame_equal(demand, before)
    assert result["request_id"].tolist() == ["Q1", "Q4", "Q5", "Q2", "Q6", "Q3"]  # Q5 before Q2: earlier
    assert result["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert result["score"].tolist() == pytest.approx([100.0, 82.5, 50.0, 50.0, 17.5, 0.0])
    rows = result.set_index("request_id")
    assert rows.loc["Q4", ["alignment_score", "value_score", "risk_score"]].tolist() == [0.75, 1.0, 0.75]
    assert rows.loc["Q6", "value_score"] == 0.0


def test_weights_are_normalised(demand):
    only_alignment = score_demand(demand, weights=DemandWeights(1, 0, 0)).set_index("request_id")
    doubled = score_demand(demand, weights=DemandWeights(2, 0, 0)).set_index("request_id")
    # (a - 1) / 4 x 100: Q1 100, Q4 75, Q2 and Q5 50, Q6 25, Q3 0
    assert only_alignment["score"].to_dict() == {
        "Q1": 100.0, "Q4": 75.0, "Q5": 50.0, "Q2": 50.0, "Q6": 25.0, "Q3": 0.0,
    }
    pd.testing.assert_frame_equal(only_alignment, doubled)


def test_benefit_cap(demand):
    # cap 1.5: Q2 (1.5x) now gets full value marks: 100 x (.5 x .5 + .3 x 1 + .2 x .5) = 65
    rows = score_demand(demand, benefit_cap=1.5).set_index("request_id")
    assert rows.loc["Q2", "score"] == pytest.approx(65.0)


@pytest.mark.parametrize("bad", [(-1, 0.5, 0.5), (0, 0, 0), (np.nan, 1, 1)])
def test_invalid_weights(bad):
    with pytest.raises(ValueError, match="weights"):
        DemandWeights(*bad)


def test_demand_fit(demand):
    result = demand_fit(demand, capacity=300.0)
    assert list(result.columns) == FIT_COLUMNS
    # approved in rank order: Q1 100 -> 100, Q4 0 -> 100, Q2 200 -> 300, Q3 100 -> 400
    assert result[["request_id", "cumulative_cost", "fits"]].values.tolist() == [
        ["Q1", 100.0, True], ["Q4", 100.0, True], ["Q2", 300.0, True], ["Q3", 400.0, False],
    ]
    # 250: Q2 no longer fits, and Q3 after it does not either although 100 + 100 <= 250
    assert demand_fit(demand, capacity=250.0)["fits"].tolist() == [True, True, False, False]
    both = demand_fit(demand, capacity=300.0, statuses=("approved", "submitted"))
    assert both["request_id"].tolist() == ["Q1", "Q4", "Q5", "Q2", "Q3"]


def test_demand_fit_rejects_bad_capacity(demand):
    with pytest.raises(ValueError, match="capacity"):
        demand_fit(demand, capacity=float("nan"))
    with pytest.raises(ValueError, match="capacity"):
        demand_fit(demand, capacity=-1.0)


def test_empty_demand():
    demand = empty_table("demand")
    scored = score_demand(demand)
    assert scored.empty and {"score", "rank"} <= set(scored.columns)
    fit = demand_fit(demand, capacity=0.0)
    assert fit.empty and list(fit.columns) == FIT_COLUMNS
