"""End-to-end: ``pmo-report metrics`` on a small portfolio worked out by hand.

Status date T = 2024-01-21. Every expected figure below is computed by hand in
the comments (spec section 2; docs/metrics.md for the project's own choices).

PA "Billing revamp", program Core, approved budget 2,000
  T1 Design  2024-01-01 -> 2024-01-11 (10 days), budget 1,000, 100 %
  T2 Build   2024-01-11 -> 2024-01-31 (20 days), budget 1,000,  33 %
  costs 600 (01-05) + 700 (01-15) - 100 (01-20, a reversal) = AC 1,200;
        5,000 on 01-22 is after T and does not count.
  PV  = 1000 * clip(20/10) + 1000 * 10/20       = 1000 + 500 = 1,500
  EV  = 1000 * 1.00 + 1000 * 0.33               = 1,330
  BAC = 2,000;  SV = 1330 - 1500 = -170;  CV = 1330 - 1200 = 130
  SPI = 1330 / 1500 = 0.88666...;  CPI = 1330 / 1200 = 1.108333...
  EAC = 2000 / CPI = 2000 * 1200 / 1330        = 1,804.511278...
  EAC atypical  = 1200 + (2000 - 1330)          = 1,870
  EAC composite = 1200 + 670 / (CPI * SPI)
                = 1200 + 670 * 1800000 / 1768900 = 1200 + 681.779637 = 1,881.779637...
  ETC = 1804.511278 - 1200 = 604.5112782;  VAC = 2000 - 1804.511278 = 195.4887218
  TCPI = (2000 - 1330) / (2000 - 1200) = 670 / 800 = 0.8375
  Earned schedule: PS 01-01, PF 01-31, PD 30. PV_k = 100 k up to k = 10, then
  1000 + 50 (k - 10). PV_16 = 1300 <= 1330 < PV_17 = 1350, so C = 16 and
  ES = 16 + (1330 - 1300) / 50 = 16.6.  AT = d(01-01, 01-21) = 20.
  SPI(t) = 16.6 / 20 = 0.83;  SV(t) = -3.4;  IEAC(t) = 30 / 0.83 = 36.14457831
  forecast_finish = 01-01 + ceil(36.14) = 01-01 + 37 days = 2024-02-07
  TSPI = (30 - 16.6) / (30 - 20) = 1.34
  RAG: SPI 0.887 -> amber, CPI 1.108 -> green; no milestones, risks or issues
  (grey, ignored) -> overall amber. The manager said green on 01-19: greener
  than the worse of schedule and cost (amber) -> a watermelon.

PB "Grid sensors", no program (-> Unassigned): not started, no costs
  T1 2024-02-01 -> 2024-02-21, budget 500, 0 %.  PV = EV = AC = 0.
  SPI = 0/0 and CPI = 0/0: undefined, so EAC, composite EAC, ETC, VAC too.
  EAC atypical = 0 + 500 = 500;  TCPI = 500 / 500 = 1.
  PD = 20, AT = d(02-01, 01-21) = -11 <= 0: ES = 0 (C = 0, flat at 0) but
  SPI(t), SV(t), IEAC(t), forecast_finish undefined. TSPI = 20 / 31.
  RAG grey everywhere.

PC "Depot move", program Core: behind and over budget, with a late milestone
  T1 Pack 2024-01-01 -> 2024-01-21, budget 800, 52.5 %
  M1 Keys handed over (milestone) 2024-01-15, budget 200, 0 %
  costs 700 (01-10) + 100 (01-21, on T: counts) = AC 800
  PV = 800 * 20/20 + 200 (T >= 01-15) = 1,000;  EV = 420;  BAC = 1,000
  SPI = 0.42, CPI = 0.525, EAC = 1000 / 0.525 = 1,904.761905,
  EAC composite = 800 + 580 / (0.525 * 0.42) = 800 + 2630.385488 = 3,430.385488
  ES: PV_k = 40 k (+200 from k = 14); PV_10 = 400 <= 420 < PV_11 = 440:
  ES = 10 + 20 / 40 = 10.5; AT = 20; SPI(t) = 0.525; IEAC(t) = 38.0952381;
  forecast 01-01 + 39 days = 2024-02-09; TSPI: PD == AT, undefined.
  M1 unfinished and due 01-15 < T: late by 6 days (<= 14): milestone amber.
  RAG: schedule red, cost red -> overall red. Manager red (the green update of
  01-25 is after T): not a watermelon.

PD "Licence audit": costs but no tasks -> AC 300, every other figure undefined, grey.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from pmo_lib.cli import main
from tests.conftest import ROOT, SAMPLE, write_tables

pytestmark = pytest.mark.e2e  # runs the suite, a notebook, a browser, a server or the CLI end to end

STATUS = "2024-01-21"

SPEC_COLUMNS = [
    "project_id", "name", "program", "bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac",
    "eac_atypical", "eac_composite", "etc", "vac", "tcpi", "planned_start", "planned_finish",
    "pd_days", "at_days", "es_days", "spi_t", "sv_t_days", "ieac_t_days", "forecast_finish",
    "schedule_rag", "cost_rag", "overall_rag",
]

HAND_WORKED = {
    "projects": (
        "project_id,name,program,manager,status,budget\n"
        "PA,Billing revamp,Core,Ann Lee,active,2000\n"
        "PB,Grid sensors,,Bo Chen,active,500\n"
        "PC,Depot move,Core,Cy Dunn,active,1000\n"
        "PD,Licence audit,Core,Di Eze,on_hold,\n"
    ),
    "tasks": (
        "project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget,is_milestone\n"
        "PA,T1,Design,2024-01-01,2024-01-11,100,1000,false\n"
        "PA,T2,Build,2024-01-11,2024-01-31,33,1000,false\n"
        "PB,T1,Install,2024-02-01,2024-02-21,0,500,false\n"
        "PC,T1,Pack,2024-01-01,2024-01-21,52.5,800,false\n"
        "PC,M1,Keys handed over,2024-01-15,2024-01-15,0,200,true\n"
    ),
    "costs": (
        "project_id,date,amount,category\n"
        "PA,2024-01-05,600,Labour\n"
        "PA,2024-01-15,700,Labour\n"
        "PA,2024-01-20,-100,Labour\n"
        "PA,2024-01-22,5000,Labour\n"
        "PC,2024-01-10,700,Removals\n"
        "PC,2024-01-21,100,Removals\n"
        "PD,2024-01-10,300,Fees\n"
    ),
    "status_updates": (
        "project_id,status_date,summary,manager_rag\n"
        "PA,2024-01-19,All fine,green\n"
        "PC,2024-01-12,Slipping,red\n"
        "PC,2024-01-25,Recovered,green\n"
    ),
}

# The spec's 29 columns of each project, as printed (10 significant digits, empty = undefined).
EXPECTED_CSV = {
    "PA": "PA,Billing revamp,Core,2000,1500,1330,1200,-170,130,0.8866666667,1.108333333,"
          "1804.511278,1870,1881.779637,604.5112782,195.4887218,0.8375,2024-01-01,2024-01-31,"
          "30,20,16.6,0.83,-3.4,36.14457831,2024-02-07,amber,green,amber",
    "PB": "PB,Grid sensors,Unassigned,500,0,0,0,0,0,,,,500,,,,1,2024-02-01,2024-02-21,"
          "20,-11,0,,,,,grey,grey,grey",
    "PC": "PC,Depot move,Core,1000,1000,420,800,-580,-380,0.42,0.525,1904.761905,1380,"
          "3430.385488,1104.761905,-904.7619048,2.9,2024-01-01,2024-01-21,20,20,10.5,0.525,"
          "-9.5,38.0952381,2024-02-09,red,red,red",
    "PD": "PD,Licence audit,Core,,,,300,,,,,,,,,,,,,,,,,,,,grey,grey,grey",
}


@pytest.fixture
def hand_worked(tmp_path):
    return write_tables(tmp_path / "hand", HAND_WORKED)


def invoke(*args):
    result = CliRunner().invoke(main, ["metrics", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_header_starts_with_the_spec_columns_in_order(hand_worked):
    result = invoke("--data", hand_worked, "--status-date", STATUS)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split(",")
    assert header[:29] == SPEC_COLUMNS
    assert len(header) == len(set(header))


def test_csv_rows_match_the_hand_worked_figures(hand_worked):
    result = invoke("--data", hand_worked, "--status-date", STATUS)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # valid data, no warnings
    rows = csv_rows(result.stdout)[1:]
    assert [row[0] for row in rows] == ["PA", "PB", "PC", "PD"]  # the projects file's order
    for row in rows:
        assert ",".join(row[:29]) == EXPECTED_CSV[row[0]]


def test_csv_extra_columns_tspi_manager_rag_watermelon_and_dimensions(hand_worked):
    result = invoke("--data", hand_worked, "--status-date", STATUS)
    rows = csv_rows(result.stdout)
    by_id = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert by_id["PA"]["tspi"] == "1.34"
    assert by_id["PB"]["tspi"] == "0.6451612903"  # 20 / 31
    assert by_id["PC"]["tspi"] == ""  # PD == AT
    assert (by_id["PA"]["manager_rag"], by_id["PA"]["watermelon"]) == ("green", "True")
    assert (by_id["PC"]["manager_rag"], by_id["PC"]["watermelon"]) == ("red", "False")
    assert by_id["PB"]["manager_rag"] == ""
    assert by_id["PC"]["milestone_rag"] == "amber"
    assert by_id["PD"]["status"] == "on_hold"
    # every colour with its reason (issue 12)
    assert by_id["PA"]["schedule_reason"] == "schedule amber: SPI 0.89 < 0.95"
    assert by_id["PC"]["schedule_reason"] == "schedule red: SPI 0.42 < 0.85"
    assert by_id["PC"]["overall_reason"].startswith("schedule red: SPI 0.42 < 0.85; cost red: CPI ")
    assert by_id["PB"]["stage"] == "not_started" and by_id["PD"]["stage"] == "on_hold"


def test_no_progress_is_empty_in_csv_null_in_json_and_grey(hand_worked):
    text = invoke("--data", hand_worked, "--status-date", STATUS).stdout
    pb = dict(zip(csv_rows(text)[0], csv_rows(text)[2]))
    assert (pb["spi"], pb["cpi"], pb["eac"], pb["spi_t"], pb["forecast_finish"]) == ("", "", "", "", "")
    records = json.loads(invoke("--data", hand_worked, "--status-date", STATUS, "--format", "json").stdout)
    record = next(r for r in records if r["project_id"] == "PB")
    assert record["spi"] is None and record["cpi"] is None
    assert record["eac"] is None and record["spi_t"] is None and record["forecast_finish"] is None
    assert (record["schedule_rag"], record["cost_rag"], record["overall_rag"]) == ("grey", "grey", "grey")
    assert record["eac_atypical"] == 500.0 and record["tcpi"] == 1.0


def test_json_output_has_numbers_null_and_iso_dates(hand_worked):
    result = invoke("--data", hand_worked, "--status-date", STATUS, "--format", "json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["project_id"] for r in records] == ["PA", "PB", "PC", "PD"]
    assert list(records[0])[:29] == SPEC_COLUMNS
    pa = records[0]
    assert (pa["bac"], pa["pv"], pa["ev"], pa["ac"], pa["sv"], pa["cv"]) == (2000, 1500, 1330, 1200, -170, 130)
    assert pa["spi"] == pytest.approx(1330 / 1500, rel=1e-12)
    assert pa["cpi"] == pytest.approx(1330 / 1200, rel=1e-12)
    assert pa["eac"] == pytest.approx(2000 * 1200 / 1330, rel=1e-12)
    assert pa["eac_atypical"] == 1870
    assert pa["eac_composite"] == pytest.approx(1200 + 670 * 1_800_000 / 1_768_900, rel=1e-12)
    assert pa["tcpi"] == pytest.approx(0.8375, rel=1e-12)
    assert (pa["pd_days"], pa["at_days"]) == (30, 20)
    assert pa["es_days"] == pytest.approx(16.6, rel=1e-12)
    assert pa["spi_t"] == pytest.approx(0.83, rel=1e-12)
    assert pa["ieac_t_days"] == pytest.approx(30 / 0.83, rel=1e-12)
    assert (pa["planned_start"], pa["planned_finish"], pa["forecast_finish"]) == (
        "2024-01-01", "2024-01-31", "2024-02-07")
    assert pa["watermelon"] is True
    pd_ = records[3]
    assert pd_["ac"] == 300 and pd_["bac"] is None and pd_["planned_start"] is None
    assert '"spi": null' in result.stdout and "NaN" not in result.stdout


def test_costs_after_the_status_date_are_excluded(hand_worked):
    def ac_of_pa(status):
        records = json.loads(invoke("--data", hand_worked, "--status-date", status, "--format", "json").stdout)
        return records[0]["ac"]

    assert ac_of_pa("2024-01-21") == 1200  # the 5,000 of 01-22 has not happened
    assert ac_of_pa("2024-01-22") == 6200  # ... now it has
    assert ac_of_pa("2024-01-14") == 600  # 700 (01-15) and the reversal not yet


def test_invalid_data_exits_2_with_file_row_column(hand_worked):
    tasks = HAND_WORKED["tasks"].replace("2024-01-31,33,", "2024-01-31,133,")
    write_tables(hand_worked, {"tasks": tasks, "costs": HAND_WORKED["costs"] + "PZ,2024-01-10,abc,Fees\n"})
    result = invoke("--data", hand_worked, "--status-date", STATUS)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "tasks.csv:3:percent_complete: must be between 0 and 100 (133)" in result.stderr
    assert "costs.csv:9:amount: not a number (abc)" in result.stderr
    assert "costs.csv:9:project_id: unknown project" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["2024-02-30", "21/01/2024", "yesterday", ""])
def test_bad_status_date_exits_2(hand_worked, bad):
    result = invoke("--data", hand_worked, "--status-date", bad)
    assert result.exit_code == 2
    assert "--status-date" in result.stderr
    assert result.stdout == ""


def test_console_script_out_of_process_matches_in_process(hand_worked):
    exe = shutil.which("pmo-report") or str(ROOT / ".venv" / "bin" / "pmo-report")
    done = subprocess.run([exe, "metrics", "--data", str(hand_worked), "--status-date", STATUS],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == invoke("--data", hand_worked, "--status-date", STATUS).stdout
    assert done.stdout.splitlines()[1].startswith(EXPECTED_CSV["PA"] + ",")


def test_sample_portfolio_gives_24_rows():
    result = invoke("--data", SAMPLE, "--status-date", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert rows[0][:29] == SPEC_COLUMNS
    assert len(rows) - 1 == 24
    assert len({row[0] for row in rows[1:]}) == 24
