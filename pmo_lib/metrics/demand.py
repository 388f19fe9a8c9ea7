"""Demand: score and rank project requests, and see which approved ones fit the budget.

Each request gets three components between 0 and 1:

* alignment ``(strategic_alignment - 1) / 4`` (1 -> 0, 5 -> 1);
* value ``min(expected_benefit / estimated_cost, benefit_cap) / benefit_cap``,
  0 for a benefit of 0 or less, 1 for a positive benefit at no cost: a
  request returning ``benefit_cap`` (3) times its cost or more gets full
  marks, so a request's score never depends on the other requests;
* low risk ``(5 - risk_level) / 4`` (1 -> 1, 5 -> 0).

``score = 100 x (weighted sum of the components) / (sum of the weights)``.
Rank 1 is the best score; equal scores go to the earlier ``submitted_date``,
then the smaller ``request_id``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

FIT_COLUMNS = [
    "request_id", "title", "status", "estimated_cost", "score", "rank", "cumulative_cost", "fits",
]


@dataclass(frozen=True)
class DemandWeights:
    """How much each component counts in a request's score (any scale, not all zero).

    Examples
    --------
    >>> DemandWeights()
    DemandWeights(strategic_alignment=0.5, benefit_per_cost=0.3, risk=0.2)
    """

    strategic_alignment: float = 0.5
    benefit_per_cost: float = 0.3
    risk: float = 0.2

    def __post_init__(self) -> None:
        values = (self.strategic_alignment, self.benefit_per_cost, self.risk)
        if any(not math.isfinite(v) or v < 0 for v in values) or sum(values) == 0:
            raise ValueError(f"demand weights must be numbers >= 0, not all 0: {self}")


def score_demand(
    demand: pd.DataFrame, *, weights: DemandWeights = DemandWeights(), benefit_cap: float = 3.0
) -> pd.DataFrame:
    """Score every request from 0 to 100 and rank them (see the module docstring).

    Parameters
    ----------
    demand : DataFrame
        The demand table.
    weights : DemandWeights
        Weights of alignment, benefit per cost and (low) risk.
    benefit_cap : float, default 3.0
        The benefit/cost ratio that earns full marks for value.

    Returns
    -------
    DataFrame
        The input columns plus ``alignment_score``, ``value_score``,
        ``risk_score`` (0-1), ``score`` (0-100) and ``rank`` (1 = best),
        sorted by rank.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> demand = pd.concat([empty_table("demand"), pd.DataFrame({
    ...     "request_id": ["D1", "D2"], "title": ["CRM", "Wiki"], "sponsor": ["Sales", "IT"],
    ...     "estimated_cost": [100.0, 200.0], "expected_benefit": [300.0, 300.0],
    ...     "strategic_alignment": pd.array([5, 3], dtype="Int64"),
    ...     "risk_level": pd.array([1, 3], dtype="Int64"),
    ...     "submitted_date": pd.to_datetime(["2026-01-05", "2026-01-02"])})])
    >>> score_demand(demand)[["request_id", "value_score", "score", "rank"]]
      request_id  value_score  score  rank
    0         D1          1.0  100.0     1
    1         D2          0.5   50.0     2
    """
    if not benefit_cap > 0:
        raise ValueError(f"benefit_cap must be above 0, got {benefit_cap!r}")
    cost = demand["estimated_cost"].astype("float64")
    benefit = demand["expected_benefit"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cost > 0, benefit / cost, np.where(benefit > 0, np.inf, 0.0))
    components = pd.DataFrame(
        {
            "alignment_score": (demand["strategic_alignment"].astype("float64") - 1) / 4,
            "value_score": np.clip(ratio, 0.0, benefit_cap) / benefit_cap,
            "risk_score": (5 - demand["risk_level"].astype("float64")) / 4,
        },
        index=demand.index,
    )
    total = weights.strategic_alignment + weights.benefit_per_cost + weights.risk
    score = 100 * (
        weights.strategic_alignment * components["alignment_score"]
        + weights.benefit_per_cost * components["value_score"]
        + weights.risk * components["risk_score"]
    ) / total
    ranked = demand.assign(**components, score=score).sort_values(
        ["score", "submitted_date", "request_id"], ascending=[False, True, True]
    )
    return ranked.assign(rank=np.arange(1, len(ranked) + 1, dtype="int64")).reset_index(drop=True)


def demand_fit(
    demand: pd.DataFrame,
    *,
    capacity: float,
    weights: DemandWeights = DemandWeights(),
    benefit_cap: float = 3.0,
    statuses: tuple[str, ...] = ("approved",),
) -> pd.DataFrame:
    """Check which requests fit the remaining budget capacity, best-ranked first.

    The requests whose status is in ``statuses`` are taken in rank order
    (:func:`score_demand`) and their ``estimated_cost`` added up; a request
    fits while that running total stays within ``capacity``. Once one does
    not fit, none after it does (no skipping ahead to cheaper ones).

    Parameters
    ----------
    capacity : float
        The budget still free for new work (>= 0).
    statuses : tuple of str, default ("approved",)
        Which requests compete for it.

    Returns
    -------
    DataFrame
        ``request_id, title, status, estimated_cost, score, rank,
        cumulative_cost, fits``, in rank order.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> demand = pd.concat([empty_table("demand"), pd.DataFrame({
    ...     "request_id": ["D1", "D2"], "title": ["CRM", "Wiki"], "sponsor": ["Sales", "IT"],
    ...     "estimated_cost": [100.0, 200.0], "expected_benefit": [300.0, 300.0],
    ...     "strategic_alignment": pd.array([5, 3], dtype="Int64"),
    ...     "risk_level": pd.array([1, 3], dtype="Int64"),
    ...     "status": pd.Categorical(["approved"] * 2,
    ...                              categories=["submitted", "approved", "rejected", "deferred"]),
    ...     "submitted_date": pd.to_datetime(["2026-01-05", "2026-01-02"])})])
    >>> demand_fit(demand, capacity=250.0)[["request_id", "cumulative_cost", "fits"]]
      request_id  cumulative_cost   fits
    0         D1            100.0   True
    1         D2            300.0  False
    """
    if not (isinstance(capacity, numbers.Real) and math.isfinite(capacity) and capacity >= 0):
        raise ValueError(f"capacity must be a number >= 0, got {capacity!r}")
    scored = score_demand(demand, weights=weights, benefit_cap=benefit_cap)
    chosen = scored[scored["status"].isin(statuses)]
    cumulative = chosen["estimated_cost"].astype("float64").cumsum()
    out = chosen.assign(cumulative_cost=cumulative, fits=cumulative.le(capacity))
    return out[FIT_COLUMNS].reset_index(drop=True)
