"""Program and portfolio roll-ups (spec section 2, "Roll-ups") and the exposure rule of their headline.

Sums BAC, PV, EV, AC, EAC (and its variants) and ETC over projects and
recomputes every ratio from the sums through :func:`evm_from_totals`
(``SPI = sum EV / sum PV``); ratios are never averaged.

A project whose EAC is undefined (CPI is 0 or undefined: nothing earned yet)
still has a forecast cost, so in the EAC sums it counts at
``AC + (BAC - EV)`` (the "atypical" EAC: money spent plus the budget of the
work left, i.e. its BAC if it has not started), with a missing BAC, EV or AC
taken as 0 (a project with costs but no tasks counts at its AC). Leaving it
out would understate the forecast; making the whole sum undefined would hide
every other project's figure. ``eac_fallback_projects`` says how many projects
entered that way, so a reader knows how much of the EAC is a fallback. The
same rule fills ``eac_composite``. ``etc = eac - ac`` and ``vac = bac - eac``
are then taken from the sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_lib.metrics.evm import EVM_COLUMNS, EVM_TOTALS, evm_from_totals
from pmo_lib.metrics.reasons import format_share
from pmo_lib.metrics.status import as_decimal
from pmo_lib.rag import RAG_ORDER

ROLLUP_COLUMNS = ("projects",) + EVM_COLUMNS + ("eac_fallback_projects", "planned_start", "planned_finish")


def _aggregate(frame: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """Sum one group of projects per distinct value of ``keys``."""
    per = evm_from_totals(frame[list(EVM_TOTALS)].astype("float64"))
    known = per[["bac", "ev", "ac"]].fillna(0.0)
    fallback = known["ac"] + known["bac"] - known["ev"]
    has_data = per[["bac", "ac"]].notna().any(axis=1)
    parts = pd.DataFrame(
        {
            "projects": 1,
            **{c: per[c] for c in EVM_TOTALS},
            "eac": per["eac"].fillna(fallback),
            "eac_composite": per["eac_composite"].fillna(fallback),
            "eac_fallback_projects": (per["eac"].isna() & has_data).astype("int64"),
        },
        index=frame.index,
    )
    grouped = parts.groupby(keys.to_numpy(), sort=True, dropna=False)
    sums = grouped.sum()
    out = evm_from_totals(sums[list(EVM_TOTALS)])
    out["eac"] = sums["eac"]
    out["eac_composite"] = sums["eac_composite"]
    out["etc"] = out["eac"] - out["ac"]
    out["vac"] = out["bac"] - out["eac"]
    out.insert(0, "projects", sums["projects"])
    out["eac_fallback_projects"] = sums["eac_fallback_projects"]
    for column, how in (("planned_start", "min"), ("planned_finish", "max")):
        if column in frame.columns:
            out[column] = frame[column].groupby(keys.to_numpy(), sort=True, dropna=False).agg(how)
        else:
            out[column] = pd.Series(np.nan, index=out.index, dtype="datetime64[ns]")
    return out[list(ROLLUP_COLUMNS)]


def _by_project(project_frame: pd.DataFrame) -> pd.DataFrame:
    """Index the frame by project_id (it may hold it as a column, as ``metrics_table`` does)."""
    if "project_id" in project_frame.columns:
        return project_frame.set_index("project_id")
    return project_frame


def rollup(project_frame: pd.DataFrame, projects: pd.DataFrame, *, by: str = "program") -> pd.DataFrame:
    """Roll per-project metrics up to programs (or any other ``projects`` column).

    Parameters
    ----------
    project_frame : DataFrame
        Per-project metrics with ``bac, pv, ev, ac`` (and optionally
        ``planned_start``, ``planned_finish``), indexed by ``project_id`` or
        holding it as a column: ``earned_value`` or ``metrics_table`` output.
        Every row is counted, whatever the project's status; filter first to
        leave closed or cancelled projects out.
    projects : DataFrame
        The ``projects`` table, mapping each ``project_id`` to its ``by`` value.
    by : str
        The ``projects`` column to group by.

    Returns
    -------
    DataFrame
        One row per group, sorted: ``projects`` (count), ``bac, pv, ev, ac``,
        ``sv, cv, spi, cpi`` and ``tcpi`` recomputed from the sums, ``eac``,
        ``eac_composite`` summed (see the module notes for undefined EACs),
        ``eac_atypical``, ``etc``, ``vac`` from those sums,
        ``eac_fallback_projects``, ``planned_start`` (earliest) and
        ``planned_finish`` (latest).

    Examples
    --------
    >>> metrics = pd.DataFrame({"bac": [100.0, 300.0], "pv": [50.0, 150.0],
    ...     "ev": [50.0, 90.0], "ac": [40.0, 100.0]}, index=["P1", "P2"])
    >>> projects = pd.DataFrame({"project_id": ["P1", "P2"], "program": ["Core", "Core"]})
    >>> core = rollup(metrics, projects).loc["Core"]
    >>> float(core["spi"]), float(core["cpi"])  # 140 / 200 and 140 / 140, not averages
    (0.7, 1.0)
    """
    frame = _by_project(project_frame)
    keys = projects.set_index("project_id")[by].reindex(frame.index)
    out = _aggregate(frame, keys)
    out.index.name = by
    return out


def portfolio_totals(project_frame: pd.DataFrame, *, label: str = "Portfolio") -> pd.DataFrame:
    """Roll every project up into one row, like :func:`rollup` does per program.

    Parameters
    ----------
    project_frame : DataFrame
        Per-project metrics, as for :func:`rollup`.
    label : str
        The index value of the single row.

    Returns
    -------
    DataFrame
        One row indexed by ``label``, with the columns of :func:`rollup`.

    Examples
    --------
    >>> metrics = pd.DataFrame({"bac": [100.0, 300.0], "pv": [0.0, 150.0],
    ...     "ev": [0.0, 90.0], "ac": [0.0, 100.0]}, index=["P1", "P2"])
    >>> total = portfolio_totals(metrics).loc["Portfolio"]
    >>> float(total["eac"])  # P2: 300 / 0.9 = 333.33...; P1 has not started: its BAC, 100
    433.3333333333333
    >>> int(total["eac_fallback_projects"])
    1
    """
    frame = _by_project(project_frame)
    out = _aggregate(frame, pd.Series(label, index=frame.index))
    out.index.name = None
    return out


def exposure(metrics: pd.DataFrame, keys, *, red_share: float = 0.15, amber_share: float = 0.30) -> pd.DataFrame:
    """The exposure rule of a roll-up: how much of the scope's BAC sits in red and amber projects.

    Parameters
    ----------
    metrics : DataFrame
        One row per project with ``bac`` and ``overall_rag``.
    keys : Series or array-like
        The group of each row (program, or one label for the portfolio).
    red_share, amber_share : float
        Red when red projects hold at least ``red_share`` of the BAC; amber
        when red and amber projects together hold at least ``amber_share``.
        Shares are compared as decimals (:func:`as_decimal`).

    Returns
    -------
    DataFrame
        One row per group: ``red, amber, green, grey`` (project counts),
        ``red_bac_share`` and ``amber_bac_share`` (shares of the group's BAC;
        NaN when it is 0), ``exposure_rag`` and ``exposure_reason``.

    Examples
    --------
    >>> metrics = pd.DataFrame({"bac": [20.0, 10.0, 70.0], "overall_rag": ["red", "amber", "green"]})
    >>> row = exposure(metrics, ["All"] * 3).loc["All"]
    >>> row["exposure_rag"], row["exposure_reason"]
    ('red', 'exposure red: red projects hold 20 % of the budget (≥ 15 %)')
    """
    level = metrics["overall_rag"].map(lambda v: v if v in RAG_ORDER else "grey")
    bac = metrics["bac"].astype("float64").fillna(0.0)
    keys = np.asarray(keys)
    counts = pd.crosstab(keys, level).reindex(columns=["red", "amber", "green", "grey"], fill_value=0)
    money = bac.groupby(keys).sum()
    red_bac = bac.where(level.eq("red"), 0.0).groupby(keys).sum()
    amber_bac = bac.where(level.eq("amber"), 0.0).groupby(keys).sum()
    out = counts.astype("int64")
    out.index.name, out.columns.name = None, None
    total = money.reindex(out.index).where(lambda x: x > 0)
    out["red_bac_share"] = red_bac.reindex(out.index) / total
    out["amber_bac_share"] = amber_bac.reindex(out.index) / total
    red_part = as_decimal(out["red_bac_share"])
    both = as_decimal(out["red_bac_share"] + out["amber_bac_share"])
    red = red_part.ge(as_decimal(red_share))
    amber = both.ge(as_decimal(amber_share))
    out["exposure_rag"] = np.select([total.isna(), red, amber], ["grey", "red", "amber"], "green")

    def reason(row):
        if row["exposure_rag"] == "grey":
            return "exposure not rated: no budget"
        if row["exposure_rag"] == "red":
            return (f"exposure red: red projects hold {format_share(row['red_bac_share'], red_share)} of the budget "
                    f"(≥ {format_share(red_share, red_share)})")
        share = row["red_bac_share"] + row["amber_bac_share"]
        if row["exposure_rag"] == "amber":
            return (f"exposure amber: red and amber projects hold {format_share(share, amber_share)} of the budget "
                    f"(≥ {format_share(amber_share, amber_share)})")
        return (f"exposure green: red and amber projects hold {format_share(share, amber_share)} of the budget "
                f"(< {format_share(amber_share, amber_share)})")

    out["exposure_reason"] = [reason(r) for _, r in out.iterrows()]
    return out
