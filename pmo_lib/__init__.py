"""pmo-reports: project data in, metrics, charts and HTML status reports out.

In an IPython shell (a JupyterLab kernel, a scheduled run's kernel) the first
``import pmo_lib`` makes plain Altair charts show as inline SVG in the report
theme (:func:`pmo_lib.charts.render.use_static_charts`; the direct engine
calls it itself), so a chart that is a cell's last expression appears in
JupyterLab and on the page with no network.
With ``PMO_AUTORELOAD=1`` in the environment (``make lab`` sets it), it also
turns on IPython's autoreload, so edits to ``pmo_lib`` reach an open notebook
at its next cell, without a kernel restart.
"""

import os as _os
import sys as _sys


def _notebook_shell():
    """The IPython shell this process runs notebook cells in, or None."""
    return getattr(_sys.modules.get("IPython"), "get_ipython", lambda: None)()


if (_shell := _notebook_shell()) is not None:
    from pmo_lib.charts.render import use_static_charts as _use_static_charts

    _use_static_charts()
    if _os.environ.get("PMO_AUTORELOAD") == "1" and "autoreload" not in _shell.extension_manager.loaded:
        _shell.run_line_magic("load_ext", "autoreload")
        _shell.run_line_magic("autoreload", "2")
