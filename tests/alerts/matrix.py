"""How the escalation engine's routes enter tests/api/test_authorization_matrix.py.

The matrix walks every /api/v1/ route; these hooks say what the alert routes' ids point
at and who may do what, following alerts/services.py:
- escalations (alert groups): scoped by their situation (404 out of scope); staff
  acknowledge and add notes, managers snooze, resolve, reassign and escalate (desk
  officers and liaisons: 403); the bulk action validates its body first;
- conditions (alerts): read-only, scoped by their situation;
- notifications: one's own in-app notifications only; everyone may mark them read;
- rules, policies, webhook endpoints: staff read them, liaisons see none (404 on a
  detail), managers write (everyone else: 403).
"""
from accounts.models import Role
from alerts.choices import Channel, NotificationStatus, Trigger
from alerts.models import Alert, AlertGroup, EscalationPolicy, EscalationRule, Notification, WebhookEndpoint

DEFAULT = object()  # "let the matrix's general rule decide"
KINDS = {"alertgroup", "alert", "notification", "rule", "policy", "webhook"}
CONFIG = {"rule", "policy", "webhook"}
MANAGERS = {"manager", "admin"}
STAFF = {"desk_officer", "manager", "admin"}


def _prefix(route) -> str:
    return route.name.split("-")[0]


def _rule():
    return EscalationRule.objects.get_or_create(name="Matrix rule", defaults={"trigger": Trigger.DEADLINE_MISSED})[0]


def _group(world, situation_key):
    situation = world.situations[situation_key]
    return AlertGroup.objects.get_or_create(situation=situation, defaults={
        "severity": "warning", "policy_rule": _rule(), "opened_at": situation.created_at,
        "last_seen": situation.created_at})[0]


def _alert(world, situation_key):
    situation = world.situations[situation_key]
    return Alert.objects.get_or_create(dedup_key=f"matrix:{situation.pk}", defaults={
        "group": _group(world, situation_key), "rule": _rule(), "situation": situation, "severity": "warning",
        "title": f"Alert on {situation.title}", "evidence_at": situation.created_at,
        "first_seen": situation.created_at, "last_seen": situation.created_at})[0]


def _notification(world, role, whose):
    user = world.users[role if whose == "own" else ("admin" if role == "manager" else "manager")]
    group = _group(world, "shared")
    return Notification.objects.get_or_create(idempotency_key=f"matrix-{user.pk}", defaults={
        "group": group, "recipient": user, "channel": Channel.IN_APP, "status": NotificationStatus.SENT,
        "reason": "matrix", "created_at": group.opened_at})[0]


def objects_for(route):
    prefix = _prefix(route)
    if prefix not in KINDS or route.kind is None:
        return None
    if prefix == "notification":
        return ("own", "someone_else")
    if prefix in CONFIG:
        return ("any",)
    return None


def target_for(world, route, role, situation_key):
    prefix = _prefix(route)
    if prefix == "alertgroup":
        return {"pk": _group(world, situation_key).pk}
    if prefix == "alert":
        return {"pk": _alert(world, situation_key).pk}
    if prefix == "notification":
        return {"pk": _notification(world, role if role != "anonymous" else "manager", situation_key).pk}
    if prefix == "rule":
        return {"pk": _rule().pk}
    if prefix == "policy":
        return {"pk": EscalationPolicy.objects.get_or_create(name="Matrix policy")[0].pk}
    if prefix == "webhook":
        owner = world.users["manager"]
        return {"pk": WebhookEndpoint.objects.get_or_create(name="Matrix hook", defaults={
            "url": "http://127.0.0.1:9/hook", "secret": "x" * 32, "owner_user": owner})[0].pk}
    raise AssertionError(route.name)


def expected_status(world, route, method, role, situation_key):
    prefix = _prefix(route)
    if prefix not in KINDS or role == "anonymous":
        return DEFAULT
    if prefix == "notification":
        if route.kind is None:
            return 200 if method == "GET" else None
        if situation_key == "someone_else" or world.users[role].role == Role.LIAISON and role == "liaison_unassigned":
            return 404
        return 200 if method == "GET" else None
    if prefix in CONFIG:
        if method == "GET":
            return 200 if route.kind is None or role in STAFF else 404
        if route.kind is not None and role not in STAFF:
            return 404
        return None if role in MANAGERS else 403
    # Escalations and conditions: scope first, then the action's rule.
    if route.kind is not None and situation_key not in _visible(role):
        return 404
    if method == "GET":
        return 200
    if route.name == "alertgroup-bulk":
        return None  # the body is read first; the service then refuses what is not theirs
    if route.name in ("alertgroup-acknowledge", "alertgroup-note"):
        return None if role in STAFF else 403
    return None if role in MANAGERS else 403


def _visible(role):
    from tests.api.test_authorization_matrix import VISIBLE

    return VISIBLE[role]
