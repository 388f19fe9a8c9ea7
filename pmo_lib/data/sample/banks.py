"""The sample's stories and text banks: fictional company, projects, people, registers and status text."""

from __future__ import annotations

import numpy as np

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


