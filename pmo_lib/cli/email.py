"""``pmo-report email``: the command line of :func:`pmo_lib.mail.send.email_run`."""

from __future__ import annotations

from pathlib import Path

import click

from pmo_lib.mail.send import email_run


@click.command("email", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Run folder written by 'pmo-report run'.")
@click.option("--to", "to", multiple=True, metavar="ADDRESS",
              help="Send every report to this address instead of the lists (repeatable; for testing).")
@click.option("--only", "only", multiple=True, metavar="KIND/ID",
              help="Only these reports, e.g. projects/PRJ-008, programs/digital-customer, portfolio (repeatable).")
@click.option("--dry-run", is_flag=True, help="Write each message as DIR/email/<page>.eml; send nothing.")
@click.option("--resend", is_flag=True, help="Send again to recipients who already received this run's report.")
@click.option("--distribution", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Distribution lists YAML; default parameters/distribution.yaml.")
@click.option("--connect-timeout", type=float, default=None, metavar="SECONDS",
              help="Seconds to connect and get the server's greeting (default PMO_SMTP_CONNECT_TIMEOUT or 10).")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Seconds to wait for each reply of the server (default PMO_SMTP_TIMEOUT or 30).")
@click.option("--deadline", type=float, default=None, metavar="SECONDS",
              help="Seconds all the messages may take together (default PMO_SMTP_DEADLINE or 900).")
def email(run_dir, to, only, dry_run, resend, distribution, connect_timeout, timeout, deadline) -> None:
    """Mail a run's reports (SMTP from PMO_SMTP_* variables).

    Exit 0 all sent, 1 some failed or uncertain, 2 bad input, 128+N stopped by signal N.
    """
    from pmo_lib.run.dispatch import Stopped, stop_on_signals

    try:
        with stop_on_signals():
            code = email_run(run_dir, to=to, only=only, dry_run=dry_run, resend=resend, distribution=distribution,
                             connect_timeout=connect_timeout, timeout=timeout, deadline=deadline)
    except Stopped as stop:
        click.echo(f"error: {stop}; a message being sent is recorded as uncertain", err=True)
        code = stop.exit_code
    raise SystemExit(code)
