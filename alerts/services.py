"""The write path of alerts that people take: every action on an alert goes through
one of these.

Plain functions with keyword-only arguments, one transaction each. Each locks the
alert, decides whether this person may act, and hands the change to alerts/lifecycle.py,
which makes it and writes the AlertEvent naming its actor.

Who may act on an alert (decided here, documented in README.md):
- only users who may see its situation — for anyone else it does not exist (404);
- managers (and admins) work the queue: acknowledge, snooze, resolve, reassign,
  escalate now;
- desk staff (desk officers, who see every situation), anyone the alert was addressed
  to (a notification on it) and its owner may acknowledge it — that is how the lead
  desk officer or a partner liaison stops the clock.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import lifecycle
from alerts.choices import Channel
from alerts.escalation import escalate_due_alerts  # noqa: F401 (part of the service API)
from alerts.evaluation import evaluate_situation  # noqa: F401 (part of the service API)
from alerts.models import Alert, Notification
from alerts.rules import (  # noqa: F401 (part of the service API)
    policy_create,
    policy_delete,
    policy_update,
    rule_create,
    rule_delete,
    rule_update,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from coordination.sharing import can_see_situation
from core.errors import NotPermitted
from core.roles import has_staff_role


def _lock(alert: Alert, actor) -> Alert:
    locked = Alert.objects.select_for_update(of=("self",)).select_related("rule", "situation", "action").get(pk=alert.pk)
    if actor is None or not can_see_situation(actor, locked.situation_id):
        raise Alert.DoesNotExist
    return locked


def _require_manager(actor, what: str) -> None:
    if not actor.is_manager:
        raise NotPermitted(_("Only managers may %(what)s alerts.") % {"what": what})


def may_acknowledge(actor, alert: Alert) -> bool:
    return (has_staff_role(actor) or alert.owner_id == actor.pk
            or alert.notifications.filter(recipient=actor).exists())


def check_may_act(*, actor, alert: Alert, what: str) -> None:
    """The permission part of an alert action, for callers that must refuse (403) before
    reading a request body; each service checks it again under its lock."""
    if what == "acknowledge":
        if not may_acknowledge(actor, alert):
            raise NotPermitted(_("Only desk staff, the alert's owner and the people it was sent to may acknowledge it."))
    else:
        _require_manager(actor, what)


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, note: str = "") -> Alert:
    alert = _lock(alert, actor)
    check_may_act(actor=actor, alert=alert, what="acknowledge")
    lifecycle.acknowledge(alert, timezone.now(), actor=actor, note=note)
    return alert


@transaction.atomic
def alert_snooze(*, actor, alert: Alert, until: dt.datetime, note: str = "") -> Alert:
    alert = _lock(alert, actor)
    _require_manager(actor, _("snooze"))
    lifecycle.snooze(alert, timezone.now(), actor=actor, until=until, note=note)
    return alert


@transaction.atomic
def alert_resolve(*, actor, alert: Alert, note: str) -> Alert:
    alert = _lock(alert, actor)
    _require_manager(actor, _("resolve"))
    lifecycle.resolve(alert, timezone.now(), actor=actor, note=note)
    return alert


@transaction.atomic
def alert_reassign(*, actor, alert: Alert, owner, note: str = "") -> Alert:
    alert = _lock(alert, actor)
    _require_manager(actor, _("reassign"))
    lifecycle.reassign(alert, timezone.now(), actor=actor, owner=owner, note=note)
    return alert


@transaction.atomic
def alert_escalate_now(*, actor, alert: Alert, note: str = "") -> Alert:
    """Skip the wait: notify the next step now."""
    alert = _lock(alert, actor)
    _require_manager(actor, _("escalate"))
    lifecycle.escalate_by_hand(alert, timezone.now(), actor=actor, note=note)
    return alert


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all unread ones if no ids)."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())
