"""The write path of alerts: every state change goes through one of these.

Plain functions with keyword-only arguments, one transaction each; every change of an
alert writes an AlertEvent naming its actor.

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

from alerts import escalation
from alerts.choices import AlertStatus, EventKind
from alerts.evaluation import evaluate_situation  # noqa: F401 (part of the service API)
from alerts.escalation import escalate_due_alerts  # noqa: F401 (part of the service API)
from alerts.models import Alert, AlertEvent
from alerts.recipients import user_may_see
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
from coordination.errors import DomainError, NotPermitted

MAX_SNOOZE = dt.timedelta(days=30)


def _lock(alert: Alert, actor) -> Alert:
    locked = Alert.objects.select_for_update(of=("self",)).select_related("rule", "situation", "action").get(pk=alert.pk)
    if actor is None or not user_may_see(actor, locked.situation_id):
        raise Alert.DoesNotExist
    return locked


def _require_manager(actor, what: str) -> None:
    if not actor.is_manager:
        raise NotPermitted(_("Only managers may %(what)s alerts.") % {"what": what})


def _require_unresolved(alert: Alert) -> None:
    if alert.status == AlertStatus.RESOLVED:
        raise DomainError(_("This alert is resolved."), field="status", code="alert_resolved")


def _event(alert: Alert, kind: str, actor, now, note: str = "", **data) -> AlertEvent:
    return AlertEvent.objects.create(alert=alert, kind=kind, actor=actor, step=alert.current_step, note=note,
                                     data=data, created_at=now)


def may_acknowledge(actor, alert: Alert) -> bool:
    return (actor.sees_all_situations or alert.owner_id == actor.pk
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
    """Stops the escalation clock; the alert stays until its condition clears or someone resolves it."""
    alert = _lock(alert, actor)
    check_may_act(actor=actor, alert=alert, what="acknowledge")
    _require_unresolved(alert)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        raise DomainError(_("This alert is already acknowledged."), field="status", code="already_acknowledged")
    now = timezone.now()
    alert.status, alert.acknowledged_by, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    alert.next_escalation_at, alert.snoozed_until = None, None
    alert.save()
    _event(alert, EventKind.ACKNOWLEDGED, actor, now, note)
    return alert


@transaction.atomic
def alert_snooze(*, actor, alert: Alert, until: dt.datetime, note: str = "") -> Alert:
    """Pause the clock until `until`: the time left on the current step is kept and runs
    again once the snooze ends (escalate_due_alerts wakes it)."""
    alert = _lock(alert, actor)
    _require_manager(actor, _("snooze"))
    _require_unresolved(alert)
    now = timezone.now()
    if until is None or timezone.is_naive(until):
        raise DomainError(_("Give the end of the snooze with a time zone."), field="until")
    if until <= now:
        raise DomainError(_("A snooze must end in the future."), field="until")
    if until - now > MAX_SNOOZE:
        raise DomainError(_("A snooze lasts at most 30 days."), field="until")
    if alert.status == AlertStatus.OPEN and alert.next_escalation_at is not None:
        alert.next_escalation_at = until + max(alert.next_escalation_at - now, dt.timedelta(0))
    alert.status, alert.snoozed_until = AlertStatus.SNOOZED, until
    alert.save()
    _event(alert, EventKind.SNOOZED, actor, now, note, until=until.isoformat())
    return alert


@transaction.atomic
def alert_resolve(*, actor, alert: Alert, note: str) -> Alert:
    alert = _lock(alert, actor)
    _require_manager(actor, _("resolve"))
    _require_unresolved(alert)
    if not (note or "").strip():
        raise DomainError(_("Say in a note how it was resolved."), field="note")
    now = timezone.now()
    alert.status, alert.resolved_by, alert.resolved_at, alert.resolution_note = AlertStatus.RESOLVED, actor, now, note
    alert.next_escalation_at, alert.snoozed_until = None, None
    alert.save()
    event = _event(alert, EventKind.RESOLVED, actor, now, note)
    from alerts.recipients import notify_webhooks

    notify_webhooks(alert=alert, event=event, now=now)
    return alert


@transaction.atomic
def alert_reassign(*, actor, alert: Alert, owner, note: str = "") -> Alert:
    alert = _lock(alert, actor)
    _require_manager(actor, _("reassign"))
    _require_unresolved(alert)
    if owner is not None and not user_may_see(owner, alert.situation_id):
        # Same answer as for a user who does not exist: the situation stays unmentioned.
        raise DomainError(_("No such user can take this alert."), field="owner")
    now = timezone.now()
    previous = alert.owner_id
    alert.owner = owner
    alert.save(update_fields=["owner"])
    _event(alert, EventKind.REASSIGNED, actor, now, note, from_user_id=previous,
           to_user_id=owner.pk if owner else None)
    return alert


@transaction.atomic
def alert_escalate_now(*, actor, alert: Alert, note: str = "") -> Alert:
    """Skip the wait: notify the next step now. The alert is open again (a snooze or an
    acknowledgement ends) and the next step's clock starts."""
    alert = _lock(alert, actor)
    _require_manager(actor, _("escalate"))
    _require_unresolved(alert)
    if not escalation.has_step_after(alert, alert.current_step):
        raise DomainError(_("This alert is on the last step of its policy."), field="step", code="last_step")
    alert.status, alert.snoozed_until = AlertStatus.OPEN, None
    escalation.advance(alert, timezone.now(), actor=actor, note=note)
    return alert


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all unread ones if no ids)."""
    from alerts.choices import Channel
    from alerts.models import Notification

    rows = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())
