"""``pmo-report email``: mail a finished run's reports to their distribution lists, once.

``email_run`` does the work and returns the exit code, so ``pmo-report run
--email`` can call it after a run: 0 every message went to every recipient
(or there was nothing new to send), 1 some message or recipient failed,
2 bad input (run folder, distribution file, ``--only``, ``--to``, SMTP
environment), with nothing sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

import click

from pmo_lib.errors import PmoError


def _selected(reports: list[dict], only: Iterable[str]) -> list[dict]:
    """The manifest entries matching ``--only KIND/ID`` (KIND: report or scope; ID: page name or subject)."""
    only = [o.strip() for o in only if o.strip()]
    if not only:
        return reports
    chosen, unknown = [], []
    for selector in only:
        kind, _, ident = selector.partition("/")
        hits = [r for r in reports
                if kind.lower() in (str(r.get("report")).lower(), str(r.get("scope")).lower())
                and (not ident or ident.lower() in (PurePosixPath(str(r.get("page") or "")).stem.lower(),
                                                    str(r.get("subject")).lower()))]
        if not hits:
            close = difflib.get_close_matches(selector, [r["key"] for r in reports], n=1)
            unknown.append(f"{selector!r}" + (f" (did you mean '{close[0]}'?)" if close else ""))
        chosen += [r for r in hits if r not in chosen]
    if unknown:
        raise PmoError(f"--only: no report matches {', '.join(unknown)}; give KIND/ID such as projects/PRJ-008, "
                       "programs/<program>, portfolio")
    return [r for r in reports if r in chosen]


def _plan(run, entries, lists, to_override) -> dict[str, tuple[list[str], list[str]]]:
    """Recipients per report key; every problem at once (DistributionError)."""
    from pmo_lib.mail.recipients import DistributionError, resolve_recipients

    if to_override:
        return {e["key"]: (list(to_override), []) for e in entries}
    people = None
    if any(e.get("scope") == "project" for e in entries):
        try:
            frame = run.people
            people = {r["project_id"]: r for r in frame.to_dict("records")}
        except PmoError:
            if any(e.get("scope") == "project" and str(e.get("subject")) not in lists.projects for e in entries):
                raise
    plan, problems = {}, []
    for entry in entries:
        try:
            plan[entry["key"]] = resolve_recipients(lists, entry, people)
        except DistributionError as exc:
            problems.append(str(exc))
    if problems:
        raise DistributionError("\n".join(problems))
    return plan


def email_run(run_dir: str | Path, *, to: Iterable[str] = (), only: Iterable[str] = (), dry_run: bool = False,
              resend: bool = False, distribution: str | Path | None = None, environ=None,
              echo: Callable[[str], None] | None = None, sleep=None, connect_timeout: float | None = None,
              timeout: float | None = None, deadline: float | None = None) -> int:
    """Mail every report of a run folder; return the exit code.

    0: every message went to every recipient (or there was nothing new to send);
    1: some message or recipient failed, or a delivery is uncertain (this time or
    left from an earlier time and not yet re-sent), or the sent log could not be
    written part-way (what was sent is listed); 2: bad input, nothing sent.

    Parameters
    ----------
    run_dir : path
        The ``--out`` folder of ``pmo-report run``.
    to : addresses, optional
        Send every report to these addresses instead of the distribution lists.
    only : selectors, optional
        ``KIND/ID`` such as ``projects/PRJ-008``, ``programs/digital-customer``, ``portfolio``.
    dry_run : bool
        Write each message as ``DIR/email/<page>.eml`` and send nothing.
    resend : bool
        Send again to recipients who already received a report of this run.
    distribution : path, optional
        Distribution file (default ``parameters/distribution.yaml``).
    environ : mapping, optional
        Where the ``PMO_SMTP_*`` variables are read (default ``os.environ``).
    echo : callable, optional
        Receives one line per message (default: standard output).
    connect_timeout, timeout, deadline : float, optional
        Seconds to connect and be greeted, to wait for each reply, and for the
        whole e-mail run; default ``PMO_SMTP_CONNECT_TIMEOUT``, ``PMO_SMTP_TIMEOUT``,
        ``PMO_SMTP_DEADLINE`` or 10, 30 and 900.
    """
    echo = echo or click.echo
    times = {"connect_timeout": connect_timeout, "timeout": timeout, "deadline": deadline}
    try:
        return _email_run(Path(run_dir), to=list(to), only=list(only), dry_run=dry_run, resend=resend,
                          distribution=distribution, environ=environ, echo=echo, sleep=sleep, times=times)
    except PmoError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except OSError as exc:
        click.echo(f"error: cannot write in the run folder {run_dir}: {exc.strerror or exc}", err=True)
        return 2


def _email_run(run_dir, *, to, only, dry_run, resend, distribution, environ, echo, sleep, times) -> int:
    from pmo_lib.mail.recipients import is_address
    from pmo_lib.run.folder import RunFolder
    from pmo_lib.run.transaction import OutputLock, output_root

    bad = [a for a in to if not is_address(a)]
    if bad:
        raise PmoError(f"--to: not an e-mail address: {', '.join(bad)}")
    RunFolder.open(run_dir)  # a clear error before the output root's lock is taken
    with OutputLock(output_root(run_dir), "email"):  # no run swaps the folder while its mail is composed
        return _send_run(RunFolder.open(run_dir), to=to, only=only, dry_run=dry_run, resend=resend,
                         distribution=distribution, environ=environ, echo=echo, sleep=sleep, times=times)


def _send_run(run, *, to, only, dry_run, resend, distribution, environ, echo, sleep, times) -> int:
    from pmo_lib.mail.recipients import DEFAULT_DISTRIBUTION, Distribution, load_distribution
    from pmo_lib.mail.sent_log import SentLog
    from pmo_lib.mail.smtp import SmtpMailer, SmtpSettings
    from pmo_lib.run.transaction import remove_stale_temporaries

    entries = _selected(run.reports, only)
    if distribution is not None or not to or DEFAULT_DISTRIBUTION.is_file():
        lists = load_distribution(distribution)
    else:
        lists = Distribution()
    settings = SmtpSettings.from_env(environ, require_host=not dry_run).with_times(**times)
    ok_entries = [e for e in entries if e.get("status") == "ok"]
    plan = _plan(run, ok_entries, lists, to)
    log = SentLog(run.path)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "uncertain": 0, "written": 0}
    keys = {e["key"] for e in entries}
    try:
        remove_stale_temporaries(run.path)  # only the project's own names, only in a folder it built
        for entry in log.mark_interrupted():
            echo(f"warning  {entry['key']}: an earlier 'pmo-report email' was stopped while sending it to "
                 f"{', '.join(entry.get('recipients', []))}; it is now uncertain")
        with SmtpMailer(settings, **({"sleep": sleep} if sleep else {})) as mailer:
            for entry in entries:
                _send_one(run, entry, plan, lists, log, mailer, settings, counts, echo=echo, dry_run=dry_run,
                          resend=resend)
    except OSError as exc:  # a full disk: what was sent is on screen; what was not is sent next time
        echo(f"FAILED   cannot write in {run.path / 'email'}: {exc.strerror or exc}; stopped, nothing more is sent")
        counts["failed"] += 1
    uncertain = [] if dry_run else [e for e in log.uncertain() if e.get("key") in keys]
    for item in uncertain:
        echo(f"UNCERTAIN {item['key']}: {', '.join(item.get('recipients', []))} ({item.get('time')}): "
             f"{item.get('error') or 'no reply'}; it may have been delivered, so it is not sent again "
             f"automatically: check with the recipients, then --only {item['key']} --resend to send it again")
    counts["uncertain"] = len(uncertain)
    summary = ", ".join(f"{n} {word}" for word, n in counts.items() if n or word in ("sent", "failed"))
    echo(f"{summary}{' (dry run: nothing sent)' if dry_run else ''}")
    return 1 if counts["failed"] or counts["uncertain"] else 0


def _send_one(run, entry, plan, lists, log, mailer, settings, counts, *, echo, dry_run, resend) -> None:
    """Build, record and send one report's message; count and echo what happened."""
    from pmo_lib.files import write_bytes
    from pmo_lib.mail.compose import build_message, render_report_email
    from pmo_lib.mail.recipients import render_subject

    key = entry["key"]
    if entry.get("status") != "ok":
        echo(f"skipped  {key}: the report failed in the run, so it is not mailed")
        counts["skipped"] += 1
        return
    to_list, cc_list = plan[key]
    done = [] if resend else log.already(key, to_list + cc_list)
    to_now = [a for a in to_list if a not in done]
    cc_now = [a for a in cc_list if a not in done]
    if not to_now and not cc_now:
        why = "already sent (--resend to send again)" if done else "no recipients in the distribution file"
        echo(f"skipped  {key}: {why}")
        counts["skipped"] += 1
        return
    try:
        mail = render_report_email(run, entry, attach_page=lists.attach_page, density=lists.chart_density)
    except PmoError as exc:
        echo(f"FAILED   {key}: cannot build the message: {exc}")
        counts["failed"] += 1
        return
    subject = render_subject(getattr(lists.subjects, entry.get("scope", "project")), mail.fields)
    message = build_message(mail, sender=settings.sender, to=to_now, cc=cc_now, subject=subject)
    if dry_run:
        page = PurePosixPath(str(entry.get("page") or key)).with_suffix(".eml")
        target = write_bytes(run.path / "email" / page, message.as_bytes())
        echo(f"written  {key}: {target.relative_to(run.path)} ({mail.html_bytes / 1000:.1f} KB body)")
        counts["written"] += 1
        return
    message_id = message["Message-ID"]
    log.start(key, message_id, to_now + cc_now, subject=subject)  # before the server sees it: at most once
    delivery = mailer.send(message, to_now + cc_now)
    if delivery.accepted:
        echo(f"{'sent    ' if delivery.ok else 'PARTIAL '} {key}: {'' if delivery.ok else 'sent to '}"
             f"{', '.join(delivery.accepted)}")
    for address, reply in delivery.refused.items():
        echo(f"FAILED   {key}: {address} {'refused' if reply[:1].isdigit() else 'not sent'}: {reply}")
    if delivery.error and not delivery.uncertain:
        echo(f"FAILED   {key}: {delivery.error}")
    log.finish(message_id, accepted=delivery.accepted, refused=delivery.refused, uncertain=delivery.uncertain,
               error=delivery.error)
    if resend and delivery.accepted and not delivery.uncertain:
        log.resolve(key, message_id)
    if delivery.ok:
        counts["sent"] += 1
    elif not delivery.uncertain:
        counts["failed"] += 1
