"""The escalation clock: which step an alert is on, and when the next one is due.

Waits live in Alert.next_escalation_at (a partial index over unresolved alerts), read
by the periodic scan; nothing waits in the broker. A scan that runs twice, or late, is
harmless: each alert is claimed under a row lock together with the condition that its
time has come, so the first run moves the clock and the second finds nothing due
(the fencing Grafana OnCall does with task ids, done here by the row itself).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.choices import AlertStatus, EventKind
from alerts.models import Alert, AlertEvent
from alerts.recipients import notify_step, notify_webhooks

SCAN_BATCH = 200


def has_step_after(alert: Alert, index: int) -> bool:
    steps = alert.steps
    return bool(steps) and (index + 1 < len(steps) or alert.policy_snapshot.get("repeat_last_step", False))


def deadline_after(alert: Alert, index: int, now: dt.datetime) -> dt.datetime | None:
    """When step `index` times out, or None if nothing comes after it."""
    if not has_step_after(alert, index):
        return None
    return now + dt.timedelta(minutes=alert.steps[index]["wait_minutes"])


def start(alert: Alert, event: AlertEvent, now: dt.datetime) -> None:
    """First step of a freshly opened (or reopened) alert: notify, start the clock."""
    alert.current_step = 0
    alert.next_escalation_at = deadline_after(alert, 0, now)
    alert.save(update_fields=["current_step", "next_escalation_at"])
    notify_step(alert=alert, event=event, step_index=0, now=now)
    notify_webhooks(alert=alert, event=event, now=now)


def advance(alert: Alert, now: dt.datetime, *, actor=None, note: str = "") -> bool:
    """Move a locked alert to its next step and notify it. False if there is none."""
    if not has_step_after(alert, alert.current_step):
        alert.next_escalation_at = None
        alert.save(update_fields=["next_escalation_at"])
        return False
    index = min(alert.current_step + 1, len(alert.steps) - 1)
    alert.current_step = index
    alert.next_escalation_at = deadline_after(alert, index, now)
    alert.save(update_fields=["current_step", "next_escalation_at", "status", "snoozed_until"])
    event = AlertEvent.objects.create(alert=alert, kind=EventKind.ESCALATED, actor=actor, step=index,
                                      note=note, created_at=now)
    notify_step(alert=alert, event=event, step_index=index, now=now)
    notify_webhooks(alert=alert, event=event, now=now)
    return True


def wake_snoozed(now: dt.datetime) -> int:
    woken = 0
    for pk in Alert.objects.filter(status=AlertStatus.SNOOZED, snoozed_until__lte=now).values_list("pk", flat=True)[:SCAN_BATCH]:
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, status=AlertStatus.SNOOZED, snoozed_until__lte=now).first())
            if alert is None:
                continue
            alert.status, alert.snoozed_until = AlertStatus.OPEN, None
            alert.save(update_fields=["status", "snoozed_until"])
            AlertEvent.objects.create(alert=alert, kind=EventKind.SNOOZE_ENDED, step=alert.current_step, created_at=now)
            woken += 1
    return woken


def escalate_due_alerts(*, now: dt.datetime | None = None) -> int:
    """Wake alerts whose snooze ended, then move every open alert whose acknowledgement
    timed out to its next step. Returns how many alerts escalated."""
    now = now or timezone.now()
    wake_snoozed(now)
    escalated = 0
    due = Alert.objects.filter(status=AlertStatus.OPEN, next_escalation_at__lte=now).order_by("next_escalation_at")
    for pk in due.values_list("pk", flat=True)[:SCAN_BATCH]:
        with transaction.atomic():
            # skip_locked: another scanner (or a person acting on it) holds it; it will be
            # seen again next minute if it is still due.
            alert = (Alert.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("rule", "situation", "action")
                     .filter(pk=pk, status=AlertStatus.OPEN, next_escalation_at__lte=now).first())
            if alert is not None and advance(alert, now):
                escalated += 1
    return escalated
