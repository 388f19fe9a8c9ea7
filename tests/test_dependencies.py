"""pyproject.toml and environment.yml list the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _spec(requirement: str) -> str:
    # conda has no extras: psycopg[binary] on PyPI is conda-forge's psycopg (which ships libpq)
    return re.sub(r"\[[^\]]*\]", "", requirement.replace(" ", "").lower())


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        pip_side.extend(extra)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) not in ("python", "pip")]
    assert sorted(map(_spec, conda_side)) == sorted(map(_spec, pip_side))


def test_nbconvert_has_the_path_traversal_fixes():
    """The installed nbconvert, not only the declared floor, has the path-traversal fixes of 7.17.1."""
    from importlib.metadata import version

    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "nbconvert>=7.17.1" in project["dependencies"]
    assert Version(version("nbconvert")) >= Version("7.17.1")
