"""The analysis hand-off between the runner and the report kernels, and the per-process cache.

A notebook's loading cell calls :func:`load_analysis`. In JupyterLab that
loads the portfolio and computes its metrics. In a scheduled run the runner
computes the :class:`~pmo_lib.analysis.core.PortfolioAnalysis` once
(:meth:`~pmo_lib.analysis.core.PortfolioAnalysis.compute_all`) and leaves it in
a hidden file of the run folder (:func:`share_analysis`); every kernel reads that
instead of the CSV files, provided it was made from the same data files (sizes
and modification times), status date and parameters. The same kernel process
may produce many reports in a row; the cache then hands every report the same
analysis. Cached analyses are only read by the reports, never changed.

The file is a pickle written by the runner into its own run folder and read
only by the kernels of that run (docs/security.md, "trust boundary").
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import re
from functools import lru_cache
from pathlib import Path

from pmo_lib.analysis.core import PortfolioAnalysis
from pmo_lib.data.loading import load_portfolio
from pmo_lib.data.reading import is_url
from pmo_lib.errors import ParameterError
from pmo_lib.files import write_bytes
from pmo_lib.parameters import PROJECT_ROOT, load_parameters

ANALYSIS_CACHE_ENV = "PMO_ANALYSIS_CACHE"


def _stamp(path: Path) -> tuple:
    if is_url(str(path)):
        return ()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    return tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists())


def resolve_data_path(data_path: str) -> Path:
    """A data path as given, or relative to the project root when it does not exist as given.

    Notebooks opened in JupyterLab run in ``notebooks/``; their default
    ``data_path`` is relative to the project root, so it works from either.
    """
    if is_url(data_path):
        return data_path
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
    _check_date("status_date", status_date)
    path = resolve_data_path(data_path)
    return _cached(*analysis_key(path, status_date, params_file))


def _check_date(name: str, value) -> None:
    """A date parameter must be a real date written YYYY-MM-DD; else one line naming it and the form.

    Examples
    --------
    >>> _check_date("status_date", "2026-13-45")
    Traceback (most recent call last):
    ...
    pmo_lib.errors.ParameterError: status_date: '2026-13-45' is not a date; write it as YYYY-MM-DD, e.g. "2026-11-20"
    """
    text = str(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            dt.date.fromisoformat(text)
            return
    except ValueError:
        pass
    raise ParameterError(f'{name}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. "2026-11-20"')


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
    return PortfolioAnalysis(load_portfolio(path, params.profile), status_date=dt.date.fromisoformat(status_date), params=params)


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


def share_analysis(analysis: PortfolioAnalysis, file: Path, *, data: Path, status_date: dt.date,
                   params_file: str) -> Path:
    """Compute every part of ``analysis`` once and leave it in ``file`` for the run's kernels.

    Each kernel would otherwise load the CSV files and compute the metrics
    again (seconds, and hundreds of MB, at 1,000 projects).
    """
    analysis.compute_all()
    save_shared_analysis(file, analysis, analysis_key(data, status_date.isoformat(), params_file))
    return file
