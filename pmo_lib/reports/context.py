"""Where a report notebook gets its data: load once per process, reuse across reports.

A notebook's loading cell calls :func:`load_analysis`. In JupyterLab that
loads the portfolio and computes its metrics. In a scheduled run the same
kernel process may produce many reports in a row; the cache then hands every
report the same :class:`~pmo_lib.analysis.PortfolioAnalysis` for the same
data, status date and parameters, so the portfolio is loaded and its metrics
computed once. The cache key includes each data file's size and modification
time, so edited data is never served stale. Cached analyses are only read by
the reports, never changed.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pmo_lib.analysis import PortfolioAnalysis
from pmo_lib.loading import load_portfolio
from pmo_lib.outputs import write_bytes
from pmo_lib.parameters import PROJECT_ROOT, RunParameters, load_parameters

ANALYSIS_CACHE_ENV = "PMO_ANALYSIS_CACHE"


def _stamp(path: Path) -> tuple:
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    return tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists())


def resolve_data_path(data_path: str) -> Path:
    """A data path as given, or relative to the project root when it does not exist as given.

    Notebooks opened in JupyterLab run in ``notebooks/``; their default
    ``data_path`` is relative to the project root, so it works from either.
    """
    path = Path(data_path)
    if path.exists() or path.is_absolute():
        return path.resolve()
    return (PROJECT_ROOT / path).resolve()


def load_analysis(*, data_path: str, status_date: str, params_file: str = "") -> PortfolioAnalysis:
    """The analysis of a portfolio as of a status date, cached per process.

    In a scheduled run the runner has already loaded the portfolio and computed
    its metrics once; it leaves them in a file named by the environment
    variable ``PMO_ANALYSIS_CACHE``, and every kernel reads that instead of the
    CSV files, provided it was made from the same data files (sizes and
    modification times), status date and parameters.
    """
    path = resolve_data_path(data_path)
    return _cached(*analysis_key(path, status_date, params_file))


def analysis_key(path: Path, status_date, params_file: str) -> tuple:
    """What an analysis depends on: the data files, the status date, the parameter file."""
    return str(path), _stamp(path), str(status_date), params_file or "", _params_stamp(params_file)


def _params_stamp(params_file: str) -> tuple:
    if not params_file:
        return ()
    p = Path(params_file)
    return (p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else ()


@lru_cache(maxsize=4)
def _cached(path: str, stamp: tuple, status_date: str, params_file: str, params_stamp: tuple) -> PortfolioAnalysis:
    shared = _shared_analysis((path, stamp, status_date, params_file, params_stamp))
    if shared is not None:
        return shared
    params = load_parameters(params_file or None)
    return PortfolioAnalysis(load_portfolio(path), status_date=dt.date.fromisoformat(status_date), params=params)


def _shared_analysis(key: tuple) -> PortfolioAnalysis | None:
    """The runner's analysis from ``PMO_ANALYSIS_CACHE`` when it was made for ``key``."""
    file = os.environ.get(ANALYSIS_CACHE_ENV, "")
    if not file or not Path(file).is_file():
        return None
    try:
        with open(file, "rb") as handle:
            saved_key, analysis = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return analysis if saved_key == key else None


def save_shared_analysis(file: Path, analysis: PortfolioAnalysis, key: tuple) -> None:
    """Leave ``analysis`` for the run's kernels (the file is the runner's own, in the run folder)."""
    write_bytes(file, pickle.dumps((key, analysis), protocol=pickle.HIGHEST_PROTOCOL))


def load_run_parameters(params_file: str = "") -> RunParameters:
    """The run parameters a report uses (the defaults file, or ``params_file`` laid over it)."""
    return load_parameters(params_file or None)


def read_previous_metrics(path: str) -> pd.DataFrame | None:
    """The metrics table of an earlier run, for trends; None when there is none."""
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        return None
    try:
        return pd.read_csv(file, dtype={"project_id": str, "program": str})
    except (OSError, ValueError, pd.errors.ParserError):
        return None
