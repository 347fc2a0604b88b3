"""The fictional world the demo command builds: who, where, what is watched, what is agreed.

Every state, organisation, place and group here is invented. Countries use ISO 3166
user-assigned codes (XA–XZ) and partners three-letter codes starting with X, so that no
demo row reads as a claim about a real country. Data only; the builder is
commands/demo_data.py.
"""
from accounts.models import Role
from coordination.choices import (
    ActionKind,
    ActionStatus,
    Direction,
    Marking,
    PartnerRole,
    Priority,
    RiskLevel,
    RiskWindowKind,
    SituationOutcome,
    SituationStatus,
    ValueKind,
)

# Fixed so that every run on every machine builds the same series and the same names.
SEED = 2014  # the year of the UN Framework of Analysis for Atrocity Crimes

# Known on purpose: the run command prints it beside each login. A demo database only.
DEMO_PASSWORD = "concert-demo-2014"

WEEKS_OF_READINGS = 26
# The first weeks were gathered before the situation was opened in Concert and recorded
# on its first day; the escalation engine lives through the rest (demo/history.py).
BACKFILLED_WEEKS = 12

# code, name, kind
GOVERNMENTS = [
    ("XAL", "Republic of Aldoria", "state"),
    ("XBV", "Kingdom of Brevania", "state"),
    ("XCD", "Federal Republic of Cendria", "state"),
    ("XDM", "Commonwealth of Dalmerre", "state"),
    ("XEV", "Republic of Evland", "state"),
    ("XFN", "Grand Duchy of Fennmark", "state"),
    ("XCU", "Concord Union", "organisation"),
    ("XLP", "Lakes Partnership for Peace", "organisation"),
]

# username, first name, last name, role, government code (liaisons only)
STAFF_USERS = [
    ("admin", "Ada", "Admin", Role.ADMIN),
    ("manager", "Mira", "Okonkwo-Lind", Role.MANAGER),
    ("manager2", "Tomas", "Reyvald", Role.MANAGER),
    ("desk", "Dana", "Ferreira", Role.DESK_OFFICER),
    ("desk2", "Yusuf", "Halloran", Role.DESK_OFFICER),
    ("desk3", "Ines", "Marchetti", Role.DESK_OFFICER),
]
# One liaison per partner: "liaison-<code in lower case>".
LIAISON_NAMES = {
    "XAL": ("Petra", "Novakova"),
    "XBV": ("Hugo", "Barrington"),
    "XCD": ("Lena", "Castellan"),
    "XDM": ("Samir", "Dalrymple"),
    "XEV": ("Oona", "Everts"),
    "XFN": ("Karl", "Fennby"),
    "XCU": ("Amara", "Conteh"),
    "XLP": ("Rui", "Lakatos"),
}

# code, name, framework ref, risk factor, value kind, unit, direction, warning, critical, description
INDICATORS = [
    ("fa-7-4-arms-acquisition", "Acquisition of large quantities of arms", "7.4", 7, ValueKind.ORDINAL, "",
     Direction.HIGHER_IS_WORSE, 2, 3, "Purchases or transfers of arms beyond what security needs explain."),
    ("fa-7-5-militias", "Creation of or support to militias", "7.5", 7, ValueKind.ORDINAL, "",
     Direction.HIGHER_IS_WORSE, 2, 3, "Armed groups formed, armed or tolerated outside the regular forces."),
    ("fa-7-6-communication-control", "Strict control of communication channels", "7.6", 7, ValueKind.BOOLEAN, "",
     Direction.HIGHER_IS_WORSE, 1, None, "Internet or telephone shutdowns, banned outlets, jammed broadcasts."),
    ("fa-7-7-expulsion-ngos-media", "Expulsion of NGOs, international organisations or media", "7.7", 7,
     ValueKind.BOOLEAN, "", Direction.HIGHER_IS_WORSE, 1, 1, "Observers and aid workers ordered out or refused visas."),
    ("fa-7-10-forced-displacement", "People forcibly displaced or moved to camps (30 days)", "7.10", 7,
     ValueKind.NUMERIC, "people", Direction.HIGHER_IS_WORSE, 5000, 20000,
     "Newly displaced people reported over the previous 30 days."),
    ("fa-8-1-security-deployment", "Sudden deployment of security forces", "8.1", 8, ValueKind.BOOLEAN, "",
     Direction.HIGHER_IS_WORSE, 1, None, "Troops or police moved into an area without a stated, lawful reason."),
    ("fa-8-7-hate-propaganda", "Acts of incitement or hate propaganda", "8.7", 8, ValueKind.ORDINAL, "",
     Direction.HIGHER_IS_WORSE, 2, 3, "Speech by officials or media that dehumanises a group."),
    ("fa-9-2-denial-protected-groups", "Denial of the existence of protected groups", "9.2", 9, ValueKind.ORDINAL,
     "", Direction.HIGHER_IS_WORSE, 2, 3, "Official refusal to recognise a group's identity, language or history."),
    ("fa-11-civilian-attacks-30d", "Attacks on civilians (last 30 days)", "", 11, ValueKind.NUMERIC, "events",
     Direction.HIGHER_IS_WORSE, 10, 25, "Reported events of violence against civilians over the previous 30 days."),
    ("fa-13-8-humanitarian-access", "Humanitarian movements permitted", "13.8", 13, ValueKind.NUMERIC, "%",
     Direction.LOWER_IS_WORSE, 60, 30,
     "Share of requested humanitarian movements that were allowed; impeded access drives it down."),
]

# How grave each risk level reads on a 0–1 scale: where a situation's series ends.
SEVERITY = {
    RiskLevel.LOW: 0.15,
    RiskLevel.MODERATE: 0.35,
    RiskLevel.HIGH: 0.62,
    RiskLevel.VERY_HIGH: 0.8,
    RiskLevel.CRITICAL: 0.96,
}

ATTACKS = "fa-11-civilian-attacks-30d"

# Each situation: country code and name, title, area, summary, status, risk, marking,
# lead desk officer, partners [(code, role)], indicators watched (attacks always),
# optional per-situation thresholds {code: (warning, critical)}, how many days after the
# first warning the partners agreed their first action (None: nothing agreed since; the
# gap stays open), and actions [(title, kind, owner code, status, due in days from
# today, priority)].
SITUATIONS = [
    {
        "country": ("XA", "Orvenia"), "title": "Orvenia: displacement in the northern highlands",
        "area": "Highland provinces", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.CRITICAL, "marking": Marking.RED, "officer": "desk",
        "summary": "Villages of the Tarn minority emptied after militia raids; camps are closed to observers.",
        "partners": [("XAL", PartnerRole.LEAD), ("XCU", PartnerRole.SUPPORT), ("XFN", PartnerRole.OBSERVER)],
        "indicators": ["fa-7-5-militias", "fa-7-10-forced-displacement", "fa-13-8-humanitarian-access",
                       "fa-7-7-expulsion-ngos-media"],
        "response_days": 2,
        "actions": [
            ("Joint démarche to the Orvenian interior ministry", ActionKind.DEMARCHE, "XAL",
             ActionStatus.IN_PROGRESS, -4, Priority.URGENT),
            ("Fund protection monitors in the highland camps", ActionKind.PROTECTION_SUPPORT, "XCU",
             ActionStatus.AGREED, 3, Priority.HIGH),
            ("Request an urgent Security Council briefing", ActionKind.OTHER, "XAL",
             ActionStatus.PROPOSED, 2, Priority.URGENT),
        ],
    },
    {
        "country": ("XB", "Kastrel"), "title": "Kastrel: militia build-up along the river border",
        "area": "Lower Vess valley", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.VERY_HIGH, "marking": Marking.AMBER_STRICT, "officer": "desk2",
        "summary": "Irregular units armed from state stocks gather near border villages of a religious minority.",
        "partners": [("XBV", PartnerRole.LEAD), ("XDM", PartnerRole.SUPPORT), ("XLP", PartnerRole.OBSERVER)],
        "indicators": ["fa-7-4-arms-acquisition", "fa-7-5-militias", "fa-8-1-security-deployment"],
        "response_days": 9,
        "actions": [
            ("Suspend export licences for small arms to Kastrel", ActionKind.TARGETED_SANCTIONS, "XBV",
             ActionStatus.BLOCKED, -10, Priority.HIGH),
            ("Appoint a special envoy for the Vess valley", ActionKind.ENVOY_OR_MEDIATION, "XDM",
             ActionStatus.IN_PROGRESS, 12, Priority.NORMAL),
        ],
    },
    {
        "country": ("XC", "Valdoran"), "title": "Valdoran: hate propaganda before the census",
        "area": "Capital district and the eastern provinces", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.HIGH, "marking": Marking.AMBER, "officer": "desk",
        "summary": "State broadcasters describe the Ossari community as foreign; the census drops their language.",
        "partners": [("XCD", PartnerRole.LEAD), ("XEV", PartnerRole.SUPPORT), ("XCU", PartnerRole.OBSERVER)],
        "indicators": ["fa-8-7-hate-propaganda", "fa-9-2-denial-protected-groups", "fa-7-6-communication-control"],
        "response_days": 1,
        "actions": [
            ("Joint public statement on the census", ActionKind.PUBLIC_STATEMENT, "XCD",
             ActionStatus.COMPLETED, -20, Priority.NORMAL),
            ("Private warning to the broadcasting authority", ActionKind.DEMARCHE, "XEV",
             ActionStatus.AGREED, 6, Priority.HIGH),
            ("Fund documentation of broadcast incitement", ActionKind.ACCOUNTABILITY_REFERRAL, "XCD",
             ActionStatus.PROPOSED, 30, Priority.NORMAL),
        ],
    },
    {
        "country": ("XD", "Sunmere"), "title": "Sunmere: aid agencies expelled from the delta",
        "area": "Sunmere delta", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.CRITICAL, "marking": Marking.AMBER, "officer": "desk3",
        "summary": "Three relief agencies ordered out within a week; convoys to the delta turned back.",
        "partners": [("XDM", PartnerRole.LEAD), ("XLP", PartnerRole.SUPPORT), ("XAL", PartnerRole.SUPPORT),
                     ("XBV", PartnerRole.OBSERVER)],
        "indicators": ["fa-7-7-expulsion-ngos-media", "fa-13-8-humanitarian-access", "fa-7-10-forced-displacement"],
        "thresholds": {"fa-13-8-humanitarian-access": (70, 40)},
        "response_days": 24,
        "actions": [
            ("Negotiate humanitarian access to the delta", ActionKind.PROTECTION_SUPPORT, "XLP",
             ActionStatus.IN_PROGRESS, -2, Priority.URGENT),
            ("Condition budget support on access for relief agencies", ActionKind.AID_CONDITIONALITY, "XDM",
             ActionStatus.PROPOSED, -6, Priority.HIGH),
            ("Consular evacuation planning for aid staff", ActionKind.OTHER, "XAL",
             ActionStatus.COMPLETED, -15, Priority.HIGH),
        ],
    },
    {
        "country": ("XE", "Ildavia"), "title": "Ildavia: curfews and a communication blackout in the east",
        "area": "Eastern marches", "status": SituationStatus.MONITORING,
        "risk": RiskLevel.HIGH, "marking": Marking.GREEN, "officer": "desk2",
        "summary": "Mobile networks cut for a fortnight after protests; night curfews only in minority towns.",
        "partners": [("XEV", PartnerRole.LEAD), ("XFN", PartnerRole.SUPPORT)],
        "indicators": ["fa-7-6-communication-control", "fa-8-1-security-deployment", "fa-8-7-hate-propaganda"],
        "response_days": 5,
        "actions": [
            ("High-level call to the Ildavian prime minister", ActionKind.DEMARCHE, "XEV",
             ActionStatus.AGREED, 4, Priority.HIGH),
            ("Support independent monitoring of the blackout", ActionKind.MONITORING_MISSION, "XFN",
             ActionStatus.CANCELLED, 10, Priority.LOW),
        ],
    },
    {
        "country": ("XF", "Brannock"), "title": "Brannock: denial of the Tarvi minority",
        "area": "Western uplands", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.VERY_HIGH, "marking": Marking.RED, "officer": "desk3",
        "summary": "A new law erases the Tarvi from the register; leaders call them a security threat.",
        "partners": [("XFN", PartnerRole.LEAD), ("XCD", PartnerRole.SUPPORT), ("XEV", PartnerRole.OBSERVER)],
        "indicators": ["fa-9-2-denial-protected-groups", "fa-8-7-hate-propaganda", "fa-7-5-militias"],
        "response_days": 33,
        "actions": [
            ("Human Rights Council special session request", ActionKind.ACCOUNTABILITY_REFERRAL, "XFN",
             ActionStatus.AGREED, -1, Priority.URGENT),
            ("Visa restrictions on the law's authors", ActionKind.TARGETED_SANCTIONS, "XCD",
             ActionStatus.PROPOSED, 5, Priority.HIGH),
        ],
    },
    {
        "country": ("XG", "Pellmoor"), "title": "Pellmoor: arms purchases by the interior ministry",
        "area": "National", "status": SituationStatus.MONITORING,
        "risk": RiskLevel.MODERATE, "marking": Marking.CLEAR, "officer": "desk",
        "summary": "Large orders of riot gear and rifles ahead of contested regional elections.",
        "partners": [("XBV", PartnerRole.LEAD), ("XCU", PartnerRole.OBSERVER)],
        "indicators": ["fa-7-4-arms-acquisition", "fa-8-1-security-deployment"],
        "response_days": None,
        "actions": [
            ("Ask suppliers to pause deliveries to Pellmoor", ActionKind.DEMARCHE, "XBV",
             ActionStatus.PROPOSED, 21, Priority.NORMAL),
        ],
    },
    {
        "country": ("XH", "Quenara"), "title": "Quenara: returns after the ceasefire",
        "area": "Southern lakes", "status": SituationStatus.DE_ESCALATING,
        "risk": RiskLevel.LOW, "marking": Marking.GREEN, "officer": "desk2",
        "summary": "Displaced families return under the ceasefire; incidents are falling month on month.",
        "partners": [("XLP", PartnerRole.LEAD), ("XAL", PartnerRole.SUPPORT), ("XDM", PartnerRole.OBSERVER)],
        "indicators": ["fa-7-10-forced-displacement", "fa-13-8-humanitarian-access"],
        "de_escalating": True,
        "response_days": 3,
        "actions": [
            ("Mediation support for the ceasefire commission", ActionKind.ENVOY_OR_MEDIATION, "XLP",
             ActionStatus.COMPLETED, -30, Priority.NORMAL),
            ("Fund the returns monitoring mission", ActionKind.MONITORING_MISSION, "XAL",
             ActionStatus.IN_PROGRESS, 40, Priority.NORMAL),
        ],
    },
    {
        "country": ("XJ", "Teskavar"), "title": "Teskavar: humanitarian access in the southern provinces",
        "area": "Southern provinces", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.HIGH, "marking": Marking.AMBER_STRICT, "officer": "desk3",
        "summary": "Checkpoints hold convoys for days; two aid workers detained without charge.",
        "partners": [("XCU", PartnerRole.LEAD), ("XEV", PartnerRole.SUPPORT), ("XBV", PartnerRole.OBSERVER)],
        "indicators": ["fa-13-8-humanitarian-access", "fa-7-7-expulsion-ngos-media", "fa-8-1-security-deployment"],
        "response_days": 15,
        "actions": [
            ("Joint démarche on the detained aid workers", ActionKind.DEMARCHE, "XCU",
             ActionStatus.BLOCKED, 1, Priority.URGENT),
            ("Redirect aid through partner agencies", ActionKind.AID_CONDITIONALITY, "XEV",
             ActionStatus.AGREED, -8, Priority.NORMAL),
        ],
    },
    {
        "country": ("XK", "Myrelle"), "title": "Myrelle: tensions around the Harvest Day commemorations",
        "area": "Old city", "status": SituationStatus.MONITORING,
        "risk": RiskLevel.MODERATE, "marking": Marking.AMBER, "officer": "desk",
        "summary": "The anniversary of past massacres approaches; rival marches announced for the same day.",
        "partners": [("XDM", PartnerRole.LEAD), ("XFN", PartnerRole.SUPPORT)],
        "indicators": ["fa-8-7-hate-propaganda", "fa-8-1-security-deployment"],
        # kind, title, event day counted from the situation's first day, days before and
        # after, threshold shift %, wait factor, indicators on heightened watch (none: all)
        "risk_windows": [
            (RiskWindowKind.COMMEMORATION, "Harvest Day commemorations", 10, 14, 3, 25, 0.5,
             ["fa-8-7-hate-propaganda"]),
        ],
        "response_days": None,
        "actions": [
            ("Public statement urging restraint", ActionKind.PUBLIC_STATEMENT, "XDM",
             ActionStatus.PROPOSED, 7, Priority.NORMAL),
            ("Observers at the commemorations", ActionKind.MONITORING_MISSION, "XFN",
             ActionStatus.CANCELLED, -3, Priority.LOW),
        ],
    },
    {
        "country": ("XL", "Corvale"), "title": "Corvale: land dispute on the plateau (settled)",
        "area": "Corvale plateau", "status": SituationStatus.DE_ESCALATING,
        "risk": RiskLevel.LOW, "marking": Marking.CLEAR, "officer": "desk2",
        "summary": "A mediated agreement settled grazing rights; no incidents since the spring.",
        "partners": [("XEV", PartnerRole.LEAD), ("XLP", PartnerRole.OBSERVER)],
        "indicators": ["fa-8-7-hate-propaganda"],
        "de_escalating": True,
        # Closed once its actions are done, as a desk would: with what became of it.
        "closed": (SituationOutcome.RISK_RECEDED, "The grazing agreement holds; the partners stood down."),
        "response_days": 6,
        "actions": [
            ("Mediation between the plateau councils", ActionKind.ENVOY_OR_MEDIATION, "XEV",
             ActionStatus.COMPLETED, -60, Priority.NORMAL),
        ],
    },
    {
        "country": ("XM", "Dravosk"), "title": "Dravosk: security forces deployed to the capital region",
        "area": "Capital region", "status": SituationStatus.ACTIVE,
        "risk": RiskLevel.CRITICAL, "marking": Marking.AMBER_STRICT, "officer": "desk3",
        "summary": "Armoured units moved into opposition districts; lists of community leaders circulate.",
        "partners": [("XCD", PartnerRole.LEAD), ("XAL", PartnerRole.SUPPORT), ("XCU", PartnerRole.SUPPORT),
                     ("XDM", PartnerRole.OBSERVER)],
        "indicators": ["fa-8-1-security-deployment", "fa-7-6-communication-control", "fa-7-5-militias",
                       "fa-7-4-arms-acquisition"],
        "response_days": 0.5,
        "actions": [
            ("Summon the Dravosk ambassador", ActionKind.DEMARCHE, "XCD",
             ActionStatus.COMPLETED, -5, Priority.URGENT),
            ("Asset freeze on the commanders named in the lists", ActionKind.TARGETED_SANCTIONS, "XAL",
             ActionStatus.IN_PROGRESS, -12, Priority.URGENT),
            ("Evidence preservation for a future inquiry", ActionKind.ACCOUNTABILITY_REFERRAL, "XCU",
             ActionStatus.AGREED, 14, Priority.HIGH),
        ],
    },
]

# The path each final status is reached by, through the workflow in docs/DESIGN.md.
STATUS_PATHS = {
    ActionStatus.PROPOSED: [],
    ActionStatus.AGREED: [ActionStatus.AGREED],
    ActionStatus.IN_PROGRESS: [ActionStatus.AGREED, ActionStatus.IN_PROGRESS],
    ActionStatus.BLOCKED: [ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED],
    ActionStatus.COMPLETED: [ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED],
    ActionStatus.CANCELLED: [ActionStatus.AGREED, ActionStatus.CANCELLED],
}

TRANSITION_NOTES = {
    ActionStatus.AGREED: "Agreed at the weekly coordination call.",
    ActionStatus.IN_PROGRESS: "Work started; first contacts made.",
    ActionStatus.BLOCKED: "Waiting for the counterpart to accept a meeting.",
    ActionStatus.COMPLETED: "Done; outcome shared with the partners.",
    ActionStatus.CANCELLED: "Overtaken by events; partners agreed to drop it.",
}

# --- The past (demo/history.py) ----------------------------------------------------------

# When each completed action was done, in days from its due date: on time (0 or less)
# or late, so that burden-sharing shows both.
COMPLETED_DAYS_FROM_DUE = {
    "Joint public statement on the census": -3,
    "Consular evacuation planning for aid staff": 4,
    "Mediation support for the ceasefire commission": -9,
    "Mediation between the plateau councils": 6,
    "Summon the Dravosk ambassador": 0,
}

# Where a closed situation was closed: weeks before the demo's present.
CLOSED_WEEKS_AGO = 4

# What the demo people write on an escalation's timeline.
ESCALATION_NOTES = {
    "acknowledge": [
        "Seen. Calling the lead partner's liaison now.",
        "On it; checking the reading with the field office.",
        "Acknowledged; raising it at today's coordination call.",
        "Taking this one; the source is being verified.",
    ],
    "progress": [
        "Spoke to the liaisons: a joint démarche is being drafted.",
        "Field office confirms the figures; partners briefed.",
        "Second source agrees. Options paper circulated to the partners.",
        "Lead partner has asked for a meeting with the ministry.",
    ],
    "snooze": [
        "Waiting for the partners' field assessment before acting.",
        "The envoy reports back early next week; pausing until then.",
    ],
    "resolve": [
        "Partners agreed a response; the desk keeps monitoring.",
        "Handled through the action agreed at the coordination call.",
        "Verified and answered; nothing further for now.",
        "Raised with the counterpart; follow-up tracked as an action.",
    ],
    "again": [
        "Picked up again after the snooze; still holding.",
        "Back on the desk; following up with the partners.",
    ],
}

PROGRESS_NOTES = [
    "Met the counterpart; a second meeting is set.",
    "Draft shared with the partners for comments.",
    "Contacts made at working level; waiting for an answer.",
    "Partners reviewed progress at the weekly call.",
]
