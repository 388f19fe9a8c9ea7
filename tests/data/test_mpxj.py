"""MS Project (MSPDI, .mpp) and Primavera (XER) schedules read through MPXJ: hand-written small files, one .mpp of MPXJ's tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pmo_lib.data.loading import check_portfolio, load_portfolio
from pmo_lib.data.profile import parse_profile

if not os.environ.get("CI"):
    pytest.importorskip("mpxj", reason="the mpxj extra is not installed")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (apt-get install default-jre-headless)", allow_module_level=True)

MSPDI = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>pilot.xml</Name><Title>Grid pilot</Title><Manager>Ann Lee</Manager>
 <StatusDate>2024-01-31T17:00:00</StatusDate>
 <Tasks>
  <Task><UID>0</UID><ID>0</ID><Name>Grid pilot</Name><Summary>1</Summary><OutlineLevel>0</OutlineLevel></Task>
  <Task><UID>1</UID><ID>1</ID><Name>Design</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
   <Milestone>0</Milestone><Start>2024-01-01T08:00:00</Start><Finish>2024-01-12T17:00:00</Finish>
   <ActualStart>2024-01-01T08:00:00</ActualStart><ActualFinish>2024-01-12T17:00:00</ActualFinish>
   <PercentComplete>100</PercentComplete><PhysicalPercentComplete>90</PhysicalPercentComplete>
   <ActualCost>45000</ActualCost>
   <Baseline><Number>0</Number><Start>2024-01-01T08:00:00</Start><Finish>2024-01-11T17:00:00</Finish>
    <Cost>40000</Cost></Baseline>
   <Baseline><Number>1</Number><Start>2024-01-02T08:00:00</Start><Finish>2024-01-10T17:00:00</Finish>
    <Cost>35000</Cost></Baseline>
  </Task>
  <Task><UID>2</UID><ID>2</ID><Name>Go-live</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
   <Milestone>1</Milestone><Start>2024-02-01T08:00:00</Start><Finish>2024-02-01T08:00:00</Finish>
   <PercentComplete>0</PercentComplete>
   <Baseline><Number>0</Number><Start>2024-02-01T08:00:00</Start><Finish>2024-02-01T08:00:00</Finish>
    <Cost>0</Cost></Baseline>
   <Baseline><Number>1</Number><Start>2024-02-01T08:00:00</Start><Finish>2024-02-01T08:00:00</Finish>
    <Cost>0</Cost></Baseline>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink>
  </Task>
 </Tasks>
 <Resources><Resource><UID>1</UID><ID>1</ID><Name>Ann Lee</Name><Group>Engineer</Group><MaxUnits>1</MaxUnits>
  <StandardRate>90</StandardRate></Resource></Resources>
 <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units></Assignment>
 </Assignments>
</Project>
"""


def _xer() -> str:
    lines = ["ERMHDR\t19.12\t2024-01-31\tProject\tadmin\tadmin\tdbxDatabaseNoName\tProject Management\tUSD"]

    def table(name, fields, *records):
        lines.extend(["%T\t" + name, "%F\t" + "\t".join(fields)] + ["%R\t" + "\t".join(r) for r in records])

    table("CALENDAR", ["clndr_id", "default_flag", "clndr_name", "proj_id", "base_clndr_id", "last_chng_date",
                       "clndr_type", "day_hr_cnt", "week_hr_cnt", "month_hr_cnt", "year_hr_cnt", "rsrc_private",
                       "clndr_data"], ["1", "Y", "Standard", "", "", "", "CA_Base", "8", "40", "172", "2000", "N", ""])
    table("PROJECT", ["proj_id", "proj_short_name", "clndr_id", "plan_start_date", "last_recalc_date"],
          ["100", "GRID-A", "1", "2024-01-01 08:00", "2024-01-31 17:00"],
          ["200", "GRID-B", "1", "2024-01-01 08:00", "2024-01-31 17:00"])
    table("PROJWBS", ["wbs_id", "proj_id", "obs_id", "seq_num", "proj_node_flag", "status_code", "wbs_short_name",
                      "wbs_name", "parent_wbs_id"],
          ["10", "100", "", "1", "Y", "WS_Open", "GRID-A", "Grid A", ""],
          ["20", "200", "", "1", "Y", "WS_Open", "GRID-B", "Grid B", ""])
    table("TASK", ["task_id", "proj_id", "wbs_id", "clndr_id", "phys_complete_pct", "complete_pct_type", "task_type",
                   "status_code", "task_code", "task_name", "target_start_date", "target_end_date", "act_start_date",
                   "act_end_date", "early_start_date", "early_end_date"],
          ["1001", "100", "10", "1", "50", "CP_Phys", "TT_Task", "TK_Active", "A1000", "Survey", "2024-01-01 08:00",
           "2024-01-12 17:00", "2024-01-01 08:00", "", "2024-01-01 08:00", "2024-01-12 17:00"],
          ["2001", "200", "20", "1", "0", "CP_Phys", "TT_FinMile", "TK_NotStart", "B1000", "Handover",
           "2024-02-01 17:00", "2024-02-01 17:00", "", "", "2024-02-01 17:00", "2024-02-01 17:00"])
    return "\r\n".join([*lines, "%E"]) + "\r\n"


def test_an_mspdi_file_is_one_project_with_its_tasks_costs_and_resources(tmp_path):
    plan = tmp_path / "pilot.xml"
    plan.write_text(MSPDI, encoding="utf-8")
    portfolio = load_portfolio(plan)
    assert portfolio.projects[["project_id", "name", "program", "manager"]].values.tolist() == [
        ["pilot", "Grid pilot", "Unassigned", "Ann Lee"]]
    tasks = portfolio.tasks
    assert tasks["task_id"].tolist() == ["1", "2"]
    assert tasks["baseline_finish"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-11", "2024-02-01"]
    assert tasks["budget"].tolist() == [400.0, 0.0]
    assert tasks["percent_complete"].tolist() == [100.0, 0.0]
    assert tasks["is_milestone"].tolist() == [False, True]
    assert tasks["owner"].tolist() == ["Ann Lee", ""]
    assert tasks["predecessors"].tolist() == ["", "1FS"]
    assert portfolio.costs[["project_id", "amount"]].values.tolist() == [["pilot", 450.0]]
    assert portfolio.costs["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-12"]
    assert portfolio.resources[["resource_id", "name", "role", "capacity_hours_per_week"]].values.tolist() == [
        ["1", "Ann Lee", "Engineer", 40.0]]


def test_the_baseline_and_the_percent_complete_are_selectable(tmp_path):
    plan = tmp_path / "pilot.xml"
    plan.write_text(MSPDI, encoding="utf-8")
    profile = parse_profile({"schedule": {"baseline": 1, "percent_complete": "physical"}})
    tasks = load_portfolio(plan, profile).tasks
    assert tasks["baseline_start"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-02", "2024-02-01"]
    assert tasks["budget"].tolist() == [350.0, 0.0]
    assert tasks["percent_complete"].tolist() == [90.0, 0.0]


def test_a_folder_of_schedules_with_a_projects_csv_naming_programs(tmp_path):
    (tmp_path / "pilot.xml").write_text(MSPDI, encoding="utf-8")
    (tmp_path / "p6.xer").write_text(_xer(), encoding="utf-8")
    (tmp_path / "projects.csv").write_text("project_id,program,sponsor,budget,manager\npilot,Grid,Sam Ode,500,\n"
                                           "GRID-A,Grid,Sam Ode,0,Bo Chen\nGRID-B,,,,Bo Chen\n", encoding="utf-8")
    portfolio, problems = check_portfolio(tmp_path)
    assert portfolio.projects[["project_id", "name", "program", "manager", "sponsor"]].values.tolist() == [
        ["GRID-A", "Grid A", "Grid", "Bo Chen", "Sam Ode"], ["GRID-B", "Grid B", "Unassigned", "Bo Chen", ""],
        ["pilot", "Grid pilot", "Grid", "Ann Lee", "Sam Ode"]]
    assert portfolio.tasks.loc[portfolio.tasks["project_id"] == "GRID-A", "task_id"].tolist() == ["A1000"]
    assert [str(p) for p in problems] == [
        "p6.xer: project GRID-A: 1 task(s) without a Baseline cost, read as budget 0 (cost figures of the "
        "project are undefined)",
        "p6.xer: project GRID-B: 1 task(s) without a Baseline cost, read as budget 0 (cost figures of the "
        "project are undefined)"]


LINKED = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>linked.xml</Name><Title>Linked</Title><StatusDate>2024-01-31T17:00:00</StatusDate>
 <Tasks>
  <Task><UID>0</UID><ID>0</ID><Name>Linked</Name><Summary>1</Summary><OutlineLevel>0</OutlineLevel></Task>
  <Task><UID>10</UID><ID>1</ID><Name>Phase 1</Name><Summary>1</Summary><OutlineLevel>1</OutlineLevel>
   <Start>2024-01-01T08:00:00</Start><Finish>2024-01-12T17:00:00</Finish></Task>
  <Task><UID>1</UID><ID>2</ID><Name>Design</Name><OutlineLevel>2</OutlineLevel><Summary>0</Summary>
   <Start>2024-01-01T08:00:00</Start><Finish>2024-01-12T17:00:00</Finish><PercentComplete>100</PercentComplete></Task>
  <Task><UID>2</UID><ID>3</ID><Name>Build</Name><OutlineLevel>2</OutlineLevel><Summary>0</Summary>
   <Start>2024-01-17T08:00:00</Start><Finish>2024-01-31T17:00:00</Finish><PercentComplete>20</PercentComplete>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>9600</LinkLag><LagFormat>7</LagFormat>
   </PredecessorLink></Task>
  <Task><UID>3</UID><ID>4</ID><Name>Test</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
   <Start>2024-01-20T08:00:00</Start><Finish>2024-01-31T17:00:00</Finish><PercentComplete>0</PercentComplete>
   <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type></PredecessorLink>
   <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>0</Type><LinkLag>-2400</LinkLag><LagFormat>5</LagFormat>
   </PredecessorLink>
   <PredecessorLink><PredecessorUID>10</PredecessorUID><Type>1</Type></PredecessorLink></Task>
 </Tasks>
</Project>
"""


def test_predecessors_with_types_and_lags_and_links_to_summaries_left_out(tmp_path):
    plan = tmp_path / "linked.xml"
    plan.write_text(LINKED, encoding="utf-8")
    portfolio, problems = check_portfolio(plan)
    assert portfolio.tasks[["task_id", "predecessors"]].values.tolist() == [
        ["1", ""], ["2", "1FS+2d"], ["3", "1SS;2FF-4h"]]
    assert "linked.xml: project linked: 1 predecessor link(s) to summary tasks or to other projects left out of " \
           "predecessors" in [str(p) for p in problems]


_DAY = ("<WeekDay><DayType>{n}</DayType><DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>08:00:00"
        "</FromTime><ToTime>12:00:00</ToTime></WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00"
        "</ToTime></WorkingTime></WorkingTimes></WeekDay>")
_WORK = ("<TimephasedData><Type>{type}</Type><UID>1</UID><Start>{start}T08:00:00</Start><Finish>{finish}T17:00:00"
         "</Finish><Unit>2</Unit><Value>PT{hours}H0M0S</Value></TimephasedData>")
TIMEPHASED = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
 <Name>phased.xml</Name><Title>Phased</Title><Manager>Ann Lee</Manager><StatusDate>2024-01-17T17:00:00</StatusDate>
 <MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>
 <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>
  <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>{"".join(_DAY.format(n=n) for n in range(2, 7))}
  <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay></WeekDays></Calendar></Calendars>
 <Tasks>
  <Task><UID>0</UID><ID>0</ID><Name>Phased</Name><Summary>1</Summary><OutlineLevel>0</OutlineLevel></Task>
  <Task><UID>1</UID><ID>1</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
   <CalendarUID>1</CalendarUID><Start>2024-01-08T08:00:00</Start><Finish>2024-01-19T17:00:00</Finish>
   <Duration>PT80H0M0S</Duration><Work>PT80H0M0S</Work><ActualWork>PT56H0M0S</ActualWork>
   <ActualStart>2024-01-08T08:00:00</ActualStart><PercentComplete>70</PercentComplete>
   <Cost>840000</Cost><FixedCost>40000</FixedCost><ActualCost>600000</ActualCost>
   <Baseline><Number>0</Number><Start>2024-01-08T08:00:00</Start><Finish>2024-01-19T17:00:00</Finish>
    <Cost>840000</Cost></Baseline></Task>
  <Task><UID>2</UID><ID>2</ID><Name>Permit</Name><OutlineLevel>1</OutlineLevel><Summary>0</Summary>
   <Start>2024-01-02T08:00:00</Start><Finish>2024-01-05T17:00:00</Finish><ActualStart>2024-01-02T08:00:00</ActualStart>
   <ActualFinish>2024-01-05T17:00:00</ActualFinish><PercentComplete>100</PercentComplete><ActualCost>25000</ActualCost>
   <Baseline><Number>0</Number><Start>2024-01-02T08:00:00</Start><Finish>2024-01-05T17:00:00</Finish>
    <Cost>25000</Cost></Baseline></Task>
 </Tasks>
 <Resources><Resource><UID>1</UID><ID>1</ID><Name>Ann Lee</Name><Type>1</Type><MaxUnits>1</MaxUnits>
  <StandardRate>100</StandardRate><StandardRateFormat>2</StandardRateFormat><CalendarUID>1</CalendarUID></Resource>
 </Resources>
 <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
  <Start>2024-01-08T08:00:00</Start><Finish>2024-01-19T17:00:00</Finish><Work>PT80H0M0S</Work>
  <ActualWork>PT56H0M0S</ActualWork><RemainingWork>PT24H0M0S</RemainingWork><ActualStart>2024-01-08T08:00:00</ActualStart>
  <Cost>800000</Cost><ActualCost>560000</ActualCost>
  {_WORK.format(type=2, start="2024-01-08", finish="2024-01-12", hours=40)}
  {_WORK.format(type=2, start="2024-01-15", finish="2024-01-16", hours=16)}
  {_WORK.format(type=1, start="2024-01-17", finish="2024-01-19", hours=24)}
 </Assignment></Assignments>
</Project>
"""


def test_timephased_actual_work_becomes_weekly_cost_lines_and_the_rest_one_line(tmp_path):
    plan = tmp_path / "phased.xml"
    plan.write_text(TIMEPHASED, encoding="utf-8")
    costs = load_portfolio(plan).costs
    lines = costs.assign(date=costs["date"].dt.strftime("%Y-%m-%d"))[["date", "amount", "description"]]
    assert lines.values.tolist() == [
        ["2024-01-12", 4000.0, "Build"],  # week 1: 40 h at 100/h, last worked on Friday
        ["2024-01-16", 1600.0, "Build"],  # week 2: 16 h, last worked on Tuesday
        ["2024-01-17", 400.0, "Build"],  # the fixed cost, not timephased: on the status date
        ["2024-01-05", 250.0, "Permit"],  # no timephased data: one line on its actual finish
    ]
    assert costs.groupby("description")["amount"].sum().to_dict() == {"Build": 6000.0, "Permit": 250.0}


MPP = Path(__file__).parent / "schedules" / "task-links-project2010-mpp14.mpp"  # from MPXJ's tests: ORIGIN.md


def test_an_mpp_file_of_ms_project_2010_is_read_with_its_links_and_what_it_lacks_is_named():
    portfolio, problems = check_portfolio(MPP)
    assert portfolio.projects["project_id"].tolist() == ["task-links-project2010-mpp14"]
    tasks = portfolio.tasks
    assert tasks["task_id"].tolist() == [str(n) for n in range(1, 17)]
    assert tasks["name"].tolist() == ["Task 1", "Task 2"] * 8
    assert tasks["predecessors"].tolist()[1::2] == ["1FS", "3FS+1d", "5FS+2d", "7FS+1w", "9FS+2w", "11SF+2d",
                                                    "13SS+2d", "15FF+2d"]
    assert tasks["forecast_start"].dt.strftime("%Y-%m-%d").tolist()[:4] == [
        "2014-10-17", "2014-10-20", "2014-10-17", "2014-10-21"]
    assert portfolio.costs.empty  # not started: no actual cost, and no missing-table error
    errors = [str(p) for p in problems if p.is_error]
    assert len(errors) == 1 + 2 * 16  # no manager; no baseline on any task
    assert errors[0] == ("task-links-project2010-mpp14.mpp[projects]:task-links-project2010-mpp14:manager: "
                         "a value is required (empty)")
    assert ("task-links-project2010-mpp14.mpp[tasks]:task-links-project2010-mpp14.mpp task 1:baseline_start: "
            "a value is required (empty)") in errors
