"""The escalation scan, every minute: wake escalations whose snooze ended, move every
open one whose wait ran out to its next step, send the batched updates that are due,
review acknowledgements that saw no progress, and nag the owners of overdue actions and
the liaisons of governments that missed a check-in
(alerts/lifecycle/ makes each change).

A scan that runs twice, or late, is harmless: each row is claimed under a row lock
together with the condition that its time has come, so the first run acts and the
second finds nothing due (the fencing Grafana OnCall does with task ids, done here by
the row itself). Nothing moves on a closed situation: its evaluation resolves it.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from alerts import lifecycle
from alerts.choices import AlertStatus, EventKind
from alerts.models import UNRESOLVED_Q, Alert, AlertEvent, AlertGroup
from coordination.closing import still_open_q
from coordination.models import Action, ActionUpdate

SCAN_BATCH = 200
LIVE = UNRESOLVED_Q & still_open_q("situation__")


def _claim(queryset, pk):
    """The row, locked, if it still matches (skip_locked: another scanner or a person
    holds it; it will be seen again next minute if it is still due)."""
    return (queryset.select_for_update(skip_locked=True, of=("self",))
            .select_related("situation__lead_officer", "policy_rule").filter(pk=pk).first())


def _each_due(queryset, order: str, act) -> int:
    done = 0
    for pk in queryset.order_by(order).values_list("pk", flat=True)[:SCAN_BATCH]:
        with transaction.atomic():
            row = _claim(queryset, pk)
            if row is not None and act(row) is not False:
                done += 1
    return done


def wake_snoozed(now: dt.datetime) -> int:
    due = AlertGroup.objects.filter(status=AlertStatus.SNOOZED, snoozed_until__lte=now).filter(LIVE)
    return _each_due(due, "snoozed_until", lambda group: lifecycle.wake(group, now))


def send_due_updates(now: dt.datetime) -> int:
    due = AlertGroup.objects.filter(LIVE, update_due_at__lte=now)
    return _each_due(due, "update_due_at", lambda group: lifecycle.send_update(group, now))


def last_progress(group: AlertGroup) -> dt.datetime | None:
    """The latest sign that someone is acting: an action of the situation agreed or
    updated, or a note on the group."""
    candidates = [
        ActionUpdate.objects.filter(action__situation_id=group.situation_id).aggregate(at=Max("created_at"))["at"],
        Action.objects.filter(situation_id=group.situation_id).aggregate(at=Max("agreed_at"))["at"],
        AlertEvent.objects.filter(group=group, kind=EventKind.NOTE).aggregate(at=Max("created_at"))["at"],
    ]
    return max((c for c in candidates if c is not None), default=None)


def review_acknowledgements(now: dt.datetime) -> int:
    due = AlertGroup.objects.filter(LIVE, status=AlertStatus.ACKNOWLEDGED, ack_review_at__lte=now)
    return _each_due(due, "ack_review_at",
                     lambda group: lifecycle.review_acknowledgement(group, now, last_progress=last_progress(group)))


def nag_overdue_owners(now: dt.datetime) -> int:
    due = Alert.objects.filter(still_open_q("situation__"), status=AlertStatus.OPEN, next_nag_at__lte=now)
    done = 0
    for pk in due.order_by("next_nag_at").values_list("pk", flat=True)[:SCAN_BATCH]:
        with transaction.atomic():
            condition = (due.select_for_update(skip_locked=True, of=("self",))
                         .select_related("rule", "action", "commitment__liaison", "group__situation",
                                         "group__policy_rule")
                         .filter(pk=pk).first())
            if condition is None or (condition.action is None and condition.government_id is None):
                continue
            # An action updated since it fell due is being worked on: the nagging stops (a
            # government's part of a joint action counts its own updates only). A missed
            # check-in nags until the check-in clears it.
            subject = condition.commitment or condition.action
            updated = subject is not None and subject.last_activity_at > condition.evidence_at
            lifecycle.nag(condition, now, stop=updated)
            done += 0 if updated else 1
    return done


def escalate_due_alerts(*, now: dt.datetime | None = None) -> int:
    """Returns how many escalations moved to their next step."""
    now = now or timezone.now()
    wake_snoozed(now)
    due = AlertGroup.objects.filter(LIVE, status=AlertStatus.OPEN, next_escalation_at__lte=now)
    escalated = _each_due(due, "next_escalation_at", lambda group: lifecycle.escalate(group, now))
    send_due_updates(now)
    review_acknowledgements(now)
    nag_overdue_owners(now)
    return escalated
