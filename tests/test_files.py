"""Reading the user's YAML files: one wording of what went wrong, naming the file."""

from __future__ import annotations

import pytest

from pmo_lib.errors import DataSourceError, ParameterError
from pmo_lib.files import read_yaml


def test_read_yaml_names_the_file_and_what_it_is(tmp_path):
    good = tmp_path / "p.yaml"
    good.write_bytes("\ufeffportfolio_name: Nordwind – Süd\n".encode())  # a BOM from a Windows editor
    assert read_yaml(good, error=ParameterError, what="parameter file") == {"portfolio_name": "Nordwind – Süd"}
    with pytest.raises(ParameterError, match=r"^.*missing\.yaml: parameter file not found$"):
        read_yaml(tmp_path / "missing.yaml", error=ParameterError, what="parameter file")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: S\xfcd\n".encode("latin-1"))
    with pytest.raises(DataSourceError, match=r"latin\.yaml: the profile cannot be read \(.*utf-8"):
        read_yaml(latin, error=DataSourceError, what="profile")
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\nb: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"broken\.yaml:2:2: not valid YAML \(expected ',' or '\]'"):
        read_yaml(broken, error=ParameterError, what="parameter file")


def test_parameter_files_with_a_byte_order_mark_load(tmp_path):
    from pmo_lib.parameters import load_parameters

    file = tmp_path / "params.yaml"
    file.write_bytes("\ufeffportfolio_name: Nordwind\n".encode())
    assert load_parameters(file).portfolio_name == "Nordwind"
