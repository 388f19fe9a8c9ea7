"""Run every benchmark with its default sizes (``make benchmark``).

Run: ``.venv/bin/python benchmarks/run.py [--quick] [--only load|reports]``.

1. ``bench_load_and_metrics.py``: load a 1,000-project portfolio and time every metric family,
   validate 1,000 and 3,000 projects beside a plain ``pandas.read_csv`` and a 43 MB workbook
   (a few minutes, more the first time: the portfolios and the workbook are generated once);
2. ``bench_reports.py``: the naive papermill + nbconvert way, ``pmo-report run`` and the compute
   floor on portfolios of 40, 200 and 1,000 projects (about 20-30 minutes on 2 cores: the
   1,000-project run alone produces 1,005 reports).

Both rewrite their own section of ``benchmarks/RESULTS.md``. ``--quick`` is a smoke run
(200-project load, 40-project reports, two naive reports) that leaves ``RESULTS.md`` alone.
The exit code is the first non-zero exit code of the scripts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "load": ["bench_load_and_metrics.py", "--projects", "1000", "--seed", "1", "--repeat", "3",
             "--load-sizes", "1000,3000", "--workbook-projects", "1000"],
    "reports": ["bench_reports.py", "--sizes", "40,200,1000", "--naive-projects", "3", "--workers", "2",
                "--floor-sizes", "40,200", "--seed", "1"],
}
QUICK = {
    "load": ["bench_load_and_metrics.py", "--projects", "200", "--repeat", "1", "--no-results", "--load-sizes", "200"],
    "reports": ["bench_reports.py", "--sizes", "40", "--naive-projects", "2", "--workers", "2",
                "--floor-sizes", "40", "--breakdown-repeats", "3", "--no-results"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, RESULTS.md left alone")
    parser.add_argument("--only", choices=sorted(FULL), help="run one benchmark only")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    status = 0
    for name, command in plan.items():
        if args.only and name != args.only:
            continue
        print(f"=== {' '.join(['benchmarks/' + command[0], *command[1:]])}", flush=True)
        begin = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], cwd=HERE.parent).returncode
        print(f"=== {command[0]}: exit {code} after {time.perf_counter() - begin:.0f} s", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
