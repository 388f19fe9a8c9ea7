"""Report views: what each report notebook shows, one method per cell."""

from pmo_lib.reports.portfolio import PortfolioReport
from pmo_lib.reports.program import ProgramReport
from pmo_lib.reports.project import ProjectReport

__all__ = ["PortfolioReport", "ProgramReport", "ProjectReport"]
