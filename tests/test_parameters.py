"""Run parameters: defaults, overrides, and clear errors for typos."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo_lib.errors import ParameterError
from pmo_lib.parameters import load_parameters, parse_parameters


def test_defaults_file_is_valid():
    params = load_parameters()
    assert params.status_date == dt.date(2026, 11, 20)
    assert params.currency == "EUR"
    # the three built-in reports lead the catalog; `pmo-report new-report` appends more
    assert [(r.name, r.scope) for r in params.reports][:3] == [
        ("portfolio", "portfolio"), ("programs", "program"), ("projects", "project")]


def test_override_file_changes_only_its_keys(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("currency: USD\nrag_thresholds:\n  cpi: {green: 0.9}\n")
    params = load_parameters(file)
    assert params.currency == "USD"
    assert params.rag_thresholds.cpi.green == 0.9
    assert params.rag_thresholds.cpi.amber == 0.85
    assert params.portfolio_name == "Northwind Utilities"


def test_misspelt_key_names_file_key_and_suggestion(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("rag_treshold:\n  spi: {green: 0.9}\n")
    with pytest.raises(ParameterError) as caught:
        load_parameters(file)
    assert str(caught.value) == f"{file}: unknown key 'rag_treshold' (did you mean 'rag_thresholds'?)"


def test_bad_value(tmp_path):
    with pytest.raises(ParameterError, match=r"p.yaml: currency: String should match pattern"):
        parse_parameters({"currency": "euro"}, source="p.yaml")


def test_amber_above_green_is_refused():
    with pytest.raises(ParameterError, match="amber \\(0.97\\) must not be above green \\(0.95\\)"):
        parse_parameters({"rag_thresholds": {"spi": {"amber": 0.97}}}, source="p.yaml")


def test_malformed_yaml_names_line(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("currency: EUR\nworkers: [1,\n")
    with pytest.raises(ParameterError, match=r"p.yaml:\d+:\d+: not valid YAML"):
        load_parameters(file)


def test_yaml_is_read_safely(tmp_path):
    file = tmp_path / "p.yaml"
    file.write_text("portfolio_name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_parameters(file)


def test_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="parameter file not found"):
        load_parameters(tmp_path / "none.yaml")
