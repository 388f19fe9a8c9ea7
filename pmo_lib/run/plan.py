"""Plan a run: which notebook runs for which subject, with which parameters, to which file.

Pure: the catalog, the project list and the program list in, a list of
:class:`ReportJob` out. File names derived from data (project ids, program
names) are made safe here and can never leave the run folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pmo_lib.data.schema import PROJECT_ID_PATTERN
from pmo_lib.errors import ParameterError
from pmo_lib.files import DEFAULT_FOLDERS, program_slugs, slugify  # noqa: F401  (file names: one place)


@dataclass(frozen=True)
class ReportJob:
    """One report to produce.

    Attributes
    ----------
    report : str
        Catalog name (``projects``).
    scope : str
        ``project``, ``program`` or ``portfolio``.
    subject : str
        Project id, program name, or the portfolio name.
    notebook : str
        Notebook path relative to the project root.
    page : str
        Output page, relative to the run folder (``projects/P-101.html``).
    parameters : dict
        JSON-native values handed to papermill.
    title : str
        Human title for the index.
    label : str
        Human name of the subject (the project's name), for page titles.
    """

    report: str
    scope: str
    subject: str
    notebook: str
    page: str
    parameters: dict = field(default_factory=dict)
    title: str = ""
    label: str = ""

    @property
    def key(self) -> str:
        """``report/page-stem``: unique within a run, used by ``--only`` and the manifest."""
        return f"{self.report}/{PurePosixPath(self.page).stem}"

    @property
    def executed_notebook(self) -> str:
        """Where the executed notebook is kept, relative to the run folder."""
        return str(PurePosixPath("notebooks") / PurePosixPath(self.page).with_suffix(".ipynb"))


def plan_jobs(
    catalog,
    *,
    project_ids: list[str],
    programs: list[str],
    portfolio_name: str,
    common: dict,
    project_names: dict | None = None,
) -> list[ReportJob]:
    """Expand the report catalog into one job per subject.

    Parameters
    ----------
    catalog : sequence of ReportEntry
        The ``reports`` of the run parameters.
    project_ids, programs : list of str
        Subjects for project- and program-scoped reports.
    portfolio_name : str
        Subject of portfolio-scoped reports.
    common : dict
        Parameters every notebook receives (``data_path``, ``status_date``...).
    project_names : dict, optional
        Project id to name, for page titles.

    Examples
    --------
    >>> from pmo_lib.parameters import RunParameters
    >>> jobs = plan_jobs(RunParameters().reports, project_ids=["P-1"], programs=["Grid & Co"],
    ...                  portfolio_name="Acme", common={"status_date": "2026-01-09"})
    >>> [(j.key, j.page) for j in jobs]
    [('portfolio/portfolio', 'portfolio.html'), ('programs/grid-co', 'programs/grid-co.html'), ('projects/P-1', 'projects/P-1.html')]
    >>> jobs[2].parameters
    {'status_date': '2026-01-09', 'project_id': 'P-1'}
    """
    slugs = program_slugs(programs)
    jobs = []
    for entry in catalog:
        if not entry.enabled:
            continue
        folder = DEFAULT_FOLDERS.get(entry.name, entry.name)
        title = entry.title or entry.name.replace("_", " ").capitalize()
        if entry.scope == "portfolio":
            jobs.append(ReportJob(entry.name, "portfolio", portfolio_name, entry.notebook,
                                  f"{entry.name}.html", dict(common), title))
        elif entry.scope == "program":
            for program in sorted(programs):
                jobs.append(ReportJob(entry.name, "program", program, entry.notebook,
                                      f"{folder}/{slugs[program]}.html", {**common, "program": program}, title))
        else:
            for project_id in project_ids:
                if not PROJECT_ID_PATTERN.match(project_id):
                    raise ParameterError(f"project id {project_id!r} cannot name a file")
                label = (project_names or {}).get(project_id, project_id)
                jobs.append(ReportJob(entry.name, "project", project_id, entry.notebook,
                                      f"{folder}/{project_id}.html", {**common, "project_id": project_id}, title,
                                      label))
    return jobs
