"""What people do to an escalation: acknowledge, snooze, resolve (or close its
situation), reassign, add a note, escalate by hand. Services decide whether the person
may; these make the change."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import recipients
from alerts.choices import AlertStatus, EventKind
from alerts.lifecycle.clock import escalate, has_step_after_current
from alerts.lifecycle.common import _event
from alerts.models import AlertGroup
from coordination.sharing import can_see_situation
from core.errors import DomainError

MAX_SNOOZE = dt.timedelta(days=30)


def _require_unresolved(group: AlertGroup) -> None:
    if group.status == AlertStatus.RESOLVED:
        raise DomainError(_("This escalation is resolved."), field="status", code="alert_resolved")


def acknowledge(group: AlertGroup, now: dt.datetime, *, actor, note: str = "") -> None:
    """Stops the escalation clock; the group stays until its conditions clear or someone
    resolves it. Without progress for the policy's ack_reminder_hours, a reminder."""
    _require_unresolved(group)
    if group.status == AlertStatus.ACKNOWLEDGED:
        raise DomainError(_("This escalation is already acknowledged."), field="status", code="already_acknowledged")
    hours = group.snapshot.ack_reminder_hours
    group.status, group.acknowledged_by, group.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    group.next_escalation_at, group.snoozed_until = None, None
    group.ack_review_at = now + dt.timedelta(hours=hours) if hours else None
    group.ack_reminded_at = None
    group.save()
    _event(group, EventKind.ACKNOWLEDGED, now, actor=actor, note=note)


def check_snooze(group: AlertGroup, now: dt.datetime, *, until: dt.datetime) -> None:
    """What `snooze` refuses, for a caller that must know before it asks for a sign-off."""
    _require_unresolved(group)
    if until is None or timezone.is_naive(until):
        raise DomainError(_("Give the end of the snooze with a time zone."), field="until")
    if until <= now:
        raise DomainError(_("A snooze must end in the future."), field="until")
    if until - now > MAX_SNOOZE:
        raise DomainError(_("A snooze lasts at most 30 days."), field="until")


def snooze(group: AlertGroup, now: dt.datetime, *, actor, until: dt.datetime, note: str = "") -> None:
    """Pause the clock until `until`: the time left on the current step is kept and runs
    again once the snooze ends (the escalation scan wakes it)."""
    check_snooze(group, now, until=until)
    if group.status == AlertStatus.OPEN and group.next_escalation_at is not None:
        group.next_escalation_at = until + max(group.next_escalation_at - now, dt.timedelta(0))
    group.status, group.snoozed_until = AlertStatus.SNOOZED, until
    group.save()
    _event(group, EventKind.SNOOZED, now, actor=actor, note=note, data={"until": until.isoformat()})


def _close(group: AlertGroup, now: dt.datetime, *, actor, note: str, outcome: str = "") -> None:
    group.status, group.resolved_by, group.resolved_at, group.resolution_note = (
        AlertStatus.RESOLVED, actor, now, note)
    group.outcome = outcome
    group.next_escalation_at = group.snoozed_until = group.update_due_at = group.ack_review_at = None
    group.resume_status, group.resume_wait_seconds = "", None
    group.save()
    # Conditions that still hold stay quiet until they clear, instead of opening anew.
    group.conditions.filter(status=AlertStatus.OPEN).update(status=AlertStatus.RESOLVED, resolved_at=now,
                                                            next_nag_at=None)
    event = _event(group, EventKind.RESOLVED, now, actor=actor, note=note,
                   data={"outcome": outcome} if outcome else None)
    recipients.notify_webhooks(group=group, event=event, now=now)


def check_resolve(group: AlertGroup, *, note: str) -> None:
    """What `resolve` refuses, for a caller that must know before it asks for a sign-off."""
    _require_unresolved(group)
    if not (note or "").strip():
        raise DomainError(_("Say in a note how it was resolved."), field="note")


def resolve(group: AlertGroup, now: dt.datetime, *, actor, note: str) -> None:
    check_resolve(group, note=note)
    _close(group, now, actor=actor, note=note)


def resolve_with_situation(group: AlertGroup, now: dt.datetime, *, outcome: str, note: str) -> None:
    """The situation closed: its escalation resolves with the outcome as its note, and
    nothing escalates on it any more."""
    _close(group, now, actor=None, note=note, outcome=outcome)


def reassign(group: AlertGroup, now: dt.datetime, *, actor, owner, note: str = "") -> None:
    _require_unresolved(group)
    if owner is not None and not can_see_situation(owner, group.situation_id):
        # Same answer as for a user who does not exist: the situation stays unmentioned.
        raise DomainError(_("No such user can take this escalation."), field="owner")
    previous = group.owner_id
    group.owner = owner
    group.save(update_fields=["owner"])
    event = _event(group, EventKind.REASSIGNED, now, actor=actor, note=note,
                   data={"from_user_id": previous, "to_user_id": owner.pk if owner else None})
    if owner is not None and owner.pk != previous:
        recipients.notify_users(group=group, event=event, users=[owner], now=now,
                                reason=_("%(who)s made you the owner of this escalation.") % {"who": actor})


def add_note(group: AlertGroup, now: dt.datetime, *, actor, note: str) -> None:
    """A note on the timeline; it counts as progress on an acknowledged group."""
    if not (note or "").strip():
        raise DomainError(_("Write the note."), field="note")
    _event(group, EventKind.NOTE, now, actor=actor, note=note)


def escalate_by_hand(group: AlertGroup, now: dt.datetime, *, actor, note: str = "") -> None:
    """A manager skips the wait: the next step is notified now."""
    _require_unresolved(group)
    if not has_step_after_current(group):
        raise DomainError(_("This escalation is on the last step of its policy."), field="step", code="last_step")
    escalate(group, now, actor=actor, note=note)
