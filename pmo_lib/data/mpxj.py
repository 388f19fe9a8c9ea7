"""Reading MS Project and Primavera P6 schedules through MPXJ (the optional ``mpxj`` extra).

``--data`` may be one schedule file (``.mpp``, ``.xml`` MSPDI, ``.xer``, ``.pmxml``, ``.mpx``) or a
folder of them, beside optional contract CSV files. MPXJ runs in a Java virtual machine (Java 11+,
Debian's ``default-jre-headless``), started once per process.

What becomes what (``docs/data.md`` has the table):

- one project per file, or per P6 project of a multi-project XER: ``project_id`` is the P6
  project ID, else the file name without extension; ``name`` the project title; ``manager`` the
  file's manager. A ``projects.csv`` beside the files fills ``program``, ``sponsor``, ``budget``
  (and anything else it names) per ``project_id``.
- every task that is not a summary (milestones included) is a task: ``task_id`` its unique ID,
  baseline dates and ``budget`` from the chosen baseline (``schedule: {baseline: 0}``, 0 for
  *Baseline*, 1-10 for *Baseline1*-*Baseline10*), ``percent_complete`` the % complete (or the
  physical % complete: ``schedule: {percent_complete: physical}``), forecast dates from the
  scheduled start and finish, actual dates, ``owner`` the assigned resources, and
  ``predecessors`` the predecessor task IDs with their link type and lag (``3FS+2d;4SS``; links to
  summary tasks or other projects are left out, with a warning). A task without
  a % complete is 0 % done; one without a baseline cost has budget 0, with a warning per project.
- a task's actual cost: where its assignments carry timephased actual work (MSPDI
  ``TimephasedData``, read by MPXJ), one cost line per week (Monday to Sunday) with work, dated on
  the last day worked that week, the amount MPXJ costs that week's actual work at the resources'
  rates; what the periods do not account for (fixed costs, a task without timephased data) is
  one cost line dated on its actual finish (or, while it runs, on the file's status date, else its
  actual start). The lines of a task always sum to its actual cost.
- resources: ID, name, group as role, max units x 40 h as weekly capacity, standard rate per hour.

A contract CSV in the folder (``costs.csv``, ``risks.csv``, ...) replaces the table made from the
schedules; ``projects.csv`` is joined to it instead.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.data.predecessors import format_link
from pmo_lib.data.profile import Profile
from pmo_lib.data.raw import RawTable, Source, finish_table, text_frame
from pmo_lib.data.schema import PROJECT_ID_PATTERN, TABLES
from pmo_lib.errors import DataSourceError, Problem

SCHEDULE_SUFFIXES = (".mpp", ".xml", ".xer", ".pmxml", ".mpx")
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dlog4j2.statusLoggerLevel=OFF")
"""C1 only and one GC thread (see :func:`_start_java`); no Log4j status line on stderr (MPXJ's .mpp reader logs
through Log4j's API without a logging provider)."""
_HOURS = {"MINUTES": 1 / 60, "HOURS": 1, "DAYS": 8, "WEEKS": 40, "MONTHS": 160, "YEARS": 2080}


def is_schedule(path: Path) -> bool:
    """Whether ``path`` is a schedule file MPXJ reads (by its extension)."""
    return path.suffix.lower() in SCHEDULE_SUFFIXES


def _start_java():
    """Start the JVM with MPXJ on its class path once; one clear line when something is missing."""
    import shutil

    try:
        import jpype
        import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)
    except ModuleNotFoundError:
        raise DataSourceError("reading MS Project or Primavera files needs MPXJ: pip install 'pmo-reports[mpxj]'"
                              ) from None
    if not jpype.isJVMStarted():
        if shutil.which("java") is None and not jpype.getDefaultJVMPath():
            raise DataSourceError("reading MS Project or Primavera files needs Java 11 or later: "
                                  "apt-get install default-jre-headless")
        try:
            # A load is a short burst: the C1 compiler alone and one GC thread spend less than half the CPU
            # of the default (C2 compiling, parallel GC) on reading a schedule (benchmarks/bench_mpxj_load.py).
            jpype.startJVM(*JVM_OPTIONS, convertStrings=True)
        except (OSError, jpype.JVMNotFoundException) as exc:
            raise DataSourceError(f"Java cannot be started for MPXJ ({exc}): apt-get install "
                                  "default-jre-headless") from None
    from org.mpxj.reader import UniversalProjectReader

    return UniversalProjectReader


def _text(value) -> str:
    return "" if value is None else str(value)


def _day(value) -> str:
    """A Java ``LocalDateTime`` as ``YYYY-MM-DD`` (``2024-01-08T08:00`` -> ``2024-01-08``)."""
    return "" if value is None else str(value)[:10]


def _number(value) -> str:
    return "" if value is None else f"{float(value.doubleValue() if hasattr(value, 'doubleValue') else value):.10g}"


def _project_id(properties, stem: str) -> str:
    for candidate in (properties.getProjectID(), stem):
        if candidate is not None and PROJECT_ID_PATTERN.match(str(candidate)):
            return str(candidate)
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:64]
    return cleaned or "project"


def _rate_per_hour(rate) -> str:
    if rate is None:
        return ""
    hours = _HOURS.get(str(rate.getUnits()), None)
    return "" if not hours else f"{rate.getAmount() / hours:.10g}"


def read_schedules(path: Path, profile: Profile) -> Source:
    """Read one schedule file, or every schedule file of a folder, into the contract's tables.

    Raises
    ------
    DataSourceError
        MPXJ or Java is missing, or a file cannot be read as a schedule.
    """
    files = sorted(p for p in path.iterdir() if p.is_file() and is_schedule(p)) if path.is_dir() else [path]
    reader = _start_java()()
    rows: dict[str, list[dict]] = {"projects": [], "tasks": [], "costs": [], "resources": []}
    keys: dict[str, list[str]] = {name: [] for name in rows}
    seen_resources: set[str] = set()
    problems: list[Problem] = []
    for file in files:
        try:
            projects = list(reader.readAll(str(file)))
        except Exception as exc:  # a Java exception: MPXJ's reason, on one line
            reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise DataSourceError(f"{file}: cannot be read as a schedule ({reason})") from None
        if not projects:
            raise DataSourceError(f"{file}: not a schedule MPXJ recognises (.mpp, .xml, .xer, .pmxml, .mpx)")
        for project in projects:
            _add_project(project, file, profile, rows, keys, seen_resources, problems, several=len(projects) > 1)
    label = path.name
    tables = {}
    for name, records in rows.items():
        columns = TABLES[name].names
        frame = text_frame([[r.get(c, "") for c in columns] for r in records], columns)
        raw = RawTable(name, f"{label}[{name}]", frame, np.arange(1, len(frame) + 1, dtype=np.int64), [],
                       found=columns, keys=np.array(keys[name], dtype=object))
        if len(frame) or name in ("projects", "tasks", "costs"):  # a schedule not started has no costs yet
            tables[name] = finish_table(raw, profile.table(name))
    return Source(tables, {name: f"{label}[{name}]" for name in TABLES}, problems)


def _add_project(project, file: Path, profile: Profile, rows: dict, keys: dict, seen_resources: set,
                 problems: list, *, several: bool) -> None:
    properties = project.getProjectProperties()
    project_id = _project_id(properties, file.stem)
    status = _day(properties.getStatusDate())
    title = _text(properties.getProjectTitle()) or _text(properties.getName()) or file.stem
    rows["projects"].append({"project_id": project_id, "name": title,
                             "program": "", "manager": _text(properties.getManager())})
    keys["projects"].append(project_id)
    baseline = profile.schedule.baseline
    physical = profile.schedule.percent_complete == "physical"
    uncosted = dropped = 0
    costs = _WeeklyCosts()
    # Every Java call goes through JPype (microseconds each): each value is asked for once, lists come over whole.
    work = [(task, uid) for task, uid in ((task, _work_uid(task)) for task in project.getTasks().toArray())
            if uid is not None]
    exported = {uid: _task_id(task) for task, uid in work}
    for task, uid in work:
        task_id = exported[uid]
        name = _text(task.getName())
        start = task.getBaselineStart() if baseline == 0 else task.getBaselineStart(baseline)
        finish = task.getBaselineFinish() if baseline == 0 else task.getBaselineFinish(baseline)
        cost = task.getBaselineCost() if baseline == 0 else task.getBaselineCost(baseline)
        done = task.getPhysicalPercentComplete() if physical else task.getPercentageComplete()
        if cost is None:
            uncosted += 1
        assignments = task.getResourceAssignments().toArray()
        owners = [resource.getName() for resource in (a.getResource() for a in assignments) if resource is not None]
        relations = task.getPredecessors().toArray()
        links = _links(relations, exported, project if several else None) if len(relations) else []
        dropped += len(relations) - len(links)
        actual_start, actual_finish = _day(task.getActualStart()), _day(task.getActualFinish())
        rows["tasks"].append({
            "project_id": project_id, "task_id": task_id, "name": name,
            "baseline_start": _day(start), "baseline_finish": _day(finish), "percent_complete": _number(done) or "0",
            "budget": _number(cost) or "0", "is_milestone": "true" if task.getMilestone() else "false",
            "forecast_start": _day(task.getStart()), "forecast_finish": _day(task.getFinish()),
            "actual_start": actual_start, "actual_finish": actual_finish,
            "owner": "; ".join(str(o) for o in owners if o), "predecessors": ";".join(links)})
        keys["tasks"].append(f"{file.name} task {task_id}")
        actual = task.getActualCost()
        total = float(actual.doubleValue()) if actual is not None else 0.0
        if total:
            fallback = actual_finish or status or actual_start
            for day, amount in costs.lines(assignments if actual_start else [], total, fallback):
                rows["costs"].append({"project_id": project_id, "date": day, "amount": f"{amount:.10g}",
                                      "category": "Actual cost", "description": name})
                keys["costs"].append(f"{file.name} task {task_id} {day}")
    if dropped:
        problems.append(Problem(f"{file.name}", None, None, f"project {project_id}: {dropped} predecessor link(s) "
                                "to summary tasks or to other projects left out of predecessors", severity="warning"))
    if uncosted:
        which = "Baseline" if baseline == 0 else f"Baseline{baseline}"
        problems.append(Problem(f"{file.name}", None, None, f"project {project_id}: {uncosted} task(s) without a "
                                f"{which} cost, read as budget 0 (cost figures of the project are undefined)",
                                severity="warning"))
    for resource in project.getResources():
        resource_id = _text(resource.getUniqueID())
        if resource.getName() is None or resource_id in seen_resources:
            continue
        seen_resources.add(resource_id)
        units = resource.getMaxUnits()
        capacity = 40 * float(units.doubleValue()) / 100 if units is not None else 40.0
        rows["resources"].append({"resource_id": resource_id, "name": _text(resource.getName()),
                                  "role": _text(resource.getGroup()) or _text(resource.getType()).title(),
                                  "capacity_hours_per_week": f"{capacity:.10g}",
                                  "cost_rate": _rate_per_hour(resource.getStandardRate())})
        keys["resources"].append(f"{file.name} resource {resource_id}")


def _work_uid(task) -> int | None:
    """The unique ID of a task the contract holds; None for a summary or the project's own row (unique ID 0)."""
    if task.getSummary():
        return None
    uid = task.getUniqueID()
    if uid is None or int(uid) == 0 and not (task.getOutlineLevel() or 0):
        return None
    return int(uid)


def _task_id(task) -> str:
    return _text(task.getActivityID()) or _text(task.getUniqueID())


def _links(relations, exported: dict[int, str], project=None) -> list[str]:
    """Predecessor links in the contract's form, to tasks of the same project the contract holds.

    ``project`` is given when the file holds several (a P6 XER): a link to another project's task is left out.
    """
    links = []
    for relation in relations:
        other = relation.getPredecessorTask()
        uid = other.getUniqueID() if other is not None else None
        if uid is None or int(uid) not in exported or project is not None and other.getParentFile() != project:
            continue
        lag, unit = _lag(relation.getLag())
        links.append(format_link(exported[int(uid)], str(relation.getType()), lag, unit))
    return links


def _lag(duration) -> tuple[float, str]:
    """A lag as ``(amount, unit)`` of the predecessors column (minutes become hours)."""
    if duration is None or float(duration.getDuration()) == 0:
        return 0.0, "d"
    amount, name = float(duration.getDuration()), str(duration.getUnits().name())
    elapsed = name.startswith("ELAPSED_")
    name = name.removeprefix("ELAPSED_")
    if name == "MINUTES":
        amount, name = amount / 60, "HOURS"
    unit = {"HOURS": "h", "DAYS": "d", "WEEKS": "w", "MONTHS": "mo", "YEARS": "y", "PERCENT": "%"}.get(name, "d")
    return round(amount, 6), ("e" if elapsed else "") + unit


class _WeeklyCosts:
    """A task's actual cost as cost lines: weekly where its assignments are timephased, the rest in one line.

    Java objects asked for again and again (the week ranges, a calendar's working days) are kept
    for the whole read: each JPype call costs microseconds, and a schedule has thousands of tasks.
    """

    def __init__(self):
        self._ranges: dict[tuple[dt.date, int], object] = {}
        self._working: dict[tuple[object, dt.date], bool] = {}

    def lines(self, assignments, total: float, fallback: str) -> list[tuple[str, float]]:
        """``(date, amount)`` lines summing to ``total``: weekly where timephased, the rest on ``fallback``."""
        lines = self.weekly(assignments)
        rest = total - sum(amount for _, amount in lines)
        if abs(rest) >= 0.005:
            lines.append((fallback, rest))
        return [(day, round(amount, 6)) for day, amount in lines if day]

    def weekly(self, assignments) -> list[tuple[str, float]]:
        """One ``(last day worked, cost)`` per week with timephased actual work on these assignments of a task."""
        spans = []
        for assignment in assignments:
            raw = [*assignment.getRawTimephasedActualRegularWork().toArray(),
                   *assignment.getRawTimephasedActualOvertimeWork().toArray(),
                   *assignment.getRawTimephasedActualCost().toArray()]
            if raw:
                spans.append((assignment, [(_moment(item.getStart()), _moment(item.getFinish())) for item in raw]))
        if not spans:
            return []
        first = min(start for _, items in spans for start, _ in items).date()
        last = max(finish for _, items in spans for _, finish in items).date()
        monday = first - dt.timedelta(days=first.weekday())
        weeks = (last - monday).days // 7 + 1
        ranges = self.ranges(monday, weeks)
        amounts, worked = [0.0] * weeks, [None] * weeks
        for assignment, items in spans:
            for week, value in enumerate(assignment.getTimephasedActualCost(ranges).toArray()):
                amounts[week] += float(value) if value is not None else 0.0
            calendar = assignment.getEffectiveCalendar()
            calendar = (calendar.getUniqueID(), calendar) if calendar is not None else None
            for start, finish in items:
                end = (finish - dt.timedelta(minutes=1) if finish > start else finish).date()  # 17:00, not midnight
                for week in range((start.date() - monday).days // 7, min((end - monday).days // 7, weeks - 1) + 1):
                    day = min(end, monday + dt.timedelta(days=7 * week + 6))
                    floor = max(start.date(), monday + dt.timedelta(days=7 * week))
                    while day > floor and not self.working(calendar, day):  # over a weekend: the last day worked
                        day -= dt.timedelta(days=1)
                    worked[week] = day if worked[week] is None else max(worked[week], day)
        return [((worked[w] or monday + dt.timedelta(days=7 * w + 6)).isoformat(), amounts[w])
                for w in range(weeks) if abs(amounts[w]) >= 0.005]

    def working(self, calendar: tuple | None, day: dt.date) -> bool:
        """Whether the calendar (``(unique ID, calendar)``) works on ``day`` (every day without one)."""
        if calendar is None:
            return True
        key = (calendar[0], day)
        if key not in self._working:
            from java.time import LocalDate

            self._working[key] = bool(calendar[1].isWorkingDate(LocalDate.of(day.year, day.month, day.day)))
        return self._working[key]

    def ranges(self, monday: dt.date, weeks: int):
        """A Java list of ``LocalDateTimeRange``, one per week from ``monday`` (midnight to midnight)."""
        key = (monday, weeks)
        if key not in self._ranges:
            from java.time import LocalDateTime
            from java.util import ArrayList
            from org.mpxj import LocalDateTimeRange

            ranges = ArrayList()
            for week in range(weeks):
                start, end = (monday + dt.timedelta(days=7 * (week + k)) for k in (0, 1))
                ranges.add(LocalDateTimeRange(LocalDateTime.of(start.year, start.month, start.day, 0, 0),
                                              LocalDateTime.of(end.year, end.month, end.day, 0, 0)))
            self._ranges[key] = ranges
        return self._ranges[key]


def _moment(value) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


def _week_ranges(monday: dt.date, weeks: int):
    """A Java list of ``LocalDateTimeRange``, one per week from ``monday`` (midnight to midnight)."""
    from java.time import LocalDateTime
    from java.util import ArrayList
    from org.mpxj import LocalDateTimeRange

    ranges = ArrayList()
    for week in range(weeks):
        start, end = (monday + dt.timedelta(days=7 * (week + k)) for k in (0, 1))
        ranges.add(LocalDateTimeRange(LocalDateTime.of(start.year, start.month, start.day, 0, 0),
                                      LocalDateTime.of(end.year, end.month, end.day, 0, 0)))
    return ranges


def join_projects(schedule: RawTable, contract: RawTable) -> RawTable:
    """The schedules' projects with what ``projects.csv`` says about each (its values win)."""
    listed = contract.frame.drop_duplicates("project_id").set_index("project_id") if \
        "project_id" in contract.frame.columns else pd.DataFrame()
    frame = schedule.frame.copy()
    for column in listed.columns:
        values = frame["project_id"].map(listed[column])
        if column in frame.columns:
            frame[column] = values.where(values.notna() & (values.astype(str) != ""), frame[column])
        else:
            frame[column] = values.fillna("")
    schedule.frame = frame.astype(str)
    return schedule
