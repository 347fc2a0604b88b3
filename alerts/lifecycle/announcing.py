"""What one evaluation changed, told once: a group opened starts its clock at its
first step, a group that grew sends one batched update, a condition addressed to the
situation's lead reaches its lead."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from alerts import recipients
from alerts.choices import AlertStatus, EventKind
from alerts.lifecycle.clock import _deadline_after, send_update
from alerts.lifecycle.common import Changes
from alerts.models import Alert, AlertGroup, Notification


def announce(changes: Changes) -> None:
    """At the end of an evaluation: a group opened is notified at its first step, its
    clock started; a group that grew sends one batched update, now or when its interval
    is over."""
    for pk in sorted(changes.opened):
        group = changes.groups[pk]
        if group.status != AlertStatus.RESOLVED:
            _start_clock(group, changes.now)
    for pk in sorted(changes.grown - changes.opened):
        group = changes.groups[pk]
        if group.status != AlertStatus.RESOLVED:
            _schedule_update(group, changes.now)
    for condition in changes.addressed:
        _tell_addressees(condition, changes)


def _tell_addressees(condition: Alert, changes: Changes) -> None:
    """A condition addressed to the situation's lead reaches its lead desk officer and
    lead government's liaisons when it opens or joins, even if the group's step targets
    others; whoever this evaluation already told about it is not told twice."""
    group = changes.groups.get(condition.group_id, condition.group)
    if group.status == AlertStatus.RESOLVED:
        return
    event = (group.events.filter(alert=condition, kind__in=(EventKind.OPENED, EventKind.JOINED))
             .order_by("-id").first())
    if event is None:
        return
    people = recipients.lead_people(group.situation)
    told = set(Notification.objects.filter(group=group, created_at=changes.now,
                                           recipient_id__in=[u.pk for u in people])
               .values_list("recipient_id", flat=True))
    recipients.notify_users(group=group, event=event, users=[u for u in people if u.pk not in told],
                            now=changes.now, reason=_("The condition “%(title)s” is addressed to you.")
                            % {"title": condition.title})


def _start_clock(group: AlertGroup, now: dt.datetime) -> None:
    group.current_step = 0
    group.next_escalation_at = _deadline_after(group, 0, now)
    group.save(update_fields=["current_step", "next_escalation_at"])
    event = group.events.filter(kind=EventKind.OPENED).order_by("-id").first()
    recipients.notify_step(group=group, event=event, step_index=0, now=now)
    recipients.notify_webhooks(group=group, event=event, now=now)


def _update_interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ALERTS_GROUP_INTERVAL_SECONDS)


def _schedule_update(group: AlertGroup, now: dt.datetime) -> None:
    due = (group.last_update_at or group.opened_at) + _update_interval()
    if due <= now:
        send_update(group, now)
    elif group.update_due_at is None:
        group.update_due_at = due
        group.save(update_fields=["update_due_at"])
