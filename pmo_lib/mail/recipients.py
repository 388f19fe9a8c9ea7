"""Distribution lists: who receives which report, checked before anything is sent.

The file is ``parameters/distribution.yaml``. Recipients are written as an
address or as a person's name from ``people:`` (the data names managers and
sponsors; ``people`` maps each name to an address). Project reports go to
roles (``manager``, ``sponsor``) unless ``projects:`` overrides a project.
Subjects are templates whose placeholders are checked per report kind.
SMTP settings never live here: they come from the environment
(:mod:`pmo_lib.mail.smtp`).

Examples
--------
>>> lists = parse_distribution({"people": {"Ana Ruiz": "ana@example.org"},
...                             "portfolio": {"to": ["Ana Ruiz"]}}, source="d.yaml")
>>> lists.portfolio.to
('Ana Ruiz',)
>>> parse_distribution({"portfolio": {"tto": []}}, source="d.yaml")
Traceback (most recent call last):
...
pmo_lib.mail.recipients.DistributionError: d.yaml: unknown key 'portfolio.tto' (did you mean 'to'?)
>>> parse_distribution({"subjects": {"project": "{projekt} {rag}"}}, source="d.yaml")
Traceback (most recent call last):
...
pmo_lib.mail.recipients.DistributionError: d.yaml: subjects.project: Value error, unknown placeholder {projekt} (did you mean {project}?); allowed: {portfolio}, {program}, {project}, {project_id}, {rag}, {status_date}, {title} (got '{projekt} {rag}')
"""

from __future__ import annotations

import difflib
import re
import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pmo_lib.errors import ParameterError
from pmo_lib.files import read_yaml
from pmo_lib.parameters import PROJECT_ROOT, describe_errors

DEFAULT_DISTRIBUTION = PROJECT_ROOT / "parameters" / "distribution.yaml"
ROLES = ("manager", "sponsor")
"""Project roles a project report can be addressed to (columns of ``projects.csv``)."""

_COMMON = ("portfolio", "status_date", "rag", "title")
PLACEHOLDERS = {
    "project": _COMMON + ("project", "project_id", "program"),
    "program": _COMMON + ("program",),
    "portfolio": _COMMON,
}
"""Subject placeholders per report kind: ``{project}`` is the project's name, ``{rag}`` the
overall RAG word (GREEN, AMBER, RED, N/A), ``{title}`` the report title of the catalog."""

_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class DistributionError(ParameterError):
    """The distribution file is wrong, or names someone it has no address for."""


def is_address(value: str) -> bool:
    """Whether ``value`` is a plain e-mail address (``local@domain.tld``, ASCII).

    Examples
    --------
    >>> is_address("ana.ruiz@example.org"), is_address("Ana <ana@example.org>"), is_address("a@b")
    (True, False, False)
    """
    return len(value) <= 254 and bool(_ADDRESS.match(value))


def check_template(template: str, allowed: tuple[str, ...]) -> str:
    """Check that a subject template uses only ``allowed`` placeholders, plainly (no ``{x.y}``, ``{x:>5}``).

    Examples
    --------
    >>> check_template("[PMO] {project}: {rag}", PLACEHOLDERS["project"])
    '[PMO] {project}: {rag}'
    >>> check_template("{rag!r}", ("rag",))
    Traceback (most recent call last):
    ...
    ValueError: placeholder {rag!r}: write placeholders plainly, as {rag}
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{exc}; write a literal brace as {{{{ or }}}}") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"placeholder {{{shown}}}: write placeholders plainly, as {{{name.split('.')[0]}}}")
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            listed = ", ".join(f"{{{p}}}" for p in sorted(allowed))
            raise ValueError(f"unknown placeholder {{{name}}}{hint}; allowed: {listed}")
    return template


def render_subject(template: str, fields: dict) -> str:
    """Fill a checked template; values are flattened to one line.

    Examples
    --------
    >>> render_subject("[PMO] {project}: {rag}", {"project": "A\\nB", "rag": "RED"})
    '[PMO] A B: RED'
    """
    values = {k: " ".join(str("" if v is None else v).split()) for k, v in fields.items()}
    return " ".join(template.format_map(values).split())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recipients(_Strict):
    """``to`` and ``cc``: addresses or names from ``people``."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


class ProjectRoles(_Strict):
    """Who gets each project's report: roles, names from ``people`` or addresses."""

    to: tuple[str, ...] = ("manager",)
    cc: tuple[str, ...] = ("sponsor",)


class Subjects(_Strict):
    """Subject templates per report kind (placeholders: see ``PLACEHOLDERS``)."""

    project: str = "[PMO] {project} status {status_date}: {rag}"
    program: str = "[PMO] Program {program} status {status_date}: {rag}"
    portfolio: str = "[PMO] {portfolio} portfolio status {status_date}: {rag}"

    @field_validator("project", "program", "portfolio")
    @classmethod
    def _placeholders(cls, value, info):
        return check_template(value, PLACEHOLDERS[info.field_name])


class Distribution(_Strict):
    """The whole distribution file."""

    subjects: Subjects = Subjects()
    attach_page: bool = False
    chart_density: float = Field(2.0, ge=1.0, le=3.0)
    people: dict[str, str] = Field(default_factory=dict)
    portfolio: Recipients = Recipients()
    programs: dict[str, Recipients] = Field(default_factory=dict)
    project_roles: ProjectRoles = ProjectRoles()
    projects: dict[str, Recipients] = Field(default_factory=dict)

    @field_validator("people")
    @classmethod
    def _addresses(cls, people):
        bad = [f"{name}: {address!r}" for name, address in people.items() if not is_address(str(address))]
        if bad:
            raise ValueError("not an e-mail address: " + "; ".join(bad))
        return people

    @model_validator(mode="after")
    def _known_recipients(self):
        problems = []
        places = [("portfolio", self.portfolio), ("project_roles", self.project_roles)]
        places += [(f"programs.{name}", r) for name, r in self.programs.items()]
        places += [(f"projects.{pid}", r) for pid, r in self.projects.items()]
        for where, recipients in places:
            for field in ("to", "cc"):
                for entry in getattr(recipients, field):
                    roles = ROLES if where == "project_roles" else ()
                    if entry in roles or entry in self.people or is_address(entry):
                        continue
                    close = difflib.get_close_matches(entry, [*self.people, *roles], n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    problems.append(f"{where}.{field}: '{entry}' is neither an e-mail address nor a name "
                                    f"in people{hint}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def address(self, entry: str) -> str:
        """The address of a recipient entry (a name from ``people`` or an address)."""
        return self.people.get(entry, entry)


def parse_distribution(values: dict | None, *, source: str = "distribution") -> Distribution:
    """Check a distribution mapping.

    Raises
    ------
    DistributionError
        Naming the source and every bad key, address, name or placeholder.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise DistributionError(f"{source}: the file must hold a mapping of keys to values")
    try:
        return Distribution(**values)
    except ValidationError as exc:
        raise DistributionError(describe_errors(exc, source=source, model=Distribution)) from None


def load_distribution(path: str | Path | None = None) -> Distribution:
    """Read and check a distribution file (default ``parameters/distribution.yaml``)."""
    file = Path(path) if path is not None else DEFAULT_DISTRIBUTION
    return parse_distribution(read_yaml(file, error=DistributionError, what="parameter file"), source=str(file))


def _dedupe(addresses: list[str]) -> list[str]:
    seen, out = set(), []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def resolve_recipients(lists: Distribution, entry: dict, people: dict[str, dict] | None = None,
                       ) -> tuple[list[str], list[str]]:
    """The ``(to, cc)`` addresses of one report (a manifest entry).

    Parameters
    ----------
    lists : Distribution
    entry : dict
        The manifest entry: ``scope`` and ``subject`` (project id, program name).
    people : dict, optional
        Project id to ``{"manager": name, "sponsor": name}``, from the run's data;
        needed for project reports addressed by role.

    Raises
    ------
    DistributionError
        A manager or sponsor has no address in ``people``.

    Examples
    --------
    >>> lists = parse_distribution({"people": {"Ana": "ana@example.org", "Bo": "bo@example.org"}})
    >>> resolve_recipients(lists, {"scope": "project", "subject": "P1"}, {"P1": {"manager": "Ana", "sponsor": "Bo"}})
    (['ana@example.org'], ['bo@example.org'])
    """
    scope, subject = entry.get("scope"), str(entry.get("subject"))
    if scope == "portfolio":
        chosen = lists.portfolio
    elif scope == "program":
        chosen = lists.programs.get(subject, Recipients())
    else:
        chosen = lists.projects.get(subject) or lists.project_roles
    lists_out = []
    for field in ("to", "cc"):
        addresses = []
        for item in getattr(chosen, field):
            if scope == "project" and item in ROLES and subject not in lists.projects:
                name = str(((people or {}).get(subject) or {}).get(item) or "").strip()
                if not name:
                    continue
                if name not in lists.people:
                    close = difflib.get_close_matches(name, list(lists.people), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise DistributionError(f"{subject}: the {item} '{name}' has no address under people: in the "
                                            f"distribution file{hint}")
                addresses.append(lists.people[name])
            else:
                addresses.append(lists.address(item))
        lists_out.append(_dedupe(addresses))
    to, cc = lists_out
    cc = [a for a in cc if a.lower() not in {t.lower() for t in to}]
    return to, cc
