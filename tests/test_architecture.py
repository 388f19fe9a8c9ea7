"""The house rules of pmo_lib, checked: layers, no import cycles, module sizes, the top level."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pmo_lib"

# Lower layers never import higher ones (docs/architecture.md). Top-level modules of pmo_lib are the
# shared base (errors, parameters, dates, rag, formatting, files): layer 0.
LAYERS = {"data": 1, "metrics": 2, "analysis": 3, "charts": 4, "reports": 5, "run": 6, "history": 6,
          "mail": 7, "cli": 8}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every pmo_lib module ``path`` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("pmo_lib")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pmo_lib"):
            found.add(node.module)
            for alias in node.names:  # "from pmo_lib import charts" imports a module
                candidate = f"{node.module}.{alias.name}"
                if _resolve(candidate) is not None:
                    found.add(candidate)
    return found


def _resolve(name: str) -> Path | None:
    base = PACKAGE.parent / Path(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {m for m in _imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else 0


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of ``graph`` meets (each as the modules around it)."""
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def test_no_import_cycles():
    """Function-level imports included: a cycle hidden inside a function is still a cycle."""
    cycles = find_cycles(GRAPH)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_layers_import_downward_only():
    upward = [f"{m} (layer {_layer(m)}) imports {n} (layer {_layer(n)})"
              for m, targets in GRAPH.items() for n in targets
              if _layer(n) > _layer(m) and not n.startswith(m.rsplit(".", 1)[0] + ".") and _layer(m) != 0]
    assert not upward, "\n".join(upward)


def test_chart_builders_never_import_the_renderer():
    builders = [m for m in MODULES if m.startswith("pmo_lib.charts.") and m not in
                ("pmo_lib.charts.render", "pmo_lib.charts")]
    offenders = [m for m in builders if "pmo_lib.charts.render" in GRAPH[m]]
    assert not offenders


def test_the_top_level_stays_small_and_the_flow_is_in_subpackages():
    top = [p.name for p in PACKAGE.glob("*.py")]
    packages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()]
    assert len(top) <= 8, top
    assert len(packages) >= 5, packages
    assert {"data", "metrics", "charts", "reports", "run", "mail", "cli"} <= set(packages)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_500_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{MODULES[module]} has {lines} lines"


def test_the_checks_see_a_cycle_and_an_upward_import(tmp_path):
    """The graph walk above finds what it looks for (a planted cycle through a function-level import)."""
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from pmo_lib.metrics import evm\n")
    assert "pmo_lib.metrics.evm" in _imports(a)
    assert find_cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == [["x", "y", "z", "x"]]
    assert find_cycles({"x": {"y"}, "y": set()}) == []
    assert _layer("pmo_lib.cli.main") > _layer("pmo_lib.mail.send") > _layer("pmo_lib.run.suite")
    assert _layer("pmo_lib.rag") == 0 and _layer("pmo_lib.data.schema") == 1
