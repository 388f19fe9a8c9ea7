"""``pmo-report init DIR [--data SOURCE]``: start a portfolio of one's own.

Writes into DIR (refusing to overwrite anything there):

- ``parameters.yaml``: the portfolio's own name (never the sample's), its data and profile;
- ``distribution.yaml``: every manager and sponsor found in the data under ``people``, with
  an ``example.org`` address to replace, and the usual roles;
- ``portfolio.xlsx``: the blank workbook template (:mod:`pmo_lib.data.template`);
- ``profile.yaml``: a profile skeleton, when the source needed one (it had errors): the tables
  found, where they were, and each header not matched to the contract, commented, to map.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import click
import yaml

from pmo_lib.errors import PmoError


def _slug(name: str) -> str:
    """An address-like form of a name.

    Examples
    --------
    >>> _slug("Zoë Müller"), _slug("Łukasz Nowak")
    ('zoe.muller', 'lukasz.nowak')
    """
    plain = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l").replace("ø", "o"))
    plain = plain.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", plain.lower()).strip(".") or "someone"


def _dump(value) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def parameters_text(name: str, data: str | None, profile: str | None) -> str:
    """The parameters file of a new portfolio."""
    lines = [f"# Run parameters for {name} (laid over parameters/defaults.yaml: keep only what you change).",
             "# Use it with: pmo-report run --params parameters.yaml --data ... --status-date ...",
             _dump({"portfolio_name": name}).strip()]
    if data:
        lines.append(_dump({"data_path": data}).strip())
    if profile:
        lines.append(_dump({"profile": profile}).strip())
    return "\n".join(lines) + "\n"


def distribution_text(people: list[str]) -> str:
    """A distribution file naming ``people`` (managers and sponsors), project reports by role."""
    head = ["# Who receives which report (pmo-report email / run --email); see docs/email.md.",
            "# Every manager and sponsor found in the data is listed: replace each example.org address."]
    body = {"people": {p: f"{_slug(p)}@example.org" for p in people},
            "portfolio": {"to": [], "cc": []},
            "project_roles": {"to": ["manager"], "cc": ["sponsor"]}}
    return "\n".join(head) + "\n" + _dump(body)


def profile_text(source: str, raws: dict, problems: list) -> str:
    """A profile skeleton: each table found, where, and its unmatched headers commented out."""
    from pmo_lib.data.schema import TABLES

    lines = [f"# Import profile for {source}: map each header your export uses to the contract column",
             "# it holds (see docs/data.md#import-profiles), then: pmo-report validate --profile profile.yaml",
             "tables:"]
    for name, raw in raws.items():
        unmatched = [h for h in raw.frame.columns if h not in TABLES[name].names]
        missing = [c.name for c in TABLES[name].columns if c.required and c.name not in raw.frame.columns]
        lines.append(f"  {name}:")
        lines.append(f"    # read from {raw.label}" + (f"; missing: {', '.join(missing)}" if missing else ""))
        lines.append("    columns: {}")
        lines += [f"    #   {yaml.safe_dump(str(h), width=1000).splitlines()[0]}: <contract column>"
                  for h in unmatched]
    shown = sorted({str(p) for p in problems if p.is_error})[:10]
    if shown:
        lines.append("# What the data needed (first problems):")
        lines += [f"#   {line}" for line in shown]
    return "\n".join(lines) + "\n"


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--data", "data", default=None, help="The portfolio's data (folder, workbook or database URL).")
@click.option("--name", "name", default=None, help="The portfolio's name; default the data's folder name.")
def init(directory: Path, data: str | None, name: str | None) -> None:
    """Start a portfolio: parameters, distribution, a blank workbook template, a profile if needed."""
    from pmo_lib.data.loading import check_portfolio
    from pmo_lib.data.reading import describe_source, is_url, read_tables, resolve_source
    from pmo_lib.data.template import write_template
    from pmo_lib.files import write_text

    targets = {n: directory / n for n in ("parameters.yaml", "distribution.yaml", "portfolio.xlsx", "profile.yaml")}
    taken = [str(p) for p in targets.values() if p.exists()]
    if taken:
        click.echo(f"error: {', '.join(taken)} already exist(s): init writes only into a new or empty folder",
                   err=True)
        sys.exit(2)
    people, profile, source = [], None, None
    if data:
        source = resolve_source(data)
        try:
            portfolio, problems = check_portfolio(source)
            raws, _ = read_tables(source)
        except PmoError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        projects = portfolio.projects
        found = [*projects.get("manager", []), *projects.get("sponsor", [])]
        people = sorted({str(p).strip() for p in found if str(p).strip()})
        if any(p.is_error for p in problems):
            profile = "profile.yaml"
            write_text(targets["profile.yaml"], profile_text(describe_source(source), raws, problems))
    if not name:
        stem = Path(str(source)).stem if source is not None and not is_url(str(source)) else directory.resolve().name
        name = re.sub(r"[_-]+", " ", stem).strip().title() or "My Portfolio"
    write_text(targets["parameters.yaml"], parameters_text(name, str(source) if source is not None and
                                                           not is_url(str(source)) else data, profile))
    write_text(targets["distribution.yaml"], distribution_text(people))
    write_template(targets["portfolio.xlsx"])
    written = [p.name for p in targets.values() if p.exists()]
    click.echo(f"wrote {', '.join(written)} into {directory} for portfolio '{name}'"
               + (f"; {len(people)} people to give addresses in distribution.yaml" if people else "")
               + ("; the data needs a profile: edit profile.yaml" if profile else ""))
