"""The sample portfolio, Northwind Utilities: generated, seeded and reproducible."""

from pmo_lib.data.sample.banks import COMPANY, PROGRAMS
from pmo_lib.data.sample.generator import generate_portfolio, write_portfolio

__all__ = ["COMPANY", "PROGRAMS", "generate_portfolio", "write_portfolio"]
