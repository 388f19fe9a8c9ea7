"""Audit the installed dependencies for known vulnerabilities; ``make test`` runs it.

Runs pip-audit on the project's environment (our own editable package
skipped) and decides:

- a known vulnerability in any installed package: list each and exit 1;
- the vulnerability service cannot be reached (offline, DNS, proxy) or could
  not check some packages (a package index without PyPI's per-version
  answers reports every package as "not found"): print a warning naming what
  was not checked and exit 0, so a build without network does not fail
  falsely and an audit that did not happen is never shown as a pass;
- otherwise: one line saying how many packages were checked, exit 0.

Arguments are passed on to pip-audit (``--ignore-vuln GHSA-...`` to accept a
known finding). ``PMO_PIP_AUDIT`` replaces the pip-audit command (the tests
use it); its cache lives in ``.venv/pip-audit-cache``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv" / "pip-audit-cache"


def warn(message: str) -> int:
    print(f"warning: {message}", file=sys.stderr)
    return 0


def describe(dependency: dict) -> list[str]:
    lines = []
    for vuln in dependency["vulns"]:
        aliases = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
        lines.append(f"  {dependency['name']} {dependency['version']}: {vuln['id']}{aliases}, fixed in {fixed}")
    return lines


def main(argv: list[str]) -> int:
    command = shlex.split(os.environ.get("PMO_PIP_AUDIT", "")) or [sys.executable, "-m", "pip_audit"]
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "audit.json"
        try:
            done = subprocess.run(
                [*command, "--skip-editable", "--progress-spinner", "off", "--format", "json",
                 "-o", str(report_file), "--cache-dir", str(CACHE), *argv],
                capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return warn(f"the dependency audit could not run ({exc})")
        try:
            report = json.loads(report_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report = None
    if report is None:  # pip-audit stopped before writing its report: no service, no network
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return warn(f"the dependency audit could not run (pip-audit exit {done.returncode}: {last[:300]}); "
                    "no package was checked")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    if vulnerable:
        print(f"error: known vulnerabilities in {len(vulnerable)} installed package(s):", file=sys.stderr)
        for dependency in vulnerable:
            print("\n".join(describe(dependency)), file=sys.stderr)
        print("upgrade them (or pass --ignore-vuln ID for a finding that does not apply)", file=sys.stderr)
        return 1
    installed = [d for d in dependencies if "editable" not in (d.get("skip_reason") or "")]
    unchecked = [d for d in installed if d.get("skip_reason")]
    checked = len(installed) - len(unchecked)
    if unchecked:
        names = ", ".join(d["name"] for d in unchecked[:8]) + (" ..." if len(unchecked) > 8 else "")
        warn(f"the vulnerability service could not check {len(unchecked)} of {len(installed)} packages "
             f"({names}): {unchecked[0]['skip_reason']}")
    if checked:
        print(f"dependency audit: no known vulnerabilities in {checked} packages")
    else:
        print("dependency audit: NOT DONE, no package could be checked (see the warning above)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
