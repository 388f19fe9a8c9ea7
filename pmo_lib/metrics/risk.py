"""The risk register: scores, exposure, heat map, top risks and a risk RAG.

Rules (as of the status date T):

* A risk raised after T is not in the register yet (no ``raised_date``: it is).
* ``score = probability x impact`` (1-25).
* ``probability_band``: probability 1..5 stands for 10 %, 30 %, 50 %, 70 %,
  90 % (0.1 .. 0.9).
* ``exposure = probability_band x cost_impact``; NaN where the cost impact is
  not given (unknown, not zero). Totals add the known exposures only.
* A risk is **overdue** when it is open and its ``due_date`` is before T.
"""

from __future__ import annotations

import pandas as pd

from pmo_lib.metrics._dates import StatusDate, happened, status_timestamp, whole_days
from pmo_lib.metrics._rag import per_project, rag
from pmo_lib.parameters import RiskRules

_RULES = RiskRules()

SCALE = range(1, 6)
SUMMARY_COLUMNS = ["project_id", "risks", "open", "high", "exposure", "overdue", "max_score"]


def risk_register(risks: pd.DataFrame, *, status_date: StatusDate) -> pd.DataFrame:
    """Return the risks raised by the status date with their score, exposure and overdue flag.

    Returns
    -------
    DataFrame
        The input columns plus ``score`` (Int64), ``probability_band``,
        ``exposure``, ``overdue`` (bool) and ``days_overdue`` (Int64, ``<NA>``
        unless overdue); sorted by project, highest score first, then risk id.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> risks = pd.concat([empty_table("risks"), pd.DataFrame({
    ...     "project_id": ["P1"], "risk_id": ["R1"], "title": ["Vendor late"],
    ...     "probability": pd.array([4], dtype="Int64"), "impact": pd.array([5], dtype="Int64"),
    ...     "status": pd.Categorical(["open"], categories=["open", "closed"]),
    ...     "due_date": pd.to_datetime(["2026-03-01"]), "cost_impact": [10000.0]})])
    >>> risk_register(risks, status_date="2026-03-11")[
    ...     ["score", "probability_band", "exposure", "overdue", "days_overdue"]]
       score  probability_band  exposure  overdue  days_overdue
    0     20               0.7    7000.0     True            10
    """
    status = status_timestamp(status_date)
    raised = risks[risks["raised_date"].isna() | happened(risks["raised_date"], status)]
    band = (2 * raised["probability"].astype("float64") - 1) / 10
    overdue = raised["status"].eq("open") & raised["due_date"].lt(status)
    return (
        raised.assign(
            score=(raised["probability"] * raised["impact"]).astype("Int64"),
            probability_band=band,
            exposure=band * raised["cost_impact"],
            overdue=overdue,
            days_overdue=whole_days(status - raised["due_date"]).where(overdue),
        )
        .sort_values(["project_id", "score", "risk_id"], ascending=[True, False, True])
        .reset_index(drop=True)
    )


def heat_map(
    risks: pd.DataFrame, *, status_date: StatusDate, by_project: bool = True
) -> pd.DataFrame:
    """Count open risks in each of the 25 (probability, impact) cells.

    Parameters
    ----------
    by_project : bool, default True
        One 5x5 grid per project with risks (``project_id`` first); ``False``:
        one grid over all the risks given (always 25 rows, even when empty).

    Returns
    -------
    DataFrame
        ``[project_id,] probability, impact, count``, every cell present (0
        where empty), sorted by project, probability, impact.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> risks = pd.concat([empty_table("risks"), pd.DataFrame({
    ...     "project_id": ["P1", "P2"], "risk_id": ["R1", "R1"], "title": ["A", "B"],
    ...     "probability": pd.array([4, 4], dtype="Int64"), "impact": pd.array([5, 5], dtype="Int64"),
    ...     "status": pd.Categorical(["open", "open"], categories=["open", "closed"])})])
    >>> grid = heat_map(risks, status_date="2026-03-11", by_project=False)
    >>> len(grid), grid["count"].sum(), grid.set_index(["probability", "impact"]).loc[(4, 5), "count"]
    (25, np.int64(2), np.int64(2))
    """
    register = risk_register(risks, status_date=status_date)
    open_risks = register[register["status"].eq("open")]
    cells = pd.MultiIndex.from_product([SCALE, SCALE], names=["probability", "impact"])
    keys = ["probability", "impact"]
    if by_project:
        projects = sorted(register["project_id"].unique())
        cells = pd.MultiIndex.from_product([projects, SCALE, SCALE], names=["project_id", *keys])
        keys = ["project_id", *keys]
    counts = open_risks.astype({"probability": "int64", "impact": "int64"}).groupby(keys).size()
    grid = counts.reindex(cells, fill_value=0).astype("int64").rename("count").reset_index()
    if by_project:
        grid["project_id"] = grid["project_id"].astype("str")
    return grid.astype({"probability": "int64", "impact": "int64"})


def top_risks(
    risks: pd.DataFrame, *, status_date: StatusDate, n: int = 5, per_project: bool = False
) -> pd.DataFrame:
    """Return the ``n`` worst open risks: highest score, then highest exposure.

    Parameters
    ----------
    n : int, default 5
    per_project : bool, default False
        ``True``: the ``n`` worst of each project instead of over all risks.

    Returns
    -------
    DataFrame
        :func:`risk_register` rows, worst first (ties by project, risk id);
        with ``per_project`` sorted by project first.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> risks = pd.concat([empty_table("risks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1", "P2"], "risk_id": ["R1", "R2", "R1"], "title": ["A", "B", "C"],
    ...     "probability": pd.array([2, 3, 3], dtype="Int64"),
    ...     "impact": pd.array([5, 3, 3], dtype="Int64"), "cost_impact": [0.0, 100.0, 500.0],
    ...     "status": pd.Categorical(["open"] * 3, categories=["open", "closed"])})])
    >>> top_risks(risks, status_date="2026-03-11", n=2)[["project_id", "risk_id", "score"]]
      project_id risk_id  score
    0         P1      R1     10
    1         P2      R1      9
    """
    register = risk_register(risks, status_date=status_date)
    ranked = register[register["status"].eq("open")].sort_values(
        ["score", "exposure", "project_id", "risk_id"],
        ascending=[False, False, True, True],
        na_position="last",
    )
    if per_project:
        ranked = ranked.groupby("project_id").head(n).sort_values("project_id", kind="stable")
    else:
        ranked = ranked.head(n)
    return ranked.reset_index(drop=True)


def risk_summary(
    risks: pd.DataFrame, *, status_date: StatusDate, high_score: int = _RULES.high_score
) -> pd.DataFrame:
    """Count and weigh each project's risks.

    Returns
    -------
    DataFrame
        ``project_id, risks`` (in the register), ``open``, ``high`` (open with
        score >= ``high_score``), ``exposure`` (open, known exposures summed),
        ``overdue``, ``max_score`` (open; ``<NA>`` if none), one row per
        project with risks.

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> risks = pd.concat([empty_table("risks"), pd.DataFrame({
    ...     "project_id": ["P1", "P1"], "risk_id": ["R1", "R2"], "title": ["A", "B"],
    ...     "probability": pd.array([3, 5], dtype="Int64"), "impact": pd.array([5, 5], dtype="Int64"),
    ...     "cost_impact": [1000.0, 400.0],
    ...     "status": pd.Categorical(["open", "closed"], categories=["open", "closed"])})])
    >>> risk_summary(risks, status_date="2026-03-11")
      project_id  risks  open  high  exposure  overdue  max_score
    0         P1      2     1     1     500.0        0         15
    """
    register = risk_register(risks, status_date=status_date)
    is_open = register["status"].eq("open")
    open_score = register["score"].where(is_open)
    flags = register.assign(
        open=is_open,
        high=is_open & open_score.ge(high_score).fillna(False).astype(bool),
        open_exposure=register["exposure"].where(is_open, 0.0),
        open_score=open_score,
    )
    summary = flags.groupby("project_id").agg(
        risks=("risk_id", "size"),
        open=("open", "sum"),
        high=("high", "sum"),
        exposure=("open_exposure", "sum"),
        overdue=("overdue", "sum"),
        max_score=("open_score", "max"),
    )
    counts = ["risks", "open", "high", "overdue"]
    summary = summary.astype(dict.fromkeys(counts, "int64") | {"exposure": "float64"})
    return summary.astype({"max_score": "Int64"}).reset_index()[SUMMARY_COLUMNS]


def risk_rag(
    projects: pd.DataFrame,
    risks: pd.DataFrame,
    *,
    status_date: StatusDate,
    red_score: int = _RULES.red_score,
    red_overdue: int = _RULES.red_overdue,
    amber_score: int = _RULES.amber_score,
    high_score: int = _RULES.high_score,
) -> pd.DataFrame:
    """Rate every project's risks red, amber, green or grey.

    Default rule: ``grey`` when the project has no risk in the register;
    ``red`` when an open risk scores ``red_score`` (20) or more, or more than
    ``red_overdue`` (2) open risks are overdue; ``amber`` when an open risk
    scores ``amber_score`` (15) or more, or any is overdue; ``green`` otherwise.

    Returns
    -------
    DataFrame
        The :func:`risk_summary` columns plus ``risk_rag``, one row per project
        in ``projects`` (counts 0 where it has no risks).

    Examples
    --------
    >>> from pmo_lib.data.tables import empty_table
    >>> projects = pd.DataFrame({"project_id": ["P1", "P2"]})
    >>> risks = pd.concat([empty_table("risks"), pd.DataFrame({
    ...     "project_id": ["P1"], "risk_id": ["R1"], "title": ["A"],
    ...     "probability": pd.array([4], dtype="Int64"), "impact": pd.array([4], dtype="Int64"),
    ...     "status": pd.Categorical(["open"], categories=["open", "closed"])})])
    >>> risk_rag(projects, risks, status_date="2026-03-11")["risk_rag"].tolist()
    ['amber', 'grey']
    """
    summary = risk_summary(risks, status_date=status_date, high_score=high_score)
    summary = per_project(projects, summary.set_index("project_id"), ["risks", "open", "high", "overdue"])
    summary = summary.fillna({"exposure": 0.0})
    top = summary["max_score"]
    red = top.ge(red_score).fillna(False).astype(bool) | summary["overdue"].gt(red_overdue)
    amber = top.ge(amber_score).fillna(False).astype(bool) | summary["overdue"].gt(0)
    summary["risk_rag"] = rag(red=red, amber=amber, known=summary["risks"].gt(0))
    return summary.reset_index()
