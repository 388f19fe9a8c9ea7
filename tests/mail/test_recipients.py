"""Distribution lists: validation with suggestions, subject templates, resolving recipients."""

from __future__ import annotations

import pandas as pd
import pytest

from pmo_lib.mail.recipients import (
    DEFAULT_DISTRIBUTION,
    DistributionError,
    load_distribution,
    parse_distribution,
    render_subject,
    resolve_recipients,
)
from tests.conftest import SAMPLE

PEOPLE = {"Ana Ruiz": "ana.ruiz@example.org", "Bo Chen": "bo.chen@example.org", "PMO": "pmo@example.com"}
DATA_PEOPLE = {"P1": {"manager": "Ana Ruiz", "sponsor": "Bo Chen"}, "P2": {"manager": "Bo Chen", "sponsor": ""}}


def test_the_shipped_file_is_valid_and_has_an_address_for_every_sample_manager_and_sponsor():
    lists = load_distribution()
    projects = pd.read_csv(SAMPLE / "projects.csv")
    names = set(projects["manager"]) | set(projects["sponsor"].dropna())
    assert names <= set(lists.people)
    assert all(a.endswith(("@example.org", "@example.com")) for a in lists.people.values())
    for program in projects["program"].unique():
        assert lists.programs[program].to
    people = {r.project_id: {"manager": r.manager, "sponsor": r.sponsor} for r in projects.itertuples()}
    for project_id in projects["project_id"]:
        to, cc = resolve_recipients(lists, {"scope": "project", "subject": project_id}, people)
        assert to


@pytest.mark.parametrize(("values", "message"), [
    ({"portfolo": {}}, "d.yaml: unknown key 'portfolo' (did you mean 'portfolio'?)"),
    ({"programs": {"Grid": {"tto": ["PMO"]}}}, "d.yaml: unknown key 'programs.Grid.tto' (did you mean 'to'?)"),
    ({"projects": {"P1": {"cc": [], "bcc": []}}}, "unknown key 'projects.P1.bcc' (did you mean 'cc'?)"),
    ({"people": {"Ana": "ana(at)example.org"}}, "not an e-mail address: Ana: 'ana(at)example.org'"),
    ({"portfolio": {"to": ["Ana Ruis"]}}, "portfolio.to: 'Ana Ruis' is neither an e-mail address nor a name "
                                         "in people (did you mean 'Ana Ruiz'?)"),
    ({"programs": {"Grid": {"to": ["manager"]}}}, "programs.Grid.to: 'manager' is neither"),
    ({"project_roles": {"to": ["managr"]}}, "(did you mean 'manager'?)"),
    ({"subjects": {"program": "{programme} {rag}"}}, "unknown placeholder {programme} (did you mean {program}?)"),
    ({"subjects": {"portfolio": "{project}"}}, "unknown placeholder {project}"),
    ({"subjects": {"project": "{rag.__class__}"}}, "write placeholders plainly, as {rag}"),
    ({"subjects": {"project": "{rag:>9}"}}, "write placeholders plainly"),
    ({"subjects": {"project": "status {"}}, "write a literal brace as {{ or }}"),
    ({"attach_page": "sometimes"}, "attach_page"),
    ({"chart_density": 5}, "chart_density: Input should be less than or equal to 3"),
])
def test_mistakes_are_errors_naming_the_file_and_key(values, message):
    values = {"people": PEOPLE, **values} if "people" not in values else values
    with pytest.raises(DistributionError) as error:
        parse_distribution(values, source="d.yaml")
    assert message in str(error.value)
    assert str(error.value).startswith("d.yaml")


def test_a_missing_or_broken_file_names_the_file(tmp_path):
    with pytest.raises(DistributionError, match="parameter file not found"):
        load_distribution(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("people: [unclosed\n", encoding="utf-8")
    with pytest.raises(DistributionError, match=r"bad.yaml:\d+:\d+: not valid YAML"):
        load_distribution(bad)


def test_project_reports_go_to_roles_and_overrides_replace_them():
    lists = parse_distribution({"people": PEOPLE, "project_roles": {"to": ["manager"], "cc": ["sponsor", "PMO"]},
                                "projects": {"P2": {"to": ["ops@example.com"], "cc": ["Ana Ruiz"]}}})
    assert resolve_recipients(lists, {"scope": "project", "subject": "P1"}, DATA_PEOPLE) == (
        ["ana.ruiz@example.org"], ["bo.chen@example.org", "pmo@example.com"])
    assert resolve_recipients(lists, {"scope": "project", "subject": "P2"}, DATA_PEOPLE) == (
        ["ops@example.com"], ["ana.ruiz@example.org"])


def test_recipients_are_deduplicated_and_cc_never_repeats_to():
    lists = parse_distribution({"people": PEOPLE, "portfolio": {"to": ["PMO", "PMO@example.com", "Bo Chen"],
                                                               "cc": ["bo.chen@example.org", "Ana Ruiz"]}})
    assert resolve_recipients(lists, {"scope": "portfolio", "subject": "X"}) == (
        ["pmo@example.com", "bo.chen@example.org"], ["ana.ruiz@example.org"])


def test_a_program_without_a_list_has_no_recipients():
    lists = parse_distribution({"people": PEOPLE, "programs": {"Grid": {"to": ["Bo Chen"]}}})
    assert resolve_recipients(lists, {"scope": "program", "subject": "Other"}) == ([], [])
    assert resolve_recipients(lists, {"scope": "program", "subject": "Grid"}) == (["bo.chen@example.org"], [])


def test_a_manager_without_an_address_is_an_error_with_a_suggestion():
    lists = parse_distribution({"people": {"Ana Ruiz": "ana@example.org"}})
    with pytest.raises(DistributionError, match="P2: the manager 'Bo Chen' has no address under people"):
        resolve_recipients(lists, {"scope": "project", "subject": "P2"}, DATA_PEOPLE)
    people = {"P9": {"manager": "Ana Ruis", "sponsor": ""}}
    with pytest.raises(DistributionError, match=r"did you mean 'Ana Ruiz'\?"):
        resolve_recipients(lists, {"scope": "project", "subject": "P9"}, people)


def test_subjects_render_on_one_line_with_hostile_values_left_as_text():
    lists = parse_distribution({})
    subject = render_subject(lists.subjects.project, {"project": "A\r\nB </script>", "status_date": "2026-11-20",
                                                      "rag": "RED", "portfolio": "N", "title": "T",
                                                      "project_id": "P1", "program": "G"})
    assert subject == "[PMO] A B </script> status 2026-11-20: RED"


def test_default_file_path_is_in_parameters():
    assert DEFAULT_DISTRIBUTION.name == "distribution.yaml" and DEFAULT_DISTRIBUTION.parent.name == "parameters"
