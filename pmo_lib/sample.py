"""Generate a fictional, realistic sample portfolio: Northwind Utilities.

The sample is what every report shows out of the box, what the tests run on
and, at larger sizes, what the benchmarks load. :func:`generate_portfolio`
returns one DataFrame per table of the data contract (:mod:`pmo_lib.schema`),
with the contract's columns and the dtypes the loader gives them;
:func:`write_portfolio` writes them as the CSV files a PMO would supply.

Every project carries a *story* fixed by its position in a cycle of 24 slots,
so the same project ids tell the same story whatever the seed (the seed only
moves the numbers). With the default 24 projects:

=========  ================  ==============================================
project    story             what a report should show
=========  ================  ==============================================
PRJ-003    watermelon        manager says green, SPI and CPI below 0.85
PRJ-005    closed            status closed, every task 100 %, costs final
PRJ-006    amber risk        an open risk scoring 15-16, mitigation on time
PRJ-008    late              SPI below 0.85; a risk scoring 20 and an open
                             critical issue (red)
PRJ-010    amber schedule    SPI between 0.85 and 0.95
PRJ-011    budget exceeded   task budgets sum above the approved budget
PRJ-013    over budget       CPI below 0.85; an open critical issue (red)
PRJ-015    finish warning    one task has actual_finish at < 100 %
PRJ-017    on hold           status on_hold, no work or spend for 5-7 weeks;
                             three risk mitigations overdue (red)
PRJ-019    amber issue       an open high issue, not yet due
PRJ-020    stale update      latest status update older than 30 days; a
                             critical issue opened since, overdue (red)
PRJ-022    not started       all tasks start after the status date
PRJ-023    amber cost        CPI between 0.85 and 0.95
others     healthy           SPI and CPI between 0.95 and about 1.06
=========  ================  ==============================================

The risk, issue and milestone RAGs follow the stories too: only the late,
over-budget and watermelon projects draw risks freely (scores of 20 and
more) and leave many actions overdue; elsewhere risks score at most 12 and
nearly every overdue risk mitigation or issue has been given a new date, so
the 24 projects read about 15 green, 4-5 amber and 5 red overall
(:class:`pmo_lib.analysis.PortfolioAnalysis`). Sound projects still turn
amber now and then by chance (a milestone slipping over two weeks, a rare
risk of 15-16 or open high issue), more often with other seeds.

Examples
--------
>>> import datetime
>>> tables = generate_portfolio(projects=2, seed=1, status_date=datetime.date(2026, 11, 20))
>>> list(tables) == list(TABLE_ORDER)
True
>>> tables["projects"]["program"].tolist()
['Digital Customer', 'Digital Customer']
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_lib.outputs import write_text
from pmo_lib.schema import TABLE_ORDER, TABLES, empty_frame_dtypes

COMPANY = "Northwind Utilities"
PROGRAMS = ("Digital Customer", "Grid Modernisation", "Corporate Systems", "Regulatory & Compliance")

# ---------------------------------------------------------------------------
# Stories: one per slot of a 24-project cycle (6 projects per program).
# ---------------------------------------------------------------------------
_SLOT_STORIES = (
    "healthy", "healthy", "watermelon", "healthy", "closed", "amber_risk",
    "healthy", "late", "healthy", "amber_schedule", "budget_exceeded", "healthy",
    "over_budget", "healthy", "finish_warning", "healthy", "on_hold", "healthy",
    "amber_issue", "stale_update", "healthy", "not_started", "amber_cost", "healthy",
)
_CYCLE = len(_SLOT_STORIES)
# story: (SPI low, SPI high, CPI low, CPI high, elapsed fraction low, high); the SPI of the
# last three is not a target: their progress follows from the hold, the closure or the start.
_TARGETS = {
    "healthy": (0.97, 1.05, 0.97, 1.06, 0.30, 0.80),
    "late": (0.70, 0.76, 0.95, 1.00, 0.45, 0.70),
    "over_budget": (0.97, 1.02, 0.74, 0.79, 0.45, 0.70),
    "watermelon": (0.74, 0.79, 0.76, 0.81, 0.45, 0.70),
    "amber_schedule": (0.88, 0.91, 0.97, 1.02, 0.45, 0.70),
    "amber_cost": (0.98, 1.02, 0.88, 0.91, 0.45, 0.70),
    "on_hold": (1.00, 1.00, 0.95, 0.99, 0.50, 0.65),
    "closed": (1.00, 1.00, 0.96, 1.00, 1.00, 1.00),
    "not_started": (1.00, 1.00, 1.00, 1.00, 0.00, 0.00),
}
for _alias in ("budget_exceeded", "finish_warning", "stale_update", "amber_risk", "amber_issue"):
    _TARGETS[_alias] = _TARGETS["healthy"]

# ---------------------------------------------------------------------------
# Text banks: realistic English, fictional company, suppliers and people.
# ---------------------------------------------------------------------------
_PROJECTS = {
    "Digital Customer": (
        ("Customer Portal Rebuild", "Replace the 2014 customer portal with a responsive site; move bill view, payments and home moves online."),
        ("Mobile App 3.0", "Next release of the Northwind app: meter readings, outage alerts and payment plans."),
        ("Contact Centre Cloud Migration", "Move 220 agents from on-premise telephony to a cloud contact centre with call recording & IVR."),
        ("Smart Billing Notifications", "Alert customers by SMS or e-mail when a bill is more than 30% above their usual amount."),
        ("Self-Service Outage Map", "Public map of planned and unplanned outages with estimated restoration times."),
        ("Customer Data Platform", 'Single customer view joining billing, CRM & smart-meter data; retires the "golden record" spreadsheet (<10k updates a day).'),
        ("Chatbot for Account Queries", "Answer the twenty most common account questions without an agent."),
        ("Paperless Billing Switch", "Move 400,000 customers to e-billing with a consent campaign."),
    ),
    "Grid Modernisation": (
        ("Smart Meter Rollout – North", "Install 180,000 smart meters across the northern region and retire manual reads."),
        ("Substation Automation Phase 2", "Replace protection relays and RTUs at 14 primary substations; GridCo supplies the relay panels."),
        ("Advanced Distribution Management System", "Real-time network model and switching for the control room."),
        ("Outage Management System Upgrade", "Upgrade the OMS to the vendor's supported version and add crew tracking."),
        ("EV Charging Grid Reinforcement", "Reinforce 60 low-voltage feeders ahead of public EV charging hubs."),
        ("LV Network Monitoring Pilot", "Fit monitors to 500 secondary substations and trial load forecasting."),
        ("Asset Health Analytics", "Score transformer and cable condition from test and fault history."),
        ("Field Workforce Mobility", "Tablets and a job app for 450 field engineers."),
    ),
    "Corporate Systems": (
        ("ERP Finance Upgrade", "Upgrade the finance ERP, standardise the chart of accounts and automate month-end close."),
        ("HR & Payroll Replacement", "Replace the payroll bureau and the HR system with one cloud platform."),
        ("Data Warehouse Modernisation", "Move the data warehouse to a cloud platform and rebuild the 40 most-used reports."),
        ("Identity & Access Management", "Single sign-on, joiner-mover-leaver automation and privileged access control."),
        ("Document Management Consolidation", "Retire three document stores and move 2.1 million files to one platform."),
        ("Procurement Portal", "Supplier onboarding, purchase requests and catalogue buying in one portal."),
        ("Network Refresh – Head Office", "Replace switches, Wi-Fi and firewalls at head office."),
        ("Service Desk Tooling Replacement", "Move the IT service desk to a new ITSM tool."),
    ),
    "Regulatory & Compliance": (
        ("Cyber Security NIS2 Readiness", "Close the gaps found in the NIS2 assessment before the regulator's audit."),
        ("Regulatory Reporting Automation", "Automate the annual regulatory reporting pack from source systems."),
        ("Vulnerable Customer Register", "Shared priority services register with the water company and health services."),
        ("Environmental Permit Tracking", "Track permits, conditions and inspections for substations and depots."),
        ("Safety Management System", "Digital incident reporting, investigations and safety actions."),
        ("GDPR Records Retention", "Apply retention rules to customer records across billing, CRM and archives."),
        ("Metering Code Compliance Audit", "Evidence metering code compliance for the external audit."),
        ("SOX Controls Remediation", "Remediate the financial controls flagged by the external auditor."),
    ),
}
_WORK_TASKS = {
    "Digital Customer": (
        "Discovery and user research", "Business requirements", "Service design and journeys",
        "Solution architecture", "Vendor contract and onboarding", "UX design and prototypes",
        "Build – core journeys", "Build – payments and billing", "Integration with the billing system",
        "Accessibility audit (WCAG 2.2)", "System and regression testing", "User acceptance testing",
        "Performance and security testing", "Contact-centre training", "Launch communications",
        "Production deployment", "Hypercare and handover",
    ),
    "Grid Modernisation": (
        "Network studies and scoping", "Site surveys", "Outline design", "Detailed engineering design",
        "Long-lead equipment procurement", "Planning consents and permits", "Factory acceptance testing",
        "Civil works", "Field installation", "SCADA integration", "Protection settings and testing",
        "Site acceptance testing", "Commissioning", "Control-room training", "As-built documentation",
        "Handover to operations",
    ),
    "Corporate Systems": (
        "Current-state process mapping", "Business requirements", "Vendor selection", "Solution design",
        "Data migration strategy", "Configuration sprint 1", "Configuration sprint 2",
        "Interfaces and integrations", "Data migration trial loads", "System integration testing",
        "User acceptance testing", "Reports and dashboards", "End-user training", "Cutover rehearsal",
        "Go-live cutover", "Hypercare and stabilisation",
    ),
    "Regulatory & Compliance": (
        "Regulatory gap analysis", "Legal and policy review", "Control design", "Data inventory and lineage",
        "Process changes", "System changes", "Evidence repository set-up", "Control testing",
        "Internal audit review", "Staff awareness training", "Regulator submission preparation",
        "Submission and regulator Q&A", "Embed in business as usual", "Post-implementation review",
    ),
}
_MILESTONES = {  # number of milestones -> (names, position as a fraction of the planned duration)
    2: (("Design signed off", "Go-live"), (0.40, 1.00)),
    3: (("Design signed off", "Go-live", "Project closure"), (0.30, 0.85, 1.00)),
    4: (("Business case approved", "Design signed off", "Go-live", "Project closure"), (0.10, 0.40, 0.85, 1.00)),
}
_PHASES = ((0.20, "Planning"), (0.45, "Design"), (0.75, "Build"), (0.92, "Testing"), (1.01, "Deployment"))
_PEOPLE = (  # 30 resources: 6 project managers (who manage the projects) and 24 team members
    ("Priya Raman", "Project Manager"), ("Zoë Müller", "Project Manager"), ("Tom Hartley", "Project Manager"),
    ("José Álvarez", "Project Manager"), ("Aisha Bello", "Project Manager"), ("Łukasz Nowak", "Project Manager"),
    ("Hannah Lewis", "Business Analyst"), ("Omar Haddad", "Business Analyst"),
    ("Chloé Dubois", "Business Analyst"), ("Ben Carter", "Business Analyst"),
    ("Arjun Mehta", "Developer"), ("Lena Fischer", "Developer"), ("Kwame Mensah", "Developer"),
    ("Sofia Rossi", "Developer"), ("Dan Whitaker", "Developer"), ("Mei Lin", "Developer"),
    ("Grace Thompson", "Tester"), ("Mateus Costa", "Tester"), ("Olivia Grant", "Tester"), ("Nikhil Rao", "Tester"),
    ("Rebecca Stone", "Architect"), ("Yusuf Demir", "Architect"),
    ("Ingrid Larsen", "Data Engineer"), ("Carlos Mendes", "Data Engineer"), ("Amara Nwosu", "Data Engineer"),
    ("Ellie Morgan", "Change Manager"), ("Fraser McLeod", "Change Manager"),
    ("Gareth Evans", "Field Engineer"), ("Siobhán Kelly", "Field Engineer"), ("Paweł Zieliński", "Field Engineer"),
)
_ROLES = ("Project Manager", "Business Analyst", "Developer", "Tester", "Architect", "Data Engineer",
          "Change Manager", "Field Engineer")
_RATES = (95.0, 80.0, 85.0, 70.0, 120.0, 90.0, 75.0, 65.0)  # per hour, by role
# How likely each role joins a project of each program (rows: programs, columns: roles).
_ROLE_WEIGHTS = np.array([
    [0, 1.0, 1.5, 1.0, 0.6, 0.6, 0.8, 0.05],
    [0, 0.5, 0.5, 0.6, 0.8, 0.5, 0.4, 3.00],
    [0, 1.0, 1.2, 1.0, 0.6, 1.0, 0.8, 0.05],
    [0, 1.2, 0.6, 0.6, 0.5, 1.0, 1.0, 0.10],
])
_SPONSORS = (
    ("Rachel Adeyemi", "Henrik Sørensen"), ("David Okonkwo", "Sinéad O'Brien"),
    ("Margaret Chen", "Henrik Sørensen"), ("Fiona Campbell", "Margaret Chen"),
)
_CATEGORIES = ("Labour", "Contractors", "Software", "Hardware", "Travel")
_CATEGORY_ODDS = (0.30, 0.35, 0.13, 0.12, 0.10)  # for lines after each week's labour line
_CATEGORY_WEIGHT = np.array([3.0, 2.5, 1.0, 1.5, 0.3])
_COST_TEXT = (
    ("Internal staff time (timesheets)", "Project team labour", "Business SME time", "Internal IT labour"),
    ("Contractor invoice – Halvorsen Consulting", "Contractor invoice – Brightline Digital",
     "Systems integrator milestone payment", "Contractor invoice – Kestrel Data", "Specialist contractor day rates"),
    ("Cloud platform subscription", "Test tooling licences", "SaaS subscription – monthly", "Developer tooling"),
    ("Servers and network equipment", "Field devices and sensors", "Laptops for the project team",
     "Relay panels and cabinets"),
    ("Site visits – mileage", "Travel to supplier workshop", "Accommodation – field team"),
)
_RISKS = (
    ("Key supplier may deliver late", "Weekly supplier checkpoint; penalty clause invoked at two weeks' slippage."),
    ("Business experts unavailable during year-end", "Book expert time with line managers now; backfill with contractors."),
    ("Legacy data quality lower than assumed", "Profile the data early and agree cleansing rules with data owners."),
    ("Billing interface more complex than estimated", "Spike the interface in the first sprint; architecture review before build."),
    ("Scope creep from stakeholder requests", "Route every request through change control; the sponsor arbitrates."),
    ("Security accreditation delayed", "Engage the security team at design; book the penetration test slot early."),
    ("Loss of a key developer", "Pair on critical work and document handovers; retention bonus approved."),
    ("Test environments not available when needed", "Reserve environments in the shared calendar; cloud environment as fallback."),
    ("Regulatory requirements change mid-project", "Track regulator consultations; keep rules configurable."),
    ("Benefits lost if adoption is low", "Change plan with champions in every depot and contact-centre team."),
    ("Hardware lead times beyond 20 weeks", "Order long-lead items at design freeze; hold buffer stock."),
    ("Network outage windows for field work refused", "Agree the outage plan with the control room three months ahead."),
    ("Contractor rates rise with inflation", "Fix rates in the framework agreement; review monthly with Finance."),
    ("Licence costs higher than quoted", "Negotiate the enterprise agreement before go-live; track usage."),
    ("Cutover window too short", "Two full cutover rehearsals and agreed rollback criteria."),
    ("Severe weather delays site works", "Plan outdoor work for spring and summer; three weeks of float."),
    ("Union consultation needed on new ways of working", "Early engagement with union representatives; joint working group."),
    ("Vendor changes its product roadmap", "Quarterly roadmap review; the contract protects agreed features."),
    ("Too few user acceptance testers", "Nominate testers per team and release them from day-to-day work for two weeks."),
    ("Data protection impact assessment not approved", "Submit the DPIA early; the DPO sits on the design authority."),
    ("Third-party API rate limits", "Load test against the vendor sandbox; agree a higher service tier."),
    ("Depends on another project's delivery", "Joint plan with the other project; fortnightly dependency review."),
    ("Security defects found late in testing", "Automated code scanning in the pipeline; fix critical findings within five days."),
    ("Legacy system decommissioning slips", "Fund decommissioning as its own work package with a milestone."),
)
_SPECIAL_RISK = (
    'Vendor "GridCo" may miss <Q3> delivery & testing',
    'Weekly call with GridCo\'s delivery lead; escalate via the "Tier 1" supplier route & withhold 10% retention.',
)
_ISSUES = (
    "Test environment down for three days", "Requirements sign-off delayed by Finance",
    "Vendor interface specification incomplete", "Defect backlog above the agreed threshold",
    "Key stakeholder has left the business", "Purchase order for contractors not raised",
    "Legacy data extract failing every night", "No access to production logs",
    "Site access permit refused", "Training rooms clash with year-end",
    "Performance test results below target", "Licence keys not delivered",
    "Change freeze conflicts with the deployment date", "Data migration rules not signed off",
    "Contractor onboarding held up by security vetting", "Supplier invoice disputed",
    "Design authority cancelled twice", "Firewall change request rejected",
    "Cost code closed by Finance", "Field crews diverted to storm recovery",
)
_WATCH_RISK = (
    "Data protection impact assessment may not be approved before build",
    "DPIA draft with the DPO this month; the DPO joins the design authority; pseudonymised test data as fallback.",
)
_WATCH_ISSUE = "Penetration test found high-severity findings: go-live blocked until they are fixed"
_SPECIAL_ISSUE = 'Integration environment "INT2" unavailable: <3 days of test time left> & no fix date'
# Stories whose registers are troubled too: risks scoring 20+, critical issues, overdue actions.
_TROUBLED = ("late", "over_budget", "watermelon")
_CRITICAL_ISSUES = {  # story -> its open critical issue (the first in its log)
    "late": "Relay panels still not delivered: field installation stopped",
    "over_budget": "Contingency used up: the forecast cost is above the approved budget",
    "stale_update": "Regulator brought its audit forward: evidence pack not ready",
}
_CHANGES = (
    "Add Welsh-language option", "Extend hypercare by four weeks", "Move hosting to the cloud",
    "Add three substations to scope", "Descope legacy report migration", "Add accessibility fixes",
    "Move go-live after the winter change freeze", "Add single sign-on", "Extra testers for regression",
    "Extra data-cleansing sprint", "Reduce the pilot to one region", "Upgrade licences to the enterprise tier",
    "Add offline mode to the mobile app", "Change hardware supplier", "Additional penetration test round",
)
_DEMAND = (
    ("Heat Pump Connection Portal", "Online application and tracking for domestic heat pump connections."),
    ("Drone Inspection of Overhead Lines", "Pilot drone inspections in place of helicopter patrols on 11 kV lines."),
    ("Customer Vulnerability Analytics", "Predict which customers need priority services during outages."),
    ("Flexible Connections Platform", "Offer curtailable connections to generators & large loads."),
    ("Workforce Scheduling Optimisation", "Optimise field crew routes and job allocation."),
    ("Finance Close Automation", 'Automate month-end journals; quotes "from 3 vendors" < 250k & 6-month payback.'),
    ("Enterprise Data Catalogue", "Catalogue critical data sets with owners and lineage."),
    ("Carbon Reporting Tool", "Scope 1-3 emissions reporting for the annual report."),
    ("Contractor Management System", "Inductions, permits and competence records for contractors."),
    ("Network Digital Twin", "3D model of the distribution network for planning studies."),
    ("Smart Meter Data Lake", "Half-hourly consumption data for analytics and regulatory returns."),
    ("Legacy Telephony Retirement", "Decommission the last on-premise telephone exchanges."),
    ("Supplier Invoice Chatbot", "Answer supplier invoice queries automatically."),
    ("Asset Register Clean-up", "Reconcile the GIS and ERP asset registers."),
    ("Digital Permit-to-Work", "Replace paper permits with a mobile permit-to-work app."),
    ("Storm Resilience Programme", "Targeted undergrounding and tree cutting in exposed areas."),
    ("Cloud Backup Modernisation", "Move backups to immutable cloud storage."),
    ("Apprentice Training Portal", "Learning paths and assessments for engineering apprentices."),
    ("Energy Theft Detection", "Flag likely meter tampering from consumption patterns."),
    ("Board Pack Automation", "Build the monthly board pack from the data warehouse."),
)
_SUMMARIES = {  # by RAG and, for amber and red, by the dimension that is off track
    "green": (
        "On track. {task} is progressing to plan and spend is in line with the baseline.",
        "Good fortnight: no new escalations and {milestone} remains on schedule.",
        "Delivery on plan; the team is focused on {task}.",
    ),
    "amber schedule": (
        "Some slippage on {task}; a recovery plan is agreed with the workstream leads.",
        'Supplier "Brightline" asked for two more weeks on {task}; {milestone} has little float left.',
    ),
    "amber cost": (
        "Spend is running ahead of plan on {task}; contractor rates are under review with Finance.",
        "Costs slightly above the earned value; the contingency drawdown goes to the sponsor for approval.",
    ),
    "red schedule": (
        "Behind plan: {task} is running late and {milestone} is at risk. A re-plan goes to the steering group.",
    ),
    "red cost": (
        "Spend is well above the value of the work done; the sponsor has asked for a revised forecast.",
    ),
}
_LATEST_SUMMARIES = {
    "late": "Behind plan: relay panels arrived late, so {task} is weeks behind and {milestone} will move "
            "unless the recovery plan lands.",
    "over_budget": "Costs are running well ahead of the work done (contractor day rates & extra "
                   "data-migration cycles). A funding change request goes to the sponsor on Monday.",
    "watermelon": "All workstreams green.\nThe vendor confirms the integration drop is on its way & "
                  "{milestone} is on track.",
    "closed": "Project closed. Closure report approved; benefits tracking handed to the business owner.",
    "on_hold": "Project on hold pending the steering group's funding decision; the team has been "
               "released to other work.",
    "not_started": "Mobilising: charter signed and the team onboarding ahead of the kick-off.",
    "amber_risk": "Delivery and spend on plan. One risk on watch: the data protection impact assessment "
                  "is still with the DPO and {milestone} depends on it.",
    "amber_issue": "On plan overall, but the penetration test found high-severity findings; fixes are "
                   "being prioritised so that {milestone} is not affected.",
}
_RAG_LEVELS = ("green", "amber", "red")
# Register entries that only fit some programs: weight per program (in PROGRAMS order); others 1.
_FITS = {
    "Billing interface more complex than estimated": (1.0, 0.0, 1.0, 0.3),
    "Hardware lead times beyond 20 weeks": (0.0, 3.0, 0.5, 0.0),
    "Network outage windows for field work refused": (0.0, 3.0, 0.0, 0.0),
    "Severe weather delays site works": (0.0, 3.0, 0.0, 0.0),
    "Site access permit refused": (0.0, 3.0, 0.0, 0.0),
    "Field crews diverted to storm recovery": (0.0, 3.0, 0.0, 0.0),
    "Add Welsh-language option": (1.0, 0.0, 0.5, 0.5),
    "Add three substations to scope": (0.0, 3.0, 0.0, 0.0),
    "Add offline mode to the mobile app": (2.0, 1.0, 0.0, 0.0),
    "Change hardware supplier": (0.3, 2.0, 0.5, 0.0),
}


def _scale_for(projects: int) -> int:
    return int(min(max(round(projects / 125), 1), 8))


def generate_portfolio(
    *,
    projects: int = 24,
    seed: int = 7,
    status_date: datetime.date,
    tasks_per_project: tuple[int, int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate a fictional portfolio for the utility Northwind Utilities.

    The projects sit in four programs and each carries a story (healthy, late,
    over budget, watermelon, ...; see the module docstring) fixed by its
    position in a cycle of 24, so the default 24 projects hold one of each.
    Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed
    order: the same arguments always give the same tables.

    Sizes grow with a scale ``s = clip(round(projects / 125), 1, 8)``: 1 up to
    187 projects, 8 from 938. A project has between ``6 s`` and ``20 s`` tasks
    (6-20 by default, about 100 at 1,000 projects), ``1 + Poisson(1.5 + 5 (s - 1))``
    cost lines a week, a team of its manager and ``3 + 2 (s - 1)`` to
    ``6 + 3 (s - 1)`` others, and there are
    ``max(30, 1.25 * projects)`` resources and ``max(15, 0.625 * projects)``
    demand requests. 1,000 projects give about 100,000 tasks, a million cost
    lines and half a million assignment rows.

    Parameters
    ----------
    projects : int
        Number of projects (at least 1).
    seed : int
        Seed of the random generator.
    status_date : datetime.date
        The "today" of the data: costs, actuals and updates stop here (an
        ISO ``YYYY-MM-DD`` string is accepted too).
    tasks_per_project : tuple of int, optional
        ``(fewest, most)`` tasks per project, overriding the scale (at least 5).

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per table, in contract order, with the contract's columns
        (in order) and the dtypes of :func:`pmo_lib.schema.empty_frame_dtypes`.

    Raises
    ------
    ValueError
        ``projects`` is below 1 or ``tasks_per_project`` is not a range of at least 5.

    Examples
    --------
    >>> import datetime
    >>> tables = generate_portfolio(projects=3, seed=7, status_date=datetime.date(2026, 11, 20))
    >>> tables["projects"][["project_id", "status"]].to_string(index=False)
    'project_id status\\n   PRJ-001 active\\n   PRJ-002 active\\n   PRJ-003 active'
    >>> bool(tables["tasks"].groupby("project_id").size().between(6, 20).all())
    True
    >>> tables["costs"]["date"].max() <= pd.Timestamp("2026-11-20")
    True
    """
    if int(projects) < 1:
        raise ValueError(f"projects must be at least 1, not {projects}")
    projects = int(projects)
    scale = _scale_for(projects)
    low, high = tasks_per_project or (6 * scale, 20 * scale)
    if not 5 <= low <= high:
        raise ValueError(f"tasks_per_project must be (fewest, most) with 5 <= fewest <= most, not {(low, high)}")
    rng = np.random.default_rng(seed)
    today = int(pd.Timestamp(status_date).to_datetime64().astype("datetime64[D]").astype(np.int64))

    people = _resources(rng, max(30, round(1.25 * projects)))
    plan = _plan_projects(rng, projects, today, people)
    team = _teams(rng, plan, people, scale)
    work = _tasks(rng, plan, team, people, (low, high))
    _fit_progress(rng, plan, work, today)
    cost = _costs(rng, plan, work, today, scale)
    tables = {
        "projects": _projects_table(plan),
        "tasks": _tasks_table(plan, work),
        "costs": cost,
        "risks": _risks(rng, plan, team, people, today),
        "issues": _issues(rng, plan, team, people, today),
        "resources": _frame("resources", {
            "resource_id": people["id"], "name": people["name"], "role": people["role"],
            "capacity_hours_per_week": people["capacity"], "cost_rate": people["rate"],
        }),
        "assignments": _assignments(rng, plan, team, people, today),
        "changes": _changes(rng, plan, today),
        "status_updates": _status_updates(rng, plan, work, today),
        "demand": _demand(rng, projects, today),
    }
    return {name: tables[name] for name in TABLE_ORDER}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _dates(days) -> np.ndarray:
    """Whole days since 1970-01-01 (NaN = missing) as ``datetime64[ns]``."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnan(days)
    out[ok] = days[ok].astype(np.int64).astype("datetime64[D]")
    return out


def _frame(table: str, data: dict) -> pd.DataFrame:
    """Build table ``table`` from columns, in contract order and loader dtypes."""
    spec = TABLES[table]
    assert sorted(data) == sorted(spec.names), (table, sorted(set(data) ^ set(spec.names)))
    dtypes = empty_frame_dtypes(table)
    columns = {}
    for col in spec.columns:
        values = data[col.name]
        if col.kind == "category":
            columns[col.name] = pd.Categorical(values, categories=list(col.choices))
        elif col.kind == "date":
            columns[col.name] = pd.Series(_dates(values))
        else:
            columns[col.name] = pd.Series(values, dtype=dtypes[col.name])
    return pd.DataFrame(columns)


def _pick(rng: np.random.Generator, counts: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row ``i`` takes ``counts[i]`` distinct columns, likelier where ``weights[i]`` is larger."""
    keys = rng.exponential(size=weights.shape) / np.maximum(weights, 1e-9)
    order = np.argsort(keys, axis=1, kind="stable")
    take = np.arange(weights.shape[1]) < np.minimum(counts, weights.shape[1])[:, None]
    return np.nonzero(take)[0], order[take]


def _within(groups: np.ndarray) -> np.ndarray:
    """Position of each element inside its run of equal, contiguous ``groups``."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - first


def _ids(prefix: str, numbers: np.ndarray, width: int) -> list[str]:
    return [f"{prefix}{n:0{width}d}" for n in numbers]


def _round_to(values: np.ndarray, step: float) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) / step) * step + 0.0


def _workday(days: np.ndarray, *, later: bool) -> np.ndarray:
    """Move Saturdays and Sundays to the next Monday (``later``) or the previous Friday."""
    days = np.asarray(days, dtype=float)
    weekday = np.mod(days, 7)  # 0 Thursday, 1 Friday, 2 Saturday, 3 Sunday (1970-01-01 was a Thursday)
    shift = np.where(weekday == 2, 2, np.where(weekday == 3, 1, 0)) if later else \
        np.where(weekday == 2, -1, np.where(weekday == 3, -2, 0))
    return days + shift


def _rag(index: np.ndarray) -> np.ndarray:
    """0 green, 1 amber, 2 red from an SPI or CPI (undefined counts as green)."""
    return np.where(np.isnan(index) | (index >= 0.95), 0, np.where(index >= 0.85, 1, 2))


# ---------------------------------------------------------------------------
# Resources, projects, teams
# ---------------------------------------------------------------------------
def _resources(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    i = np.arange(count)
    template = i % len(_PEOPLE)
    firsts = [n.split()[0] for n, _ in _PEOPLE]
    lasts = [n.split()[-1] for n, _ in _PEOPLE]
    names = [_PEOPLE[k][0] if k == j else f"{firsts[(7 * j + 3) % 30]} {lasts[(11 * j + j // 30) % 30]}"
             for j, k in zip(i, template)]
    role = np.array([_ROLES.index(_PEOPLE[k][1]) for k in template])
    capacity = rng.choice([37.5, 40.0, 30.0, 22.5], size=count, p=[0.55, 0.35, 0.05, 0.05])
    rate = _round_to(np.array(_RATES)[role] * rng.uniform(0.9, 1.15, count), 0.5)
    return {
        "id": np.array(_ids("RES-", i + 1, max(3, len(str(count))))),
        "name": np.array(names, dtype=object),
        "role": np.array(_ROLES, dtype=object)[role],
        "role_index": role,
        "capacity": capacity,
        "rate": rate,
    }


def _plan_projects(rng: np.random.Generator, count: int, today: int, people: dict) -> pd.DataFrame:
    i = np.arange(count)
    slot, cycle = i % _CYCLE, i // _CYCLE
    program = slot // 6
    k = cycle * 6 + slot % 6
    story = np.array(_SLOT_STORIES, dtype=object)[slot]
    bank = [_PROJECTS[PROGRAMS[p]][n % 8] for p, n in zip(program, k)]
    name = [b[0] if n < 8 else f"{b[0]} – Wave {n // 8 + 1}" for b, n in zip(bank, k)]
    targets = np.array([_TARGETS[s] for s in story])
    spi = rng.uniform(targets[:, 0], targets[:, 1])
    cpi = rng.uniform(targets[:, 2], targets[:, 3])
    elapsed = rng.uniform(targets[:, 4], targets[:, 5])
    duration = rng.integers(150, 481, count)
    start = today - np.round(elapsed * duration).astype(np.int64)
    closed_gap = rng.integers(35, 101, count)
    start = np.where(story == "closed", today - closed_gap - duration, start)
    start = np.where(story == "not_started", today + rng.integers(10, 46, count), start)
    managers = np.flatnonzero(people["role_index"] == 0)
    manager = managers[rng.permutation(count) % len(managers)]
    sponsor_pick = rng.integers(0, 2, count)
    return pd.DataFrame({
        "project_id": _ids("PRJ-", i + 1, max(3, len(str(count)))),
        "name": name,
        "description": [b[1] for b in bank],
        "program": program,
        "story": story,
        "spi_target": spi,
        "cpi_target": cpi,
        "start": start,
        "duration": duration,
        "bac": np.exp(rng.uniform(np.log(250_000), np.log(4_000_000), count)) * duration / 300,
        "budget_factor": np.where(story == "budget_exceeded", rng.uniform(0.88, 0.92, count),
                                  rng.uniform(1.02, 1.12, count)),
        "priority": rng.integers(1, 6, count),
        "manager": manager,
        "manager_name": people["name"][manager],
        "sponsor": [_SPONSORS[p][s] for p, s in zip(program, sponsor_pick)],
        "hold_days": np.where(story == "on_hold", rng.integers(35, 50, count), 0),
    })


def _teams(rng: np.random.Generator, plan: pd.DataFrame, people: dict, scale: int) -> pd.DataFrame:
    """Who works on which project: its manager plus 3-6 others (more at larger scales)."""
    weights = _ROLE_WEIGHTS[plan["program"].to_numpy()][:, people["role_index"]]
    counts = rng.integers(3 + 2 * (scale - 1), 6 + 3 * (scale - 1) + 1, len(plan))
    rows, members = _pick(rng, counts, weights)
    team = pd.DataFrame({
        "p": np.r_[np.arange(len(plan)), rows],
        "r": np.r_[plan["manager"].to_numpy(), members],
        "lead": np.r_[np.ones(len(plan), bool), np.zeros(len(rows), bool)],
    })
    return team.sort_values(["p", "lead", "r"], ascending=[True, False, True], kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------
# Tasks and earned value
# ---------------------------------------------------------------------------
def _tasks(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict,
           sizes: tuple[int, int]) -> pd.DataFrame:
    """Tasks on the baseline: work spread over the plan in lifecycle order, plus 2-4 milestones."""
    n_projects = len(plan)
    count = rng.integers(sizes[0], sizes[1] + 1, n_projects)
    n_milestones = np.minimum(rng.integers(2, 5, n_projects), count - 3)
    n_work = count - n_milestones
    program = plan["program"].to_numpy()
    start, duration = plan["start"].to_numpy(), plan["duration"].to_numpy()

    wp = np.repeat(np.arange(n_projects), n_work)
    j = _within(wp)
    per = n_work[wp]
    jitter = np.where(j == 0, 0.0, rng.uniform(0, 0.6, wp.size))
    at = (j + jitter) / per * 0.85
    length = rng.uniform(0.06, 0.2, wp.size) + 0.5 / per
    w_start = start[wp] + np.round(at * duration[wp])
    w_finish = start[wp] + np.round(np.minimum(at + length, 1.0) * duration[wp])
    w_finish = np.maximum(w_finish, w_start + 3)
    # work on working days: a start moves to Monday, a finish back to Friday (spans >= 3 days stay valid)
    w_start, w_finish = _workday(w_start, later=True), _workday(w_finish, later=False)
    bank_size = np.array([len(_WORK_TASKS[p]) for p in PROGRAMS])[program[wp]]
    which = (j * bank_size) // per
    part = pd.Series(j).groupby([wp, which]).cumcount().to_numpy()
    many = pd.Series(j).groupby([wp, which]).transform("size").to_numpy() > 1
    w_name = [_WORK_TASKS[PROGRAMS[p]][w] + (f" – part {k + 1}" if m else "")
              for p, w, k, m in zip(program[wp], which, part, many)]

    mp = np.repeat(np.arange(n_projects), n_milestones)
    q = _within(mp)
    m_count = n_milestones[mp]
    fraction = np.array([_MILESTONES[m][1][x] for m, x in zip(m_count, q)])
    m_day = _workday(start[mp] + np.round(fraction * duration[mp]), later=False)
    m_name = [_MILESTONES[m][0][x] for m, x in zip(m_count, q)]

    p = np.r_[wp, mp]
    b_start = np.r_[w_start, m_day].astype(np.int64)
    b_finish = np.r_[w_finish, m_day].astype(np.int64)
    milestone = np.r_[np.zeros(wp.size, bool), np.ones(mp.size, bool)]
    names = np.array(w_name + m_name, dtype=object)
    order = np.lexsort((b_finish, milestone, b_start, p))
    p, b_start, b_finish, milestone, names = p[order], b_start[order], b_finish[order], milestone[order], names[order]

    weight = (b_finish - b_start) * rng.gamma(5.0, 1 / 5, p.size)
    weight = np.where(milestone, 0.0, weight)
    share = weight / np.bincount(p, weight, n_projects)[p]
    budget = np.where(milestone, 0.0, np.maximum(_round_to(plan["bac"].to_numpy()[p] * share, 100), 500.0))

    # owners: a team member of the project (not its manager); milestones belong to the manager
    members = team[~team["lead"]]
    first = np.searchsorted(members["p"].to_numpy(), np.arange(n_projects))
    size = np.bincount(members["p"].to_numpy(), minlength=n_projects)
    member = members["r"].to_numpy()[first[p] + (rng.random(p.size) * size[p]).astype(np.int64)]
    owner = np.where(milestone, plan["manager"].to_numpy()[p], member)
    owner_name = people["name"][owner].astype(object)
    owner_name[rng.random(p.size) < 0.05] = ""
    return pd.DataFrame({
        "p": p, "name": names, "start": b_start, "finish": b_finish, "milestone": milestone,
        "budget": budget, "owner": owner_name,
        # each task runs a little early or late; milestones (no budget) keep closer to their project's pace
        "noise": np.clip(rng.standard_normal(p.size), -2.5, 2.5) * np.where(milestone, 0.0125, 0.025) * duration[p],
    })


def _progress(when: np.ndarray, work: pd.DataFrame) -> np.ndarray:
    """Fraction of each task done if it runs to baseline and ``when`` is the date."""
    start, finish = work["start"].to_numpy(), work["finish"].to_numpy()
    span = np.maximum(finish - start, 1)
    linear = np.clip((when - start) / span, 0.0, 1.0)
    return np.where(work["milestone"].to_numpy(), (when >= finish).astype(float), linear)


def _fit_progress(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int) -> None:
    """Set each project's slip so its SPI hits the story's target, then the task actuals.

    A project runs ``lag`` days behind its baseline (plus a little per task):
    task progress is the baseline progress at ``today - lag``. The lag of a
    project with a target SPI is found by bisection.
    """
    n = len(plan)
    p = work["p"].to_numpy()
    story = plan["story"].to_numpy()[p]
    budget = work["budget"].to_numpy()
    duration = plan["duration"].to_numpy().astype(float)
    noise = work["noise"].to_numpy()
    noise = np.where((story == "on_hold") | (story == "not_started"), np.abs(noise), noise)
    pv = np.bincount(p, budget * _progress(np.full(p.size, float(today)), work), n)
    target = plan["spi_target"].to_numpy() * pv
    low, high = -0.3 * duration, duration.copy()
    for _ in range(60):
        mid = (low + high) / 2
        ev = np.bincount(p, budget * _progress(today - mid[p] - noise, work), n)
        ahead = ev > target
        low, high = np.where(ahead, mid, low), np.where(ahead, high, mid)
    kind = plan["story"].to_numpy()
    lag = (low + high) / 2
    lag = np.where(kind == "on_hold", plan["hold_days"].to_numpy() + rng.uniform(0, 7, n), lag)
    lag = np.where(kind == "closed", rng.uniform(-3, 7, n), lag)
    lag = np.where(kind == "not_started", 0.0, lag)
    finish = work["finish"].to_numpy()
    noise = np.where(story == "closed", np.minimum(noise, today - 7 - finish - lag[p]), noise)
    slip = lag[p] + noise
    done = _progress(today - slip, work)
    pct = np.round(done * 100)
    pct = np.where((done > 0) & (pct == 0), 1, np.where((done < 1) & (pct == 100), 99, pct))
    started, finished = done > 0, done >= 1
    x_start, x_finish = work["start"].to_numpy() + slip, finish + slip
    milestone = work["milestone"].to_numpy()
    actual_start = np.where(started, np.floor(np.where(milestone, x_finish, x_start)), np.nan)
    actual_finish = np.where(finished, np.floor(x_finish), np.nan)
    forecast_start = np.where(finished, np.nan, np.where(started, actual_start, np.ceil(x_start)))
    forecast_finish = np.where(finished, np.nan, np.ceil(x_finish))

    # the deliberate warning: the furthest-along open task reported finished below 100 %
    candidates = started & ~finished & ~milestone & (story == "finish_warning")
    if candidates.any():
        ranked = pd.Series(np.where(candidates, pct, -1.0)).groupby(p).idxmax()
        pick = ranked[plan["story"].to_numpy()[ranked.index] == "finish_warning"].to_numpy()
        pick = pick[candidates[pick]]
        actual_finish[pick], forecast_finish[pick] = today - 1, np.nan

    work["pct"] = pct
    # working days: actuals move back (they stay on or before today), forecasts forward (stay after it)
    work["actual_start"] = _workday(actual_start, later=False)
    work["actual_finish"] = _workday(actual_finish, later=False)
    forecast_start = np.where(started, work["actual_start"], _workday(forecast_start, later=True))
    work["forecast_start"] = np.where(finished, np.nan, forecast_start)
    work["forecast_finish"] = _workday(forecast_finish, later=True)
    plan["pv"] = pv
    plan["ev"] = np.bincount(p, budget * pct / 100, n)
    plan["bac"] = np.bincount(p, budget, n)
    plan["spi"] = plan["ev"] / plan["pv"].where(plan["pv"] > 0)
    first_actual = work["actual_start"].groupby(p).min().reindex(range(n)).to_numpy()
    last_actual = work["actual_finish"].groupby(p).max().reindex(range(n)).to_numpy()
    planned_end = pd.Series(np.fmax(np.fmax(work["forecast_finish"], work["actual_finish"]), finish)).groupby(p).max()
    plan["first_actual"] = first_actual
    end = planned_end.reindex(range(n)).to_numpy().astype(float)
    end = np.where(kind == "closed", last_actual + 14, end)
    plan["work_end"] = np.where(kind == "on_hold", today - plan["hold_days"].to_numpy(), end)


def _phase(plan: pd.DataFrame) -> list[str]:
    done = plan["ev"] / plan["bac"]
    phase = [next(name for limit, name in _PHASES if d < limit) for d in done]
    story = plan["story"].to_numpy()
    return ["Closure" if s == "closed" else "Initiation" if s == "not_started" else ph
            for s, ph in zip(story, phase)]


def _projects_table(plan: pd.DataFrame) -> pd.DataFrame:
    story = plan["story"].to_numpy()
    status = np.where(story == "on_hold", "on_hold", np.where(story == "closed", "closed", "active"))
    return _frame("projects", {
        "project_id": plan["project_id"],
        "name": plan["name"],
        "program": np.array(PROGRAMS, dtype=object)[plan["program"].to_numpy()],
        "manager": plan["manager_name"],
        "sponsor": plan["sponsor"],
        "phase": _phase(plan),
        "status": status,
        "budget": _approved_budget(plan),
        "priority": plan["priority"],
        "description": plan["description"],
    })


def _approved_budget(plan: pd.DataFrame) -> np.ndarray:
    """Round up to 5,000 to cover the task budgets, or down where the story wants them exceeded."""
    raw = plan["bac"].to_numpy() * plan["budget_factor"].to_numpy()
    over = plan["story"].to_numpy() == "budget_exceeded"
    return np.where(over, np.floor(raw / 5000), np.ceil(raw / 5000)) * 5000.0


def _tasks_table(plan: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    p = work["p"].to_numpy()
    position = _within(p) + 1
    width = max(2, len(str(position.max())))
    return _frame("tasks", {
        "project_id": plan["project_id"].to_numpy()[p],
        "task_id": _ids("T", position, width),
        "name": work["name"],
        "baseline_start": work["start"],
        "baseline_finish": work["finish"],
        "percent_complete": work["pct"],
        "budget": work["budget"],
        "is_milestone": work["milestone"],
        "forecast_start": work["forecast_start"],
        "forecast_finish": work["forecast_finish"],
        "actual_start": work["actual_start"],
        "actual_finish": work["actual_finish"],
        "owner": work["owner"],
    })


# ---------------------------------------------------------------------------
# Costs
# ---------------------------------------------------------------------------
def _costs(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int, scale: int) -> pd.DataFrame:
    """Weekly cost lines on Fridays, summing to EV / CPI-target for each project.

    A week's spend follows how many tasks were running that week; its first
    line is labour, the others are drawn from the remaining categories. A few
    duplicate postings are reversed the following Friday (net zero).
    """
    n = len(plan)
    kind = plan["story"].to_numpy()
    first = plan["first_actual"].to_numpy()
    stops = np.isin(kind, ("on_hold", "closed"))
    last = np.where(stops, np.minimum(plan["work_end"].to_numpy(), today), today)
    g0 = np.ceil((first - 1) / 7)  # first Friday on or after the first actual start (day 1 was a Friday)
    g1 = np.floor((last - 1) / 7)
    spend = plan["ev"].to_numpy() / plan["cpi_target"].to_numpy()
    weeks = np.where(np.isnan(g0) | (spend <= 0), 0, np.maximum(g1 - g0 + 1, 0)).astype(np.int64)
    g0 = np.nan_to_num(g0).astype(np.int64)
    if weeks.sum() == 0:
        plan["ac"] = 0.0
        return _frame("costs", {c: [] for c in TABLES["costs"].names})

    # how many tasks ran each week, on a (project, week) grid
    base = int(g0[weeks > 0].min())
    width = int((g0 + weeks)[weeks > 0].max()) - base + 1
    running = ~np.isnan(work["actual_start"].to_numpy()) & ~work["milestone"].to_numpy()
    tp = work["p"].to_numpy()[running]
    t_end = np.fmin(work["actual_finish"].to_numpy()[running], last[tp])
    gs = np.clip(np.ceil((work["actual_start"].to_numpy()[running] - 1) / 7).astype(np.int64) - base, 0, width - 1)
    ge = np.clip(np.floor((t_end - 1) / 7).astype(np.int64) - base, gs, width - 1)
    grid = np.zeros((n, width + 1))
    np.add.at(grid, (tp, gs), 1.0)
    np.add.at(grid, (tp, ge + 1), -1.0)
    grid = np.cumsum(grid, axis=1)

    wp = np.repeat(np.arange(n), weeks)
    week = g0[wp] + _within(wp)
    weight = (grid[wp, week - base] + 0.5) * rng.gamma(6.0, 1 / 6, wp.size)
    week_amount = spend[wp] * weight / np.bincount(wp, weight, n)[wp]

    lines = 1 + rng.poisson(1.5 + 5.0 * (scale - 1), wp.size)
    lw = np.repeat(np.arange(wp.size), lines)
    category = np.where(_within(lw) == 0, 0, rng.choice(len(_CATEGORIES), lw.size, p=_CATEGORY_ODDS))
    share = _CATEGORY_WEIGHT[category] * rng.gamma(2.0, 0.5, lw.size)
    amount = np.round(week_amount[lw] * share / np.bincount(lw, share, wp.size)[lw], 2) + 0.0
    texts = np.array([t for group in _COST_TEXT for t in group], dtype=object)
    sizes = np.array([len(group) for group in _COST_TEXT])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    text = texts[offsets[category] + (rng.random(lw.size) * sizes[category]).astype(np.int64)]
    p, day = wp[lw], 7 * week[lw] + 1

    # a couple of duplicate postings, reversed the next Friday
    candidates = np.flatnonzero((category >= 1) & (category <= 3) & (day <= today - 7) & (amount > 0))
    chosen = np.sort(rng.choice(candidates, min(len(candidates), max(2, n // 12)), replace=False))
    posted = _dates(day[chosen]).astype("datetime64[D]").astype(str)
    p = np.r_[p, p[chosen], p[chosen]]
    seq = np.r_[np.arange(lw.size), chosen + 0.5, chosen + 0.5]
    day = np.r_[day, day[chosen], day[chosen] + 7]
    amount = np.r_[amount, amount[chosen], -amount[chosen]]
    category = np.r_[category, category[chosen], category[chosen]]
    text = np.r_[text, np.array(["Duplicate posting – " + t for t in text[chosen]], dtype=object),
                 np.array([f"Reversal of duplicate posting of {d}" for d in posted], dtype=object)]
    order = np.lexsort((seq, day, p))
    plan["ac"] = np.bincount(p, amount, n)
    return _frame("costs", {
        "project_id": plan["project_id"].to_numpy()[p[order]],
        "date": day[order],
        "amount": amount[order],
        "category": np.array(_CATEGORIES, dtype=object)[category[order]],
        "description": text[order],
    })


# ---------------------------------------------------------------------------
# Registers: risks, issues, changes
# ---------------------------------------------------------------------------
def _member(rng: np.random.Generator, team: pd.DataFrame, p: np.ndarray) -> np.ndarray:
    """A random member (manager included) of each project in ``p``."""
    owners = team["p"].to_numpy()
    first = np.searchsorted(owners, np.arange(owners.max() + 1))
    size = np.bincount(owners)
    return team["r"].to_numpy()[first[p] + (rng.random(p.size) * size[p]).astype(np.int64)]


def _raised(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A whole day between ``low`` and ``high`` inclusive."""
    high = np.maximum(high, low)
    return low + np.floor(rng.random(low.size) * (high - low + 1)).astype(np.int64)


def _register(rng: np.random.Generator, plan: pd.DataFrame, counts: np.ndarray,
              titles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick ``counts`` distinct register entries per project, suited to its program."""
    fits = np.array([_FITS.get(title, (1.0,) * len(PROGRAMS)) for title in titles]).T
    p, which = _pick(rng, counts, fits[plan["program"].to_numpy()])
    return p, which, plan["story"].to_numpy()[p]


def _risks(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict, today: int) -> pd.DataFrame:
    """Three to seven risks a project, scored so the risk RAG tells the project's story.

    Troubled projects (late, over budget, watermelon) draw probability and
    impact freely (1-5 each), so they hold the scores of 20 and more, and half
    of their overdue mitigations are left overdue. Elsewhere risks score at
    most 12 and nearly every overdue mitigation has been given a new date;
    the amber-risk project's first risk scores 15 or 16 (amber), and so does
    that of about one other sound project in thirty. An on-hold project's
    first three risks stay open with their mitigations overdue since the
    pause (more than two overdue: red).
    """
    p, which, story = _register(rng, plan, rng.integers(3, 8, len(plan)), [r[0] for r in _RISKS])
    j = _within(p)
    title = np.array([_RISKS[w][0] for w in which], dtype=object)
    mitigation = np.array([_RISKS[w][1] for w in which], dtype=object)
    special = (story == "late") & (j == 0)
    title[special], mitigation[special] = _SPECIAL_RISK
    watch = (story == "amber_risk") & (j == 0)
    title[watch], mitigation[watch] = _WATCH_RISK
    troubled = np.isin(story, _TROUBLED)
    stalled = (story == "on_hold") & (j < 3)
    sound = ~troubled & ~np.isin(story, ("closed", "on_hold"))
    elevated = watch | ((rng.random(len(plan)) < 0.03)[p] & (j == 0) & sound)
    status = np.where(rng.random(p.size) < 0.7, "open", "closed")
    status = np.where(special | stalled | elevated | (story == "not_started"), "open", status)
    status = np.where(story == "closed", "closed", status)
    is_open = (status == "open") & ~special & ~watch
    owner = people["name"][_member(rng, team, p)].astype(object)
    owner[is_open & (rng.random(p.size) < 0.08)] = ""
    mitigation[is_open & (rng.random(p.size) < 0.08)] = ""
    start = plan["start"].to_numpy()[p]
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today).astype(np.int64)
    raised = _raised(rng, np.minimum(start, today) - 30, end)
    due = raised + rng.integers(21, 121, p.size)
    # paused work: the mitigation fell due during the hold (at least a week ago) and nobody moved it
    paused_due = today - plan["hold_days"].to_numpy()[p] + rng.integers(7, 29, p.size)
    due = np.where(stalled, paused_due, due)
    raised = _workday(np.where(stalled, np.minimum(raised, due - 28), raised), later=False)
    due = np.where(stalled, _workday(due, later=False), _workday(due, later=True))
    kept_up = np.where(troubled, 0.5, 0.99)  # share of overdue mitigations given a new date
    reviewed = watch | (is_open & ~stalled & (due < today) & (rng.random(p.size) < kept_up))
    due = np.where(reviewed, _workday(today + rng.integers(7, 91, p.size), later=True), due)
    probability = rng.integers(1, 6, p.size)
    impact = rng.integers(1, 6, p.size)
    # on sound projects a risk scores at most 12: a likely risk has a limited impact and vice versa
    calm_probability = rng.choice(np.arange(1, 6), p.size, p=[0.20, 0.35, 0.30, 0.10, 0.05])
    calm_impact = rng.choice(np.arange(1, 6), p.size, p=[0.10, 0.30, 0.35, 0.15, 0.10])
    calm_probability = np.minimum(calm_probability, 12 // calm_impact)
    probability = np.where(troubled, probability, calm_probability)
    impact = np.where(troubled, impact, calm_impact)
    high = np.array([[3, 5], [4, 4], [5, 3]])[rng.integers(0, 3, p.size)]  # 15 or 16: amber, not red
    probability = np.where(elevated, high[:, 0], np.where(special, 4, probability))
    impact = np.where(elevated, high[:, 1], np.where(special, 5, impact))
    return _frame("risks", {
        "project_id": plan["project_id"].to_numpy()[p],
        "risk_id": _ids("R", j + 1, 2),
        "title": title,
        "probability": probability,
        "impact": impact,
        "status": status,
        "owner": owner,
        "mitigation": mitigation,
        "raised_date": raised,
        "due_date": due,
        "cost_impact": _round_to(rng.random(p.size) ** 2 * 50_000 * impact, 1000),
    })


def _issues(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict, today: int) -> pd.DataFrame:
    """Up to four issues a project, their priorities and due dates following the project's story.

    The late, over-budget and stale-update projects each have an open
    critical issue (red); the stale one is overdue and was opened after the
    project's last status update. The amber-issue project has an open high
    issue, not yet due. Open issues of the other sound projects are low or
    medium, rarely high (amber), never critical, and nearly all past their
    due date have been given a new one; troubled projects draw priorities
    freely and leave more issues overdue.
    """
    kind = plan["story"].to_numpy()
    counts = rng.integers(0, 5, len(plan))
    counts = np.where(kind == "not_started", np.minimum(counts, 1), counts)
    counts = np.where(kind == "amber_issue", np.maximum(counts, 1), counts)
    counts = np.where(np.isin(kind, ("closed", "watermelon", *_CRITICAL_ISSUES)), np.maximum(counts, 2), counts)
    p, which, story = _register(rng, plan, counts, list(_ISSUES))
    j = _within(p)
    title = np.array(_ISSUES, dtype=object)[which]
    special = (story == "watermelon") & (j == 0)
    title[special] = _SPECIAL_ISSUE
    watch = (story == "amber_issue") & (j == 0)
    title[watch] = _WATCH_ISSUE
    critical = np.isin(story, tuple(_CRITICAL_ISSUES)) & (j == 0)
    for s, text in _CRITICAL_ISSUES.items():
        title[critical & (story == s)] = text
    troubled = np.isin(story, _TROUBLED)
    priority = rng.choice(4, p.size, p=[0.3, 0.4, 0.22, 0.08])
    closed = ~special & ~critical & ~watch & ((story == "closed") | (rng.random(p.size) < 0.5))
    calm = rng.choice(3, p.size, p=[0.35, 0.63, 0.02])  # open issues of sound projects: rarely high
    priority = np.where(closed | troubled, priority, calm)
    priority = np.where(critical, 3, np.where(special | watch, 2, priority))
    owner = people["name"][_member(rng, team, p)].astype(object)
    owner[~closed & ~critical & ~watch & (rng.random(p.size) < 0.1)] = ""
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today).astype(np.int64)
    start = np.maximum(plan["start"].to_numpy()[p], np.where(closed, today - 200, today - 60))
    opened = _raised(rng, np.minimum(start, end - 5), end)
    unreported = critical & (story == "stale_update")  # after the last update, six weeks ago
    opened = _workday(np.where(unreported, today - rng.integers(15, 29, p.size), opened), later=False)
    closed_on = _workday(np.minimum(opened + rng.integers(2, 41, p.size), today), later=False)
    due = opened + np.array([35, 21, 10, 5])[priority]
    kept_up = np.where(troubled, 0.6, np.where(unreported, 0.0, np.where(watch, 1.0, 0.98)))  # share of overdue issues given a new date
    replanned = ~closed & (due < today) & (rng.random(p.size) < kept_up)
    due = _workday(np.where(replanned, today + rng.integers(3, 30, p.size), due), later=True)
    return _frame("issues", {
        "project_id": plan["project_id"].to_numpy()[p],
        "issue_id": _ids("I", j + 1, 2),
        "title": title,
        "priority": np.array(("low", "medium", "high", "critical"), dtype=object)[priority],
        "status": np.where(closed, "closed", "open"),
        "opened_date": opened,
        "owner": owner,
        "closed_date": np.where(closed, closed_on, np.nan),
        "due_date": due,
    })


def _every_status(rng: np.random.Generator, choices: int, size: int, odds: list[float]) -> np.ndarray:
    """Random statuses, the first ``choices`` rows forced to show every one."""
    status = rng.choice(choices, size, p=odds)
    head = min(size, choices)
    status[:head] = rng.permutation(choices)[:head]
    return status


def _changes(rng: np.random.Generator, plan: pd.DataFrame, today: int) -> pd.DataFrame:
    kind = plan["story"].to_numpy()
    counts = np.where(kind == "not_started", 0, rng.integers(0, 4, len(plan)))
    counts = np.where(np.isin(kind, ("over_budget", "late", "closed")), np.maximum(counts, 2), counts)
    p, which, story = _register(rng, plan, counts, list(_CHANGES))
    status = _every_status(rng, 4, p.size, [0.25, 0.35, 0.15, 0.25])
    start = plan["start"].to_numpy()[p]
    end = np.where(story == "closed", plan["work_end"].to_numpy()[p], today - 1).astype(np.int64)
    raised = _workday(_raised(rng, np.minimum(start + 14, end), end), later=False)
    cost = rng.gamma(1.5, 30_000, p.size) * np.where(rng.random(p.size) < 0.15, -0.5, 1.0)
    return _frame("changes", {
        "project_id": plan["project_id"].to_numpy()[p],
        "change_id": _ids("CR-", _within(p) + 1, 2),
        "title": np.array(_CHANGES, dtype=object)[which],
        "status": np.array(("proposed", "approved", "rejected", "implemented"), dtype=object)[status],
        "cost_impact": _round_to(cost, 100),
        "schedule_impact_days": rng.integers(-5, 46, p.size),
        "raised_date": raised,
        "decided_date": np.where(status == 0, np.nan, _workday(np.minimum(raised + rng.integers(3, 31, p.size), today), later=False)),
    })


# ---------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------
def _assignments(rng: np.random.Generator, plan: pd.DataFrame, team: pd.DataFrame, people: dict,
                 today: int) -> pd.DataFrame:
    """Planned hours for 13 weeks before and 13 from the status date's week; actuals for past weeks.

    Each person books a share of their capacity (65-95 %) spread over the
    projects active that week; a few people have a crunch of 3-6 weeks at
    110-135 % of capacity, so the capacity report has something to show.
    """
    monday = today - ((today - 4) % 7)  # day 4 (1970-01-05) was a Monday
    weeks = monday + 7 * np.arange(-13, 13)
    n_people = len(people["id"])
    begin = np.fmin(plan["first_actual"].to_numpy(), plan["start"].to_numpy())
    end = plan["work_end"].to_numpy()
    pair_p, pair_r = team["p"].to_numpy(), team["r"].to_numpy()
    pair_weight = np.where(team["lead"].to_numpy(), 0.6, 1.0) * rng.gamma(2.0, 0.5, len(team))
    row = np.repeat(np.arange(len(team)), weeks.size)
    week = np.tile(np.arange(weeks.size), len(team))
    p = pair_p[row]
    keep = (weeks[week] + 6 >= begin[p]) & (weeks[week] <= end[p])
    row, week, p = row[keep], week[keep], p[keep]
    r = pair_r[row]
    key = r * weeks.size + week
    total = np.bincount(key, pair_weight[row], n_people * weeks.size)

    capacity = people["capacity"]
    load = capacity[:, None] * rng.uniform(0.65, 0.95, n_people)[:, None] * rng.uniform(0.9, 1.1, (n_people, weeks.size))
    crunch = rng.choice(n_people, max(3, round(0.15 * n_people)), replace=False)
    first = rng.integers(0, weeks.size - 5, crunch.size)
    span = (np.arange(weeks.size) >= first[:, None]) & (np.arange(weeks.size) < (first + rng.integers(3, 7, crunch.size))[:, None])
    load[crunch] = np.where(span, capacity[crunch, None] * rng.uniform(1.1, 1.35, (crunch.size, 1)), load[crunch])
    planned = np.maximum(_round_to(load.ravel()[key] * pair_weight[row] / total[key], 0.5), 0.5)
    past = weeks[week] < monday
    actual = np.where(past, _round_to(planned * rng.uniform(0.85, 1.15, planned.size), 0.5), np.nan)
    return _frame("assignments", {
        "project_id": plan["project_id"].to_numpy()[p],
        "resource_id": people["id"][r],
        "week_start": weeks[week],
        "planned_hours": planned,
        "actual_hours": actual,
    })


# ---------------------------------------------------------------------------
# Status updates
# ---------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _say(day: float) -> str:
    """A day number as ``6 Nov 2026`` (month names fixed, not the locale's)."""
    when = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"


def _nearest(updates: pd.DataFrame, tasks: pd.DataFrame, on: str, direction: str) -> pd.DataFrame:
    """For each update, the task of the same project nearest in ``on`` (before or after its date)."""
    found = pd.merge_asof(
        updates.sort_values("d", kind="stable"), tasks.sort_values(on, kind="stable"),
        left_on="d", right_on=on, by="p", direction=direction,
        allow_exact_matches=direction == "backward",
    )
    return found.sort_values("row", kind="stable").reset_index(drop=True)


def _status_updates(rng: np.random.Generator, plan: pd.DataFrame, work: pd.DataFrame, today: int) -> pd.DataFrame:
    """Four fortnightly updates per project, ending on the last Friday on or before the status date."""
    n = len(plan)
    kind = plan["story"].to_numpy()
    friday = today - ((today - 1) % 7)
    ac = plan["ac"].to_numpy()
    cpi = np.where(ac > 0, plan["ev"].to_numpy() / np.where(ac > 0, ac, 1), np.nan)
    schedule_rag, cost_rag = _rag(plan["spi"].to_numpy()), _rag(cpi)
    dimension = np.where(cost_rag > schedule_rag, " cost", " schedule")
    latest = np.maximum(schedule_rag, cost_rag)
    latest = np.where(np.isin(kind, ("watermelon", "closed", "not_started")), 0, latest)
    latest = np.where(kind == "on_hold", np.maximum(latest, 1), latest)  # at least amber, never greener than its numbers
    step = rng.random((n, 4)) < 0.35
    step[:, 0] = False
    rag = np.maximum(latest[:, None] - np.cumsum(step, axis=1), 0)
    rag = np.where((kind == "watermelon")[:, None], 0, rag)[:, ::-1].ravel()  # oldest first

    p = np.repeat(np.arange(n), 4)
    age = np.tile(np.arange(3, -1, -1), n)  # fortnights before the latest
    d = friday - 14 * (age + np.where(kind == "stale_update", 3, 0)[p])
    updates = pd.DataFrame({"p": p, "d": d, "row": np.arange(p.size)})
    # what each update talks about, as known on its date: tasks by actual (else forecast) dates
    milestones = work["milestone"].to_numpy()
    begins = work["actual_start"].fillna(work["forecast_start"]).to_numpy().astype(np.int64)
    ends = work["actual_finish"].fillna(work["forecast_finish"]).to_numpy().astype(np.int64)
    tasks = pd.DataFrame({"p": work["p"], "begins": begins, "ends": ends, "name": work["name"],
                          "milestone": milestones})
    steps = tasks[~milestones]
    first_step = steps.sort_values("begins", kind="stable").groupby("p")["name"].first()
    current = _nearest(updates, steps, "begins", "backward")["name"]
    current = current.fillna(pd.Series(first_step.reindex(p).to_numpy())).to_numpy()
    milestone = _nearest(updates, tasks[milestones], "ends", "forward")["name"].fillna("go-live").to_numpy()
    finished = tasks[work["actual_finish"].notna().to_numpy()]
    recent = _nearest(updates, finished, "ends", "backward")
    upcoming = _nearest(updates, steps, "begins", "forward")

    story = kind[p]
    held = (story == "on_hold") & (d > today - plan["hold_days"].to_numpy()[p])
    pick = rng.integers(0, 6, p.size)
    summary, achievements, next_steps = [], [], []
    for i in range(p.size):
        s = story[i]
        level = _RAG_LEVELS[rag[i]] + (dimension[p[i]] if rag[i] else "")
        fill = {"task": current[i], "milestone": milestone[i]}
        if held[i]:
            text = _LATEST_SUMMARIES["on_hold"]
        elif age[i] == 0 and s in _LATEST_SUMMARIES:
            text = _LATEST_SUMMARIES[s]
        elif s == "closed":
            text = "Hypercare complete; the closure report is with the sponsor for approval."
        elif s == "not_started":
            text = "Initiation: business case approved and the project team being recruited."
        else:
            text = _SUMMARIES[level][pick[i] % len(_SUMMARIES[level])]
        summary.append(text.format(**fill))
        if s == "not_started":
            achievements.append("Charter signed off; team members confirmed with their line managers.")
        elif held[i]:
            achievements.append("No delivery work this period: the project is paused.")
        elif s == "closed" and age[i] < 3:
            achievements.append("Lessons-learned workshop held; final supplier invoices paid.")
        elif pd.notna(recent["ends"][i]) and recent["ends"][i] > d[i] - 14:
            verb = "Reached the milestone" if recent["milestone"][i] else "Completed"
            achievements.append(f"{verb} {recent['name'][i]} on {_say(recent['ends'][i])}.")
        else:
            achievements.append(f"Good progress on {current[i]}.")
        if held[i]:
            next_steps.append("Await the funding decision; a restart plan is ready within two weeks of approval.")
        elif pd.notna(upcoming["begins"][i]):
            next_steps.append(f"Start {upcoming['name'][i]} (planned {_say(upcoming['begins'][i])}).")
        elif s == "closed":
            next_steps.append("Track benefits with the business owner for six months.")
        else:
            next_steps.append(f"Finish {current[i]} and prepare for {milestone[i]}.")
    return _frame("status_updates", {
        "project_id": plan["project_id"].to_numpy()[p],
        "status_date": d,
        "summary": summary,
        "achievements": achievements,
        "next_steps": next_steps,
        "manager_rag": np.array(_RAG_LEVELS, dtype=object)[rag],
    })


# ---------------------------------------------------------------------------
# Demand
# ---------------------------------------------------------------------------
def _demand(rng: np.random.Generator, projects: int, today: int) -> pd.DataFrame:
    count = max(15, round(0.625 * projects))
    order = np.resize(rng.permutation(len(_DEMAND)), count)
    wave = np.arange(count) // len(_DEMAND)
    sponsors = np.array(sorted({s for pair in _SPONSORS for s in pair}), dtype=object)
    cost = _round_to(np.exp(rng.uniform(np.log(40_000), np.log(2_500_000), count)), 1000)
    submitted = _workday(today - rng.integers(5, 300, count), later=False)
    status = _every_status(rng, 4, count, [0.4, 0.25, 0.15, 0.2])
    rank = np.argsort(submitted, kind="stable")
    frame = {
        "request_id": _ids("DR-", np.arange(1, count + 1), max(3, len(str(count)))),
        "title": [_DEMAND[o][0] + (f" – phase {w + 1}" if w else "") for o, w in zip(order[rank], wave[rank])],
        "sponsor": sponsors[rng.integers(0, len(sponsors), count)],
        "estimated_cost": cost[rank],
        "expected_benefit": _round_to(cost * rng.uniform(0.5, 3.5, count), 1000)[rank],
        "strategic_alignment": rng.integers(1, 6, count),
        "risk_level": rng.integers(1, 6, count),
        "status": np.array(("submitted", "approved", "rejected", "deferred"), dtype=object)[status[rank]],
        "submitted_date": submitted[rank],
        "description": [_DEMAND[o][1] for o in order[rank]],
    }
    return _frame("demand", frame)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _csv_column(values: pd.Series) -> pd.Series | np.ndarray:
    """One column as the text the CSV holds (missing values as empty cells)."""
    if pd.api.types.is_bool_dtype(values):
        return np.where(values.to_numpy(), "true", "false")
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.to_numpy().astype("datetime64[D]").astype(str)
        return np.where(values.isna().to_numpy(), "", text)
    if pd.api.types.is_float_dtype(values):
        number = np.round(values.to_numpy(dtype=float), 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        text = number.astype(str)
        big = np.abs(np.nan_to_num(number)) >= 1e15  # numpy would switch to 1e+16 notation
        text[big] = [f"{x:.2f}" for x in number[big]]
        return np.where(np.isnan(number), "", text)
    return values.astype(object).where(values.notna(), "")


def write_portfolio(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``<table>.csv`` in ``out_dir``, atomically.

    Files are UTF-8 with a header row, comma separated, ``\\n`` line ends,
    fields quoted only where they hold a comma, quote or line break. Dates are
    ``YYYY-MM-DD``, booleans ``true``/``false``, numbers plain decimals rounded
    to 2 places (``1250.5``, never ``1.2505e+03``), missing values empty.
    Each file goes to a temporary file in ``out_dir`` first, then replaces the
    old one, so a reader never sees half a file. Other files in ``out_dir``
    are left alone.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables by name, as :func:`generate_portfolio` returns them.
    out_dir : str or pathlib.Path
        Folder to write (created if missing).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``tables``.

    Examples
    --------
    >>> import datetime, tempfile
    >>> tables = generate_portfolio(projects=1, seed=3, status_date=datetime.date(2026, 11, 20))
    >>> paths = write_portfolio(tables, tempfile.mkdtemp())
    >>> [p.name for p in paths][:3]
    ['projects.csv', 'tasks.csv', 'costs.csv']
    >>> paths[1].read_text(encoding="utf-8").splitlines()[0]
    'project_id,task_id,name,baseline_start,baseline_finish,percent_complete,budget,is_milestone,forecast_start,forecast_finish,actual_start,actual_finish,owner'
    """
    folder = Path(out_dir)
    written = []
    for name, frame in tables.items():
        text_frame = pd.DataFrame({column: _csv_column(frame[column]) for column in frame.columns},
                                  columns=list(frame.columns), dtype=object)
        text = text_frame.to_csv(index=False, lineterminator="\n")
        written.append(write_text(folder / f"{name}.csv", text))
    return written
