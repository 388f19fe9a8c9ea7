"""The ``pmo-report`` command line: one group, one command per step of the flow."""

from pmo_lib.cli.main import main

__all__ = ["main"]
