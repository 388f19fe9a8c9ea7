"""Wipe a warm kernel's user namespace between two reports (runs inside the kernel).

IPython's ``%reset -f`` does this too, but ends with a full garbage
collection that costs about 50 ms per report; the collector runs on its own
schedule anyway. What stays: IPython's own names (``In``, ``Out``,
``get_ipython``...), dunder names, and imported modules in ``sys.modules``.
"""

from __future__ import annotations

import os


def reset_namespace(shell, cwd: str, env: dict | None = None) -> None:
    """Delete every name a report defined, forget its outputs, restore the working folder.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell
        ``get_ipython()`` in the kernel.
    cwd : str
        The folder the next report starts in.
    env : dict, optional
        Environment variables the next report sees (the run's shared-analysis file).
    """
    hook = shell.displayhook
    for number in range(1, hook.prompt_count + 1):  # the _1, _2... output variables
        shell.user_ns_hidden.pop(f"_{number}", None)
        shell.user_ns.pop(f"_{number}", None)
    shell.user_ns.get("_oh", {}).clear()
    hook._, hook.__, hook.___ = "", "", ""
    hidden = shell.user_ns_hidden
    for name in [n for n in shell.user_ns if n not in hidden and not (n.startswith("__") and n.endswith("__"))]:
        del shell.user_ns[name]
    shell.user_ns.update({"_": "", "__": "", "___": ""})
    os.environ.update(env or {})
    os.chdir(cwd)
