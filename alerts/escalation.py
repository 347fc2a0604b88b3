"""The escalation scan: wake alerts whose snooze ended, then move every open alert
whose acknowledgement timed out to its next step (alerts/lifecycle.py makes each move).

A scan that runs twice, or late, is harmless: each alert is claimed under a row lock
together with the condition that its time has come, so the first run moves the clock
and the second finds nothing due (the fencing Grafana OnCall does with task ids, done
here by the row itself).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts import lifecycle
from alerts.choices import AlertStatus
from alerts.models import Alert

SCAN_BATCH = 200


def wake_snoozed(now: dt.datetime) -> int:
    woken = 0
    for pk in Alert.objects.filter(status=AlertStatus.SNOOZED, snoozed_until__lte=now).values_list("pk", flat=True)[:SCAN_BATCH]:
        with transaction.atomic():
            alert = (Alert.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, status=AlertStatus.SNOOZED, snoozed_until__lte=now).first())
            if alert is None:
                continue
            lifecycle.wake(alert, now)
            woken += 1
    return woken


def escalate_due_alerts(*, now: dt.datetime | None = None) -> int:
    """Returns how many alerts escalated."""
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
            if alert is not None and lifecycle.escalate(alert, now):
                escalated += 1
    return escalated
