"""Compiled chart templates: a Vega spec compiled once per chart shape, the data swapped per chart.

Every project page draws the same four charts with different data and
titles. Compiling Vega-Lite to Vega (vl-convert's ``vegalite_to_vega``) does
not look at the data, so this module compiles each chart *shape* once per
process and keeps the Vega spec as a JSON template; the next chart of that
shape gets its datasets, their names and its title filled into the template,
and only Vega's rendering runs.

The shape is the Vega-Lite spec without its datasets' rows, with the
datasets renamed to slots (Altair names a dataset after a hash of its rows)
and the top-level title text replaced by a slot. A shape whose compiled Vega
does not hold each dataset exactly once as inline ``values``, or whose title
slot went missing, is marked uncacheable and compiled per chart as before.
Filling the template gives the very Vega spec a fresh compile would give, so
the SVG and PNG bytes do not change (``tests/charts/test_compiled.py``).

Examples
--------
>>> spec = {"title": "Apollo", "data": {"name": "data-1"}, "datasets": {"data-1": [{"v": 1}]},
...         "mark": "bar", "encoding": {"y": {"field": "v", "type": "quantitative"}}}
>>> vega = vega_spec(spec)
>>> vega["title"]["text"], vega["data"][0]["values"]
('Apollo', [{'v': 1}])
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import vl_convert as vlc

from pmo_lib.charts._hover import describe_with_tooltips

CACHE_SIZE = 64
"""Compiled shapes kept per process (a report suite uses about a dozen)."""

_UNCACHEABLE = ""
_cache: OrderedDict[tuple[str | None, str], str] = OrderedDict()
_lock = threading.Lock()
_stats = {"compiled": 0, "reused": 0, "uncacheable": 0}


def _slot(kind: str, index: int = 0) -> str:
    # NUL characters never occur in a chart's own strings from pandas or Altair.
    return f"\u0000pmo-{kind}-{index}\u0000"


def _token(text: str) -> str:
    return json.dumps(text)


def _split_title(spec: dict[str, Any]) -> str | None:
    """Put the title slot into ``spec`` in place of a plain-text title; the title's text or None."""
    title = spec.get("title")
    # An empty title compiles differently (no title group): it stays part of the shape.
    if isinstance(title, str) and title:
        spec["title"] = _slot("title")
        return title
    if isinstance(title, Mapping) and isinstance(title.get("text"), str) and title["text"]:
        spec["title"] = {**title, "text": _slot("title")}
        return title["text"]
    return None


def _shape(spec: Mapping[str, Any]) -> tuple[str, list[str], list[Any], str | None]:
    """(the shape as JSON, the dataset names, their rows, the title text) of a Vega-Lite spec."""
    datasets = spec.get("datasets") or {}
    names = list(datasets)
    rest = {key: value for key, value in spec.items() if key != "datasets"}
    title = _split_title(rest)
    shape = json.dumps(rest, separators=(",", ":"), allow_nan=False)
    for index, name in enumerate(names):
        shape = shape.replace(_token(name), _token(_slot("data", index)))
    if names:
        shape = shape[:-1] + ',"datasets":' + json.dumps(
            {_slot("data", i): [] for i in range(len(names))}, separators=(",", ":")) + "}"
    return shape, names, [datasets[name] for name in names], title


def _compile(shape: str, rows: list[Any], title: str | None, vl_version: str | None) -> str:
    """The Vega JSON template of a shape ("" when it cannot be reused safely)."""
    spec = json.loads(shape)
    for index, values in enumerate(rows):
        spec["datasets"][_slot("data", index)] = copy.deepcopy(values)
    vega = describe_with_tooltips(vlc.vegalite_to_vega(spec, vl_version=vl_version))
    found = 0
    for entry in vega.get("data", []):
        name = entry.get("name", "")
        if name.startswith("\u0000pmo-data-") and "values" in entry:
            entry["values"] = _slot("values", int(name.split("-")[2].rstrip("\u0000")))
            found += 1
    template = json.dumps(vega, separators=(",", ":"), allow_nan=False)
    if found != len(rows) or (title is not None and _token(_slot("title")) not in template):
        return _UNCACHEABLE
    for values in rows:
        if values and json.dumps(values, separators=(",", ":"), allow_nan=False) in template:
            return _UNCACHEABLE  # the rows were copied somewhere else too
    return template


def _fill(template: str, names: list[str], rows: list[Any], title: str | None) -> str:
    for index, (name, values) in enumerate(zip(names, rows)):
        template = template.replace(_token(_slot("values", index)),
                                    json.dumps(values, separators=(",", ":"), allow_nan=False))
        template = template.replace(_token(_slot("data", index)), _token(name))
    if title is not None:
        template = template.replace(_token(_slot("title")), _token(title))
    return template


def vega_spec(spec: Mapping[str, Any], *, vl_version: str | None = None) -> dict[str, Any]:
    """The Vega spec of a Vega-Lite spec, compiled at most once per shape.

    Parameters
    ----------
    spec : Mapping
        A Vega-Lite spec (Altair's ``to_dict()``); not modified.
    vl_version : str, optional
        The Vega-Lite version to compile with.

    Returns
    -------
    dict
        The Vega spec; compiled directly when the spec's shape cannot be
        reused (data that is not plain JSON, for instance). It is a dict,
        not JSON text, on purpose: vl-convert reads a JSON string with its
        object keys sorted, and Vega draws some marks in key order, so a
        string would change the picture.
    """
    try:
        shape, names, rows, title = _shape(spec)
    except (TypeError, ValueError):  # not plain JSON (NaN, objects): compile it as it is
        return describe_with_tooltips(vlc.vegalite_to_vega(dict(spec), vl_version=vl_version))
    key = (vl_version, shape)
    with _lock:
        template = _cache.get(key)
        if template is not None:
            _cache.move_to_end(key)
    if template is None:
        template = _compile(shape, rows, title, vl_version)
        with _lock:
            _cache[key] = template
            _stats["compiled" if template else "uncacheable"] += 1
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    elif template:
        _stats["reused"] += 1
    if not template:
        return describe_with_tooltips(vlc.vegalite_to_vega(dict(spec), vl_version=vl_version))
    return json.loads(_fill(template, names, rows, title))


def cache_stats() -> dict[str, int]:
    """How many shapes were compiled, reused and found uncacheable in this process."""
    with _lock:
        return {**_stats, "cached": len(_cache)}


def clear_cache() -> None:
    """Forget every compiled shape (tests use it to compare cold and warm rendering)."""
    with _lock:
        _cache.clear()
        _stats.update(compiled=0, reused=0, uncacheable=0)
