"""Helpers for the e-mail tests: a small run folder, a real SMTP server on 127.0.0.1, a TLS certificate.

The run folder is built here from pmo_lib's own display fragments and one
real chart, so the e-mail tests do not depend on the whole report suite.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest

from pmo_lib.charts.render import show_chart
from pmo_lib.reports.html import kpi_tiles, note, report_header
from pmo_lib.reports.tables import table

HOSTILE = "</script><script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
STATUS_DATE = "2026-11-20"

PROJECTS = [
    {"project_id": "PRJ-001", "name": "Customer Portal Rebuild", "program": "Digital Customer",
     "manager": "Zoë Müller", "sponsor": "Henrik Sørensen", "overall_rag": "green", "schedule_rag": "green",
     "cost_rag": "green", "spi": 1.02, "cpi": 1.05, "bac": 628500, "eac": 598819.39,
     "planned_finish": "2027-07-27", "forecast_finish": "2027-07-21"},
    {"project_id": "PRJ-002", "name": f"Mobile {HOSTILE} {HOSTILE_IMG}", "program": "Digital Customer",
     "manager": "Aisha Bello", "sponsor": "Henrik Sørensen", "overall_rag": "red", "schedule_rag": "red",
     "cost_rag": "amber", "spi": 0.71, "cpi": 0.88, "bac": 1430200, "eac": 1625227.27,
     "planned_finish": "2027-03-15", "forecast_finish": "2027-06-05"},
    {"project_id": "PRJ-003", "name": "Contact Centre Cloud Migration", "program": "Grid Modernisation",
     "manager": "Aisha Bello", "sponsor": "David Okonkwo", "overall_rag": "amber", "schedule_rag": "amber",
     "cost_rag": "green", "spi": 0.9, "cpi": 0.97, "bac": 180000, "eac": 185567.01,
     "planned_finish": "2027-04-11", "forecast_finish": "2027-05-01"},
]

PEOPLE = {
    "Zoë Müller": "zoe.muller@example.org",
    "Henrik Sørensen": "henrik.sorensen@example.org",
    "Aisha Bello": "aisha.bello@example.org",
    "David Okonkwo": "david.okonkwo@example.org",
    "PMO Office": "pmo-office@example.com",
}

_CHART_HTML: list[str] = []


def chart_html() -> str:
    """One real chart output (inline SVG in a figure), rendered once per session."""
    if not _CHART_HTML:
        frame = pd.DataFrame({"week": [1, 2, 3, 4], "value": [10, 30, 45, 80]})
        chart = alt.Chart(frame, title="S-curve").mark_line().encode(x="week:Q", y="value:Q")
        _CHART_HTML.append(show_chart(chart, caption="Planned value <PV> & earned value").html)
    return _CHART_HTML[0]


def _output(fragment_html: str, text: str, meta: dict | None = None) -> dict:
    return nbformat.v4.new_output("execute_result", data={"text/html": fragment_html, "text/plain": text},
                                  metadata={"pmo": meta} if meta else {}, execution_count=1)


def _code(source: str, html: str | None = None, text: str = "", rag: str | None = None) -> nbformat.NotebookNode:
    """A code cell as a report view leaves it: ``report.kpis()`` names its output "kpis" in the metadata."""
    cell = nbformat.v4.new_code_cell(source)
    if html is not None:
        name = source.removeprefix("report.").split("(")[0] if source.startswith("report.") else ""
        meta = {"section": name} if name else {}
        if rag is not None:
            meta["rag"] = rag
        cell.outputs = [_output(html, text, meta)]
    return cell


def _notebook(title: str, cells: list) -> nbformat.NotebookNode:
    params = nbformat.v4.new_code_cell('status_date = "2026-11-20"')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}\n\nChange the parameters."),
                                         params, _code("from pmo_lib.reports import ProjectReport"), *cells])
    nb.metadata["pmo"] = {"title": title, "status_date": STATUS_DATE}
    return nb


def project_notebook(p: dict, *, big_rows: int = 0) -> nbformat.NotebookNode:
    header = report_header(p["name"], [f"{p['project_id']} · Program: {p['program']}",
                                       f"Manager: {p['manager']} · Sponsor: {p['sponsor']}"],
                           rag=p["overall_rag"], dimensions={"schedule": p["schedule_rag"], "cost": p["cost_rag"]})
    tiles = kpi_tiles([{"label": "Estimate at completion", "value": f"€{p['eac']:,.0f}"},
                       {"label": "CPI", "value": f"{p['cpi']:.2f}", "rag": p["cost_rag"]},
                       {"label": "SPI", "value": f"{p['spi']:.2f}", "rag": p["schedule_rag"]},
                       {"label": "Forecast finish", "value": p["forecast_finish"]},
                       {"label": "Budget", "value": f"€{p['bac']:,.0f}"}])
    milestones = table(pd.DataFrame({"Milestone": ["Go-live", f"Cut-over {HOSTILE_IMG}"],
                                     "Forecast": ["2027-03-05", "2027-04-12"]}))
    risks = table(pd.DataFrame({"Risk": ["Supplier late"], "Score": [20]}))
    cells = [_code("report.header()", header.html, header.text, rag=p["overall_rag"]),
             _code("report.manager_summary()", note("On plan.").html, "On plan."),
             nbformat.v4.new_markdown_cell("## Key figures\n\nThe indices (1.00 = on plan)."),
             _code("report.kpis()", tiles.html, tiles.text),
             nbformat.v4.new_markdown_cell("## Progress against plan"),
             _code("report.s_curve()", chart_html(), "Chart"),
             nbformat.v4.new_markdown_cell("## Milestones"),
             _code("report.milestones()", milestones.html, milestones.text),
             nbformat.v4.new_markdown_cell("## Risks"),
             _code("report.risk_heat_map()", chart_html(), "Chart"),
             _code("report.top_risks()", risks.html, risks.text)]
    if big_rows:
        issues = table(pd.DataFrame({"Issue": [f"Issue number {i} about the relay panels" for i in range(big_rows)],
                                     "Owner": ["Priya Raman"] * big_rows, "Age": range(big_rows)}))
        cells += [nbformat.v4.new_markdown_cell("## Open issues"),
                  _code("report.open_issues()", issues.html, issues.text)]
    return _notebook(f"Project status: {p['project_id']}", cells)


def rollup_notebook(title: str, rows: list[dict], rag: str) -> nbformat.NotebookNode:
    header = report_header(title, [f"{len(rows)} projects", f"Status date: {STATUS_DATE}"], rag=rag,
                           dimensions={"schedule": rag, "cost": "green"})
    tiles = kpi_tiles([{"label": "Projects", "value": str(len(rows))}, {"label": "CPI", "value": "0.96",
                                                                          "rag": "green"}])
    frame = pd.DataFrame([{"Project": r["name"], "ID": r["project_id"], "Overall": r["overall_rag"]} for r in rows])
    projects = table(frame, rag=["Overall"])
    cells = [_code("report.header()", header.html, header.text, rag=rag),
             nbformat.v4.new_markdown_cell("## Key figures"), _code("report.kpis()", tiles.html, tiles.text),
             nbformat.v4.new_markdown_cell("## Projects"), _code("report.projects()", projects.html, projects.text),
             nbformat.v4.new_markdown_cell("## Progress"), _code("report.s_curve()", chart_html(), "Chart")]
    return _notebook(title, cells)


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def make_run(root: Path, *, failed: tuple[str, ...] = (), big: tuple[str, ...] = ()) -> Path:
    """Write a finished run folder under ``root`` (data in ``root/data``); return the run folder.

    ``failed`` project ids are recorded as failed reports; ``big`` ones get a
    long issue table that pushes their e-mail past the body limit.
    """
    data, run = root / "data", root / "run"
    data.mkdir(parents=True, exist_ok=True)
    run.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(PROJECTS)[["project_id", "name", "program", "manager", "sponsor"]].to_csv(
        data / "projects.csv", index=False)
    pd.DataFrame(PROJECTS).drop(columns=["manager", "sponsor"]).to_csv(run / "metrics.csv", index=False)
    reports = []

    def add(report, scope, subject, title, page, nb, status="ok"):
        notebook = "notebooks/" + page.replace(".html", ".ipynb")
        (run / notebook).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, run / notebook)
        (run / page).parent.mkdir(parents=True, exist_ok=True)
        (run / page).write_text(f"<!DOCTYPE html><title>{title}</title><p>full page of {page}</p>", encoding="utf-8")
        error = None if status == "ok" else {"type": "KeyError", "message": "'cpi'\nmore", "cell": 7}
        reports.append({"key": f"{report}/{Path(page).stem}", "report": report, "scope": scope, "subject": subject,
                        "title": title, "status": status, "seconds": 1.0, "page": page, "notebook": notebook,
                        "error": error})

    add("portfolio", "portfolio", "Northwind", "Portfolio overview", "portfolio.html",
        rollup_notebook("Northwind: portfolio overview", PROJECTS, "amber"))
    for program in sorted({p["program"] for p in PROJECTS}):
        rows = [p for p in PROJECTS if p["program"] == program]
        add("programs", "program", program, "Program summary", f"programs/{_slug(program)}.html",
            rollup_notebook(f"Program: {program}", rows, "red" if program == "Digital Customer" else "amber"))
    for p in PROJECTS:
        add("projects", "project", p["project_id"], "Project status", f"projects/{p['project_id']}.html",
            project_notebook(p, big_rows=400 if p["project_id"] in big else 0),
            status="failed" if p["project_id"] in failed else "ok")
    manifest = {"status_date": STATUS_DATE, "portfolio_name": "Northwind",
                "data": {"path": str(data), "fingerprint": "x"}, "parameters": {"currency": "EUR"},
                "reports": reports, "counts": {"ok": sum(r["status"] == "ok" for r in reports),
                                               "failed": sum(r["status"] != "ok" for r in reports)}}
    (run / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return run


def write_distribution(path: Path, **overrides) -> Path:
    """A distribution file for :func:`make_run`'s projects."""
    import yaml

    values = {"people": PEOPLE, "portfolio": {"to": ["PMO Office"], "cc": ["board@example.com"]},
              "programs": {"Digital Customer": {"to": ["Henrik Sørensen"]},
                           "Grid Modernisation": {"to": ["David Okonkwo"]}},
              "project_roles": {"to": ["manager"], "cc": ["sponsor"]}}
    values.update(overrides)
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path


# --- a real SMTP server --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pmo-test-smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class Handler:
    """Records every delivered message; can refuse addresses, fail transiently, and inject faults.

    ``data_faults`` are used one per DATA command, in order, after the whole
    message (and its final dot) has arrived: ``"421"`` refuses it transiently;
    ``"drop"`` keeps the message (the server will deliver it) and closes the
    connection without a reply; ``"stall"`` keeps it and acknowledges only after
    ``stall_seconds`` (after the client's timeout). ``rcpt_faults`` likewise per
    RCPT command, before DATA: ``"drop"`` closes the connection, ``"stall"``
    answers after ``stall_seconds``.
    """

    refuse: set[str] = field(default_factory=set)
    transient_data_failures: int = 0
    data_faults: list = field(default_factory=list)
    rcpt_faults: list = field(default_factory=list)
    stall_seconds: float = 2.0
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self.rcpt_faults.pop(0) if self.rcpt_faults else None
        if fault == "drop":
            server.transport.close()
            return "250 OK"
        if fault == "stall":
            await asyncio.sleep(self.stall_seconds)
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        fault = self.data_faults.pop(0) if self.data_faults else None
        with self.lock:
            if self.transient_data_failures > 0 or fault == "421":
                self.transient_data_failures = max(0, self.transient_data_failures - 1)
                return "421 4.3.2 try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append((list(envelope.rcpt_tos), message, envelope.content))
        if fault == "drop":  # taken, then the connection is lost before the 250
            server.transport.close()
        elif fault == "stall":  # taken, acknowledged after the client has given up
            await asyncio.sleep(self.stall_seconds)
        return "250 Message accepted"

    def by_report(self) -> dict:
        return {m["X-PMO-Report"]: (rcpts, m) for rcpts, m, _ in self.messages}

    def copies(self) -> dict:
        """How many copies of each report arrived."""
        counts: dict = {}
        for _, m, _ in self.messages:
            counts[m["X-PMO-Report"]] = counts.get(m["X-PMO-Report"], 0) + 1
        return counts


class Blackhole:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def __enter__(self) -> Blackhole:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()

    def environ(self, **extra) -> dict:
        return {"PMO_SMTP_HOST": "127.0.0.1", "PMO_SMTP_PORT": str(self.port), "PMO_SMTP_SECURITY": "none",
                "PMO_MAIL_FROM": "PMO Office <pmo@example.org>", "PMO_SMTP_RETRY_DELAY": "0.01", **extra}


USER, PASSWORD = "pmo-sender", "Tr0ub4dor&3-not-in-any-file"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 with STARTTLS (or implicit TLS) and required AUTH."""

    def __init__(self, folder: Path, handler: Handler, *, security: str = "starttls"):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
            return AuthResult(success=ok, handled=False)

        self.cert, key = make_certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.port = free_port()
        self.security = security
        options = {"authenticator": authenticate, "auth_required": True}
        if security == "ssl":  # aiosmtpd does not know an implicit-TLS connection is encrypted
            self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, ssl_context=context,
                                         server_hostname="127.0.0.1", auth_require_tls=False, **options)
        else:
            self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, tls_context=context,
                                         require_starttls=True, auth_require_tls=True, **options)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def environ(self, **extra) -> dict:
        env = {"PMO_SMTP_HOST": "127.0.0.1", "PMO_SMTP_PORT": str(self.port), "PMO_SMTP_USER": USER,
               "PMO_SMTP_PASSWORD": PASSWORD, "PMO_SMTP_SECURITY": self.security,
               "PMO_MAIL_FROM": "PMO Office <pmo@example.org>", "PMO_SMTP_CA_FILE": str(self.cert),
               "PMO_SMTP_RETRY_DELAY": "0.01", "PMO_SMTP_CONNECT_TIMEOUT": "5", "PMO_SMTP_TIMEOUT": "5"}
        env.update(extra)
        return env


@pytest.fixture
def handler():
    """The SMTP server's recorder (a test imports this fixture with ``server``)."""
    return Handler()


@pytest.fixture
def server(tmp_path, handler):
    """A running STARTTLS + AUTH server on 127.0.0.1 recording into ``handler``."""
    with SmtpServer(tmp_path, handler) as running:
        yield running


def html_part(message):
    return message.get_body(preferencelist=("html",))


def text_part(message):
    return message.get_body(preferencelist=("plain",))


def cid_parts(message) -> dict:
    """``cid`` (without brackets) to part, for every part with a Content-ID."""
    return {part["Content-ID"].strip("<>"): part for part in message.walk() if part["Content-ID"]}
