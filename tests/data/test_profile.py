"""Import profiles: the documented examples are valid, and every mistake is one line with a suggestion."""

from __future__ import annotations

import re

import pytest
import yaml

from pmo_lib.data.profile import load_profile, parse_profile
from pmo_lib.errors import DataSourceError
from tests.conftest import ROOT


def _doc_profiles() -> list[str]:
    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    section = text.split("## Import profiles", 1)[1].split("## Databases", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def test_docs_show_the_full_form_and_both_examples_and_all_are_valid():
    blocks = _doc_profiles()
    assert len(blocks) == 3
    profiles = [parse_profile(yaml.safe_load(b), source="docs/data.md") for b in blocks]
    assert profiles[0].csv.decimal == "," and profiles[0].header_row == 2
    assert profiles[1].tables["tasks"].sheet == "Task_Table1"
    assert profiles[1].tables["tasks"].constants == {"project_id": "P-100"}
    assert profiles[2].csv.encoding == "cp1252" and profiles[2].dates == ["%d.%m.%Y", "%d/%m/%Y"]


@pytest.mark.parametrize(("values", "message"), [
    ({"tables": {"task": {}}}, "p.yaml: tables: Value error, unknown table 'task' (did you mean 'tasks'?) (got {'task': {}})"),
    ({"csv": {"decimals": ","}}, "p.yaml: unknown key 'csv.decimals' (did you mean 'decimal'?)"),
    ({"csv": {"decimal": ",", "thousands": ","}}, "p.yaml: csv: Value error, thousands and decimal are both ',' (got {'decimal': ',', 'thousands': ','})"),
    ({"header_row": 0}, "p.yaml: header_row: Input should be greater than or equal to 1 (got 0)"),
    ({"dates": ["dd/mm/yyyy"]},
     "p.yaml: dates: Value error, 'dd/mm/yyyy' is not a date format such as '%d/%m/%Y' (got ['dd/mm/yyyy'])"),
    ({"tables": {"costs": {"constants": {"projectid": "P1"}}}},
     "p.yaml: tables.costs.constants: unknown column 'projectid' (did you mean 'project_id'?)"),
])
def test_mistakes_are_one_line_with_a_suggestion(values, message):
    with pytest.raises(DataSourceError) as caught:
        parse_profile(values, source="p.yaml")
    assert str(caught.value) == message


def test_profile_files_missing_or_not_yaml(tmp_path):
    with pytest.raises(DataSourceError, match="profile not found"):
        load_profile(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables: [\n")
    with pytest.raises(DataSourceError, match=r"bad.yaml:2:1: not valid YAML"):
        load_profile(bad)
