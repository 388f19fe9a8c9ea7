"""The e-mail rendering of one report of a run: HTML body, PNG charts, plain text, attachments.

The body is built from what the run already produced, never recomputed: the
executed notebook's ``text/html`` outputs (made by :mod:`pmo_lib.reports.html` and
:mod:`pmo_lib.charts.render`, already escaped) and markdown headings, converted
for mail clients by :mod:`pmo_lib.mail.mail_html`, and the metrics table for the
plain-text part.

The HTML body stays under :data:`BODY_LIMIT` bytes (Gmail clips bodies above
about 102 KB). A report too long for that is cut to its head sections
(:data:`HEAD_SECTIONS`: header, KPIs, the summary, exceptions and watermelons,
decisions, status update, S-curve, milestones, top risks) with a note.

Where the full report is: with ``report_base_url`` in the run's parameters
(the address where the output folder is published) the message links to
``<report_base_url>/<run folder>/<page>``; without it a cut message carries
the page as an attachment, and no message names a path of the run folder,
which a recipient cannot reach.

Examples
--------
>>> run = RunFolder.open("output/2026-11-20")  # doctest: +SKIP
>>> mail = render_report_email(run, run.reports[0])  # doctest: +SKIP
>>> message = build_message(mail, sender="pmo@example.org", to=["board@example.org"],
...                         subject="[PMO] status")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import quote

import mistune

from pmo_lib.formatting import escape, format_date, format_money, format_ratio, is_missing, use_number_format
from pmo_lib.mail.mail_html import PNG_DENSITY, InlineImage, mail_document, mail_fragment
from pmo_lib.rag import RAG_WORDS, normalize_rag, sort_worst_first
from pmo_lib.reports.html import note
from pmo_lib.reports.links import resolve_links
from pmo_lib.run.folder import RunFolder

BODY_LIMIT = 80_000
"""Largest HTML body, in bytes of UTF-8 (before transfer encoding)."""

HEAD_SECTIONS = ("header", "summary", "decisions", "attention", "kpis", "exceptions", "watermelons",
                 "manager_summary", "s_curve", "projects", "milestones", "upcoming_milestones", "milestones_next",
                 "top_risks")
"""Report cells (``report.<name>()``) kept when the whole report is too long for an e-mail, most
important first: if even these are too long, tables are dropped from the end of this list."""

MESSAGE_LIMITS = {"project": 250_000, "program": 400_000, "portfolio": 400_000}
"""Largest whole message (.eml, all parts encoded) per report scope, in bytes."""
_HEADERS = 4_000  # the message's and the parts' headers (recipients, subject) beyond a probe's
_WIRE = 1.014  # a message's size on the wire per byte of it with "\n" line ends (SMTP sends CRLF)

_KEEP_ALWAYS = ("header", "kpis")
_SMALL = 1_000  # an output this small (its HTML and PNGs) is never dropped to save space
_MARKDOWN = mistune.create_markdown(escape=True)


@dataclass(frozen=True)
class Attachment:
    """A file attached to the message."""

    filename: str
    data: bytes
    maintype: str = "text"
    subtype: str = "html"


@dataclass(frozen=True)
class ReportEmail:
    """Everything a report's message holds, before addressing.

    Attributes
    ----------
    key : str
        The manifest key (``projects/PRJ-008``).
    fields : dict
        Values for the subject template: ``portfolio``, ``status_date``,
        ``title``, ``rag``, and per scope ``project``, ``project_id``,
        ``program``.
    html, text : str
        The two alternatives of the body.
    images : tuple of InlineImage
        The PNG charts the HTML references by ``cid:``.
    attachments : tuple of Attachment
    trimmed : bool
        Whether the body shows only the head sections.
    """

    key: str
    scope: str
    fields: dict
    html: str
    text: str
    images: tuple[InlineImage, ...] = field(default=())
    attachments: tuple[Attachment, ...] = field(default=())
    trimmed: bool = False

    @property
    def html_bytes(self) -> int:
        """Size of the HTML body in bytes (UTF-8)."""
        return len(self.html.encode("utf-8"))


class _Output(NamedTuple):
    """One cell's output: its section name and RAG (from the output metadata), HTML and text."""

    name: str
    html: str
    text: str
    rag: str | None = None


def _cell_output(cell) -> _Output | None:
    html, text, name, rag = [], [], "", None
    for output in cell.get("outputs", []):
        if output.get("output_type") not in ("execute_result", "display_data"):
            continue
        meta = (output.get("metadata") or {}).get("pmo") or {}
        name = name or str(meta.get("section") or "")
        rag = rag or meta.get("rag")
        data = output.get("data", {})
        plain = data.get("text/plain", "")
        plain = "".join(plain) if isinstance(plain, list) else str(plain)
        if "text/html" in data:
            value = data["text/html"]
            html.append("".join(value) if isinstance(value, list) else str(value))
        elif plain.strip():
            html.append(f'<pre style="white-space:pre-wrap;font-size:12px">{mistune.escape(plain)}</pre>')
        text.append(plain)
    if not html:
        return None
    return _Output(name, "".join(html), "\n".join(text), rag)


def read_blocks(notebook) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The notebook's sections: ``(heading_html, [(cell_name, html, text, rag), ...])``.

    A cell's name and RAG come from its output metadata (``{"pmo": {"section": ..., "rag": ...}}``,
    set by the report views); cells without it have the name ``""``.

    Markdown before the first output (the notebook's own title and
    instructions) and the parameters cells are left out; each later
    markdown cell starts a section.
    """
    blocks = []
    heading, outputs, started = "", [], False
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and started:
            blocks.append((heading, outputs))
            heading, outputs = f'<div class="pmo-md">{_MARKDOWN(cell.source)}</div>', []
        elif cell.cell_type == "code" and not {"parameters", "injected-parameters"} & set(tags):
            output = _cell_output(cell)
            if output is not None:
                started = True
                outputs.append(output)
    blocks.append((heading, outputs))
    return [(h, outs) for h, outs in blocks if h or outs]


def _head(blocks, keep=HEAD_SECTIONS):
    selected = []
    for heading, outputs in blocks:
        kept = [o for o in outputs if o[0] in keep]
        if kept:
            selected.append((heading, kept))
    return selected


def _output_named(blocks, name: str):
    return next((o for _, outputs in blocks for o in outputs if o[0] == name), None)


def _header_rag(blocks) -> str | None:
    header = _output_named(blocks, "header")
    return header.rag if header is not None else None


def _fields(run: RunFolder, entry: dict, blocks) -> dict:
    scope, subject = entry.get("scope"), str(entry.get("subject") or "")
    fields = {"portfolio": run.portfolio_name, "status_date": run.status_date,
              "title": str(entry.get("title") or ""), "rag": entry.get("rag")}
    if scope == "project":
        row = run.metrics_row(subject)
        fields.update(project_id=subject, project=subject, program="")
        if row is not None:
            fields.update(project=str(row.get("name") or subject), program=str(row.get("program") or ""))
            if is_missing(fields["rag"]):
                fields["rag"] = row.get("overall_rag")
    elif scope == "program":
        fields["program"] = subject
    if is_missing(fields["rag"]):
        fields["rag"] = _header_rag(blocks)
    fields["rag"] = RAG_WORDS[normalize_rag(fields["rag"])]
    return fields


def _project_line(row, currency: str) -> str:
    rag = RAG_WORDS[normalize_rag(row.get("overall_rag"))]
    return (f"  {rag:<5}  {row.get('project_id')}  {row.get('name')}  ·  SPI {format_ratio(row.get('spi'))}"
            f"  CPI {format_ratio(row.get('cpi'))}  EAC {format_money(row.get('eac'), currency)}"
            f"  finish {format_date(row.get('forecast_finish'))}")


def _project_lines(run: RunFolder, program: str | None) -> list[str]:
    metrics = run.metrics
    if program is not None and "program" in metrics:
        metrics = metrics[metrics["program"] == program]
    if metrics.empty:
        return []
    ordered = sort_worst_first(metrics)
    return ["Projects (overall RAG, worst first):"] + [_project_line(r, run.currency) for _, r in ordered.iterrows()]


def _key_figures(row, currency: str) -> list[str]:
    dims = ", ".join(f"{name} {RAG_WORDS[normalize_rag(row.get(col))]}"
                     for name, col in (("schedule", "schedule_rag"), ("cost", "cost_rag")) if col in row)
    return [
        "Key figures:",
        f"  Overall RAG      {RAG_WORDS[normalize_rag(row.get('overall_rag'))]}" + (f" ({dims})" if dims else ""),
        f"  SPI              {format_ratio(row.get('spi'))}",
        f"  CPI              {format_ratio(row.get('cpi'))}",
        f"  EAC              {format_money(row.get('eac'), currency)}"
        f" (budget at completion {format_money(row.get('bac'), currency)})",
        f"  Forecast finish  {format_date(row.get('forecast_finish'))}"
        f" (planned {format_date(row.get('planned_finish'))})",
    ]


def failed_reports(run: RunFolder) -> list[dict]:
    """The manifest entries of reports that failed (they are never mailed)."""
    return [r for r in run.reports if r.get("status") != "ok"]


def _failure_line(entry: dict) -> str:
    error = entry.get("error") or {}
    reason = (str(error.get("message") or "").splitlines() or [""])[0][:160]
    kind = error.get("type") or "failed"
    return f"{entry.get('title') or entry.get('report')}: {entry.get('subject')} ({kind}{': ' + reason if reason else ''})"


def _text_body(run: RunFolder, entry: dict, blocks, fields: dict, where: str) -> str:
    header = _output_named(blocks, "header")
    lines = [header[2] if header else f"{fields['title']}: {entry.get('subject')} — {fields['rag']}", ""]
    lines.append(f"{fields['title']} · {run.portfolio_name} · status date {format_date(run.status_date)}")
    lines.append("")
    scope = entry.get("scope")
    if scope == "project":
        row = run.metrics_row(str(entry.get("subject")))
        if row is not None:
            lines += _key_figures(row, run.currency)
    else:
        kpis = _output_named(blocks, "kpis")
        if kpis and kpis[2].strip():
            lines += ["Key figures:"] + [f"  {line}" for line in kpis[2].splitlines()]
        lines.append("")
        lines += _project_lines(run, str(entry.get("subject")) if scope == "program" else None)
    if scope == "portfolio":
        failed = failed_reports(run)
        if failed:
            lines += ["", f"{len(failed)} report(s) failed in this run and were not mailed:"]
            lines += [f"  - {_failure_line(f)}" for f in failed]
    lines += ["", where, "", "Sent by pmo-reports."]
    return "\n".join(lines) + "\n"


def _convert(blocks, density: float, links=None):
    """Convert every output once; return blocks of (name, MailFragment).

    ``links`` turns the pages' relative links into what mail can carry
    (:func:`pmo_lib.reports.links.resolve_links`).
    """
    fix = links or (lambda html: html)
    converted = []
    for heading, outputs in blocks:
        converted.append((mail_fragment(heading).html if heading else "",
                          [(name, mail_fragment(fix(html), density=density)) for name, html, *_ in outputs]))
    return converted


def _assemble(converted, extra: list[str], *, title: str, preheader: str, footer: str):
    sections, images = [], {}
    header_done = False
    for heading, outputs in converted:
        sections.append(heading)
        for name, fragment in outputs:
            sections.append(fragment.html)
            images.update({i.cid: i for i in fragment.images})
            if name == "header" and not header_done:
                sections.extend(extra)
                header_done = True
    if not header_done:
        sections[:0] = extra
    html = mail_document(sections, title=title, preheader=preheader, footer=footer)
    used = tuple(i for cid, i in images.items() if f"cid:{cid}" in html)
    return html, used


def page_url(run: RunFolder, entry: dict) -> str | None:
    """The published address of the report's page, when the run has a ``report_base_url``.

    Examples
    --------
    >>> class Run:
    ...     path = PurePosixPath("/srv/output/2026-11-20")
    ...     manifest = {"parameters": {"report_base_url": "https://pmo.example.org/reports/"}}
    >>> page_url(Run(), {"page": "projects/PRJ-003.html"})
    'https://pmo.example.org/reports/2026-11-20/projects/PRJ-003.html'
    >>> Run.manifest = {"parameters": {}}
    >>> page_url(Run(), {"page": "projects/PRJ-003.html"}) is None
    True
    """
    base = str((run.manifest.get("parameters") or {}).get("report_base_url") or "").strip()
    page = str(entry.get("page") or "")
    if not base or not page:
        return None
    return f"{base.rstrip('/')}/{quote(PurePosixPath(str(run.path)).name)}/{quote(page)}"


def _link(url: str) -> str:
    return (f'<p class="pmo-mail-link" style="margin:0 0 12px;font-size:13px">'
            f'<a href="{escape(url)}" style="color:#0969da">Open the full report</a></p>')


def render_report_email(run: RunFolder, entry: dict, *, attach_page: bool = False, limit: int = BODY_LIMIT,
                        density: float = PNG_DENSITY) -> ReportEmail:
    """Build the e-mail rendering of one report of a run.

    Parameters
    ----------
    run : RunFolder
    entry : dict
        The report's manifest entry (status ``ok``).
    attach_page : bool, default False
        Attach the full web page; it is attached anyway when the body had to
        be cut to its head sections.
    limit : int, default BODY_LIMIT
        Largest HTML body in bytes. The whole message, its PNGs base64-encoded,
        also keeps within :data:`MESSAGE_LIMITS` of its scope: a report over
        either is cut to its head sections (and then loses its least important
        ones) as a long one is.
    density : float, default 2
        PNG pixels per CSS pixel of each chart.

    Raises
    ------
    RunFolderError
        When the executed notebook is missing or unreadable.
    """
    use_number_format((run.manifest.get("parameters") or {}).get("number_format"))  # as the pages
    notebook = run.notebook(entry)
    blocks = read_blocks(notebook)
    fields = _fields(run, entry, blocks)
    page = run.file(entry.get("page"))
    page_name = PurePosixPath(str(entry.get("page") or "report.html")).name
    title = f"{fields['title']}: {fields.get('project') or entry.get('subject')}"
    preheader = f"Overall {fields['rag']} · status date {format_date(run.status_date)}"
    footer = f"{run.portfolio_name} · {fields['title']} · figures as of {format_date(run.status_date)} · sent by pmo-reports"

    url = page_url(run, entry)
    extra = [_link(url)] if url else []
    if entry.get("scope") == "portfolio":
        failed = failed_reports(run)
        if failed:
            extra.append(note(f"{len(failed)} report(s) failed in this run and were not mailed: "
                              + "; ".join(_failure_line(f) for f in failed), kind="warning").html)
    base_url = str((run.manifest.get("parameters") or {}).get("report_base_url") or "")
    converted = _convert(blocks, density, links=lambda html: resolve_links(
        html, page=str(entry.get("page") or ""), base_url=base_url, run_folder=run.path.name))
    html, images = _assemble(converted, extra, title=title, preheader=preheader, footer=footer)
    budget = MESSAGE_LIMITS.get(str(entry.get("scope")), MESSAGE_LIMITS["portfolio"])
    text_probe = _text_body(run, entry, blocks, fields, f"The full report is attached ({page_name}).")

    def within_budget(html: str, images, attachments=()) -> bool:
        """Whether the whole message, as it will be encoded and sent, keeps within the scope's budget."""
        probe = ReportEmail(key=str(entry.get("key")), scope=str(entry.get("scope")), fields={}, html=html,
                            text=text_probe, images=tuple(images), attachments=tuple(attachments))
        size = len(build_message(probe, sender="pmo-reports@example.invalid", to=["someone@example.invalid"],
                                 subject=title).as_bytes())
        return size * _WIRE + _HEADERS <= budget

    def fits(html: str, images) -> bool:
        """The body within ``limit`` and the whole message within the scope's budget."""
        return len(html.encode("utf-8")) <= limit and within_budget(html, images)

    trimmed = False
    if not fits(html, images):
        trimmed = True
        where = (f"the full report is at {url}" if url
                 else f"the full report is attached ({page_name})" if page is not None and page.is_file()
                 else "the full report is on the run's web pages")
        cut = note(f"This e-mail shows the head of the report only; {where}.").html
        converted = _head(converted)
        while True:
            html, images = _assemble(converted, extra + [cut], title=title, preheader=preheader, footer=footer)
            droppable = [o for _, outs in converted for o in outs if o[0] not in _KEEP_ALWAYS
                         and len(o[1].html) + sum(len(i.data) for i in o[1].images) > _SMALL]
            if fits(html, images) or not droppable:
                break
            drop = max(droppable, key=lambda o: HEAD_SECTIONS.index(o[0]))
            converted = [(h, [o for o in outs if o is not drop]) for h, outs in converted]
            converted = [(h, outs) for h, outs in converted if outs]
    attachments = ()
    if (attach_page or (trimmed and not url)) and page is not None and page.is_file():
        attached = (Attachment(page_name, page.read_bytes()),)
        if attach_page or within_budget(html, images, attached):  # the page only where it fits the message
            attachments = attached
        elif trimmed:  # too heavy to attach: say so instead of promising an attachment
            cut = note("This e-mail shows the head of the report only; the full report is on the run's web "
                       "pages.").html
            html, images = _assemble(converted, extra + [cut], title=title, preheader=preheader, footer=footer)
    where = (f"The full report: {url}" if url
             else f"The full report is attached ({page_name})." if attachments
             else "The full report is on the run's web pages.")
    text = _text_body(run, entry, blocks, fields, where)
    return ReportEmail(key=str(entry.get("key")), scope=str(entry.get("scope")), fields=fields, html=html,
                       text=text, images=images, attachments=attachments, trimmed=trimmed)


def build_message(mail: ReportEmail, *, sender: str, to: list[str], cc: list[str] = (), subject: str,
                  message_id: str | None = None, date: dt.datetime | None = None) -> EmailMessage:
    """The MIME message: ``text/plain`` and ``multipart/related`` HTML with its PNGs, plus attachments.

    The structure is ``multipart/mixed`` (only with attachments) holding
    ``multipart/alternative`` of ``text/plain`` and ``multipart/related``
    (``text/html`` and one ``image/png`` per ``cid:``).
    """
    message = EmailMessage()
    message["Subject"] = " ".join(str(subject).split())
    message["From"] = sender
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pmo-reports.invalid"
    message["Message-ID"] = message_id or make_msgid(idstring="pmo", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-PMO-Report"] = mail.key
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    for image in mail.images:
        html_part.add_related(image.data, "image", "png", cid=f"<{image.cid}>", filename=image.filename,
                              disposition="inline")
    for attachment in mail.attachments:
        message.add_attachment(attachment.data, attachment.maintype, attachment.subtype,
                               filename=attachment.filename)
    return message
