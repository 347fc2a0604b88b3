"""The world the cast (testkit/cast.py) works in: one builder for the tests' fixtures,
the fault and load programs (tools/reliability/) and bench. Bench's rows by the million
are generated in SQL by bench/data.py, on top of the users, token and endpoint made here.

- The indicator every world tracks: attacks on civilians, warning at 10, critical at 25.
- Alerting, through the services as a manager would set it up: a one-step in-app ladder,
  the threshold rule over it, a webhook endpoint for a receiver (testkit/receiver.py).
- Situations opened by a desk officer through the services, the indicator tracked,
  optionally assigned to a government that then owns actions on them; a joint action
  agreed with its partners invited.
- Access for scripts: an API token, a signed-in session.
- An alert written straight to its table, as the evaluation would leave it.
- The sharing world of the authorization matrix: four situations, one for each way a
  liaison may or may not see one.

Needs Django set up: the scripts import it after django.setup().
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from alerts import services as alert_services
from alerts.choices import Channel, Scope, StepTarget, Trigger
from coordination import commitments, services
from coordination.choices import ActionKind, ActionStatus, Marking, PartnerRole
from coordination.models import ActionUpdate
from coordination.readings import indicator_track
from testkit import cast
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    IndicatorFactory,
    ReadingFactory,
    SituationFactory,
    TrackedIndicatorFactory,
)
from testkit.receiver import SECRET


def attacks_indicator():
    return IndicatorFactory(code="fa-11-civilian-attacks", name="Attacks on civilians (30 days)", risk_factor=11,
                            warning_threshold=10, critical_threshold=25)


# --- Alerting ------------------------------------------------------------------------


def in_app_ladder(manager, *, name: str = "In-app ladder", wait_minutes: int = 600):
    """One step: the situation's desk officers, in the app only, so no mail server is
    needed; the wait is long enough that no second step comes during a run."""
    return alert_services.policy_create(actor=manager, name=name, steps=[
        {"targets": [StepTarget.DESK_OFFICERS], "channels": [Channel.IN_APP], "wait_minutes": wait_minutes}])


def threshold_rule(manager, policy, *, cooldown_minutes: int = 60):
    """An alert when any tracked indicator of any situation reaches its warning line."""
    return alert_services.rule_create(actor=manager, name="Over threshold", trigger=Trigger.THRESHOLD_CROSSED,
                                      params={"min_level": "warning"}, policy=policy, scope=Scope.ALL,
                                      cooldown_minutes=cooldown_minutes)


def webhook_endpoint(manager, url: str, *, name: str | None = None, owner_government=None, active: bool = True):
    """Owned by the manager, or by a government when one is given; signed with SECRET,
    which the receivers verify."""
    return alert_services.webhook_endpoint_create(
        actor=manager, name=name or f"Hook {url}", url=url, secret=SECRET,
        owner_user=None if owner_government else manager, owner_government=owner_government, active=active)


# --- Situations and actions -----------------------------------------------------------


def open_situations(desk_officer, indicator, titles, *, government=None) -> list:
    """One situation per title, led by the desk officer, tracking the indicator; with
    `government`, assigned to it as lead."""
    opened = []
    for title in titles:
        situation = services.situation_open(actor=desk_officer, title=title, country_code="XA",
                                            lead_officer=desk_officer)
        indicator_track(actor=desk_officer, situation=situation, indicator=indicator)
        if government is not None:
            services.assignment_create(actor=desk_officer, situation=situation, government=government,
                                       role=PartnerRole.LEAD)
        opened.append(situation)
    return opened


def propose_action(desk_officer, situation, title: str, *, government, due_in_days: int):
    return services.action_propose(actor=desk_officer, situation=situation, title=title, kind=ActionKind.values[0],
                                   owner_government=government,
                                   due_date=timezone.now().date() + dt.timedelta(days=due_in_days))


def agreed_joint_action(desk_officer, situation, *, lead, partners: dict, title: str = "Joint démarche on detentions",
                        due_in_days: int = 8, partner_role: str = PartnerRole.SUPPORT):
    """A joint démarche led by `lead` on `situation`, each government of `partners`
    ({government: its liaisons}) assigned and invited, agreed by the desk: where tests
    about the commitments start, rather than about proposing."""
    for government, liaisons in partners.items():
        AssignmentFactory(situation=situation, government=government, role=partner_role, liaisons=liaisons)
    action = commitments.joint_action_propose(
        actor=desk_officer, situation=situation, title=title, kind=ActionKind.DEMARCHE, owner_government=lead,
        due_date=timezone.now().date() + dt.timedelta(days=due_in_days), partners=list(partners))
    return services.action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)


# --- Access for scripts ------------------------------------------------------------------


def api_token(user) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user)[1]


def session_key(user) -> str:
    """The sessionid cookie of `user` signed in, without going through the login form."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


# --- Alerts --------------------------------------------------------------------------


def open_escalation(rule, situation, title: str, *, policy_frozen: bool = False):
    """An open critical escalation holding one condition called `title`; `policy_frozen`
    gives it its rule's policy as the evaluation does, so that it can escalate."""
    from alerts.models import Alert, AlertGroup
    from alerts.snapshots import PolicySnapshot

    now = timezone.now()
    group = AlertGroup.objects.create(
        situation=situation, severity="critical", policy_rule=rule, opened_at=now, last_seen=now,
        policy_snapshot=PolicySnapshot.of(rule.policy).as_json() if policy_frozen else {})
    Alert.objects.create(group=group, rule=rule, situation=situation, dedup_key=f"test:{situation.pk}:{title}",
                         severity="critical", title=title, evidence_at=now, first_seen=now, last_seen=now)
    return group


# --- The sharing world --------------------------------------------------------------------

# Its roles, each played by a member of the cast.
SHARING_ROLES = {
    "desk_officer": "desk_officer",
    "manager": "manager",
    "admin": "admin_user",
    "liaison_assigned": "liaison",  # support on AMBER, lead on STRICT, named on RED
    "liaison_unassigned": "lonely_liaison",
    "liaison_observer_on_strict": "observer_liaison",  # observer: AMBER yes, AMBER+STRICT no
    "liaison_not_named_on_red": "red_liaison",  # assigned to RED, but not named
}
# situation → marking, [(government, partner role, liaison's role)], owner of its action;
# the foreign situation's liaison is the other government's, who plays no role here.
SHARING_PLAN = {
    "shared": (Marking.AMBER, [("home", PartnerRole.SUPPORT, "liaison_assigned"),
                               ("observer", PartnerRole.OBSERVER, "liaison_observer_on_strict"),
                               ("red", PartnerRole.SUPPORT, "liaison_not_named_on_red")], "home"),
    "foreign": (Marking.AMBER, [("other", PartnerRole.LEAD, None)], "other"),
    "strict": (Marking.AMBER_STRICT, [("home", PartnerRole.LEAD, "liaison_assigned"),
                                      ("observer", PartnerRole.OBSERVER, "liaison_observer_on_strict")], "home"),
    "red": (Marking.RED, [("home", PartnerRole.SUPPORT, "liaison_assigned"),
                          ("red", PartnerRole.SUPPORT, "liaison_not_named_on_red")], "home"),
}


@dataclass
class SharingWorld:
    users: dict = field(default_factory=dict)  # by role
    situations: dict = field(default_factory=dict)  # by key of SHARING_PLAN, as are the next two
    actions: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)  # each situation's first
    governments: dict = field(default_factory=dict)
    indicator: object = None
    tokens: dict = field(default_factory=dict)  # by role

    def marker(self, key):
        """Written in every text field of situation `key` and what hangs off it."""
        return f"SECRET-{key.upper()}"


def sharing_world() -> SharingWorld:
    w = SharingWorld()
    w.governments = {key: cast.government(key) for key in cast.GOVERNMENTS}
    w.users = {role: cast.user(member) for role, member in SHARING_ROLES.items()}
    other_liaison = cast.user("other_liaison")
    w.indicator = IndicatorFactory(code="m-indicator")
    for key, (marking, assigned, owner) in SHARING_PLAN.items():
        secret = w.marker(key)
        situation = SituationFactory(title=f"Situation {secret}", summary=secret, area=secret, marking=marking,
                                     lead_officer=w.users["desk_officer"])
        w.situations[key] = situation
        first = None
        for gov_key, role, liaison_role in assigned:
            liaison = w.users[liaison_role] if liaison_role else other_liaison
            made = AssignmentFactory(situation=situation, government=w.governments[gov_key], role=role,
                                     liaisons=[liaison])
            first = first or made
        w.assignments[key] = first
        if marking == Marking.RED:
            situation.named_liaisons.set([w.users["liaison_assigned"]])
        TrackedIndicatorFactory(situation=situation, indicator=w.indicator)
        ReadingFactory(situation=situation, indicator=w.indicator, source=f"source {secret}")
        action = ActionFactory(situation=situation, owner_government=w.governments[owner], title=f"Action {secret}",
                               description=secret)
        ActionUpdate.objects.create(action=action, author=w.users["desk_officer"], old_status="proposed",
                                    new_status="proposed", note=f"note {secret}")
        w.actions[key] = action
    from knox.models import AuthToken

    w.tokens = {role: AuthToken.objects.create(user=user)[0] for role, user in w.users.items()}
    return w
