"""Writing files atomically, so a reader never sees a half-written file, naming them safely, reading YAML.

Every file pmo-reports produces goes through :func:`write_text` or
:func:`write_bytes`: the content goes to a temporary file in the same folder,
is flushed to disk, then replaces the target with ``os.replace``. A run
killed part-way leaves the previous version of each file intact. The files a
user writes (parameters, distribution lists, import profiles) are read by
:func:`read_yaml`, with one wording of what can go wrong.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from pathlib import Path

import yaml

DEFAULT_FOLDERS = {"projects": "projects", "programs": "programs"}
"""The run folder's sub-folder of each built-in per-subject report (others use the report's name)."""
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
"""Names Windows reserves for devices (``con.html`` too): a slug never is one."""


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "sub" / "a.txt"
    >>> write_bytes(target, b"hello").read_bytes()
    b'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically and return the path."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, value) -> Path:
    """Write ``value`` as indented JSON atomically (NaN becomes null)."""
    return write_text(path, json.dumps(_json_safe(value), indent=2, ensure_ascii=False) + "\n")


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def slugify(text: str) -> str:
    """A file-name-safe slug of ``text``.

    Examples
    --------
    >>> slugify("Regulatory & Compliance")
    'regulatory-compliance'
    >>> slugify("Zoë's ../../etc")
    'zoe-s-etc'
    >>> slugify("<>")
    'program'
    >>> slugify("CON")
    'con-program'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if slug in _WINDOWS_DEVICES:
        slug += "-program"
    return slug or "program"


def program_slugs(programs: list[str]) -> dict[str, str]:
    """A unique slug per program name, stable for a given sorted list.

    Examples
    --------
    >>> program_slugs(["R&D", "R D", "Ops"])
    {'Ops': 'ops', 'R D': 'r-d', 'R&D': 'r-d-2'}
    """
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(programs):
        base = slugify(name)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[name] = slug
    return slugs


def read_yaml(path: str | Path, *, error: type[Exception], what: str):
    """The values of a user's YAML file (safe loading: plain data only), or ``error`` naming the file.

    Parameters
    ----------
    path : str or Path
    error : exception class
        Raised with one line: ``FILE: <what> not found``, ``FILE: the <what>
        cannot be read (...)`` or ``FILE:LINE:COLUMN: not valid YAML (...)``.
    what : str
        What the file is, for the messages ("parameter file", "profile").

    Examples
    --------
    >>> read_yaml("no/such.yaml", error=ValueError, what="profile")
    Traceback (most recent call last):
    ValueError: no/such.yaml: profile not found
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark from Windows editors is no content
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: the {what} cannot be read ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise error(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
