"""The engine run at past times, for a world that should read as if Concert had been
running all along (the demo's months of history, `manage.py demo_data`).

Each function runs one piece of the engine at a moment `at` already gone — an
evaluation, the escalation scan, a person's action on an escalation — through the very
code the workers and the services run, and records the notifications it wrote as
delivered at `at`: they went out then, so no worker sends them again now. Only the
present is live: for it, call alerts.evaluation and alerts.escalation directly.

The caller replays in the order things happened, and records the facts (readings,
actions) of a moment before replaying it: the triggers read what is stored, whatever
its time.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from alerts import lifecycle, services
from alerts.choices import ACTION_TRIGGERS, AlertStatus, Channel, NotificationStatus, Trigger
from alerts.escalation import LIVE, escalate_due_alerts
from alerts.evaluation import Outcome, evaluate_situation
from alerts.models import Alert, AlertGroup, EscalationRule, Notification
from alerts.params import SCHEMAS
from coordination.choices import SituationStatus
from coordination.sharing import can_see_situation

# Celery beat runs the deadline scan every minute: a condition that begins at midnight
# is seen within the minute after it.
SCAN_PERIOD = dt.timedelta(minutes=1)

# What a person may do to an escalation, and the lifecycle function that does it.
VERBS = {
    "acknowledge": lifecycle.acknowledge,
    "snooze": lifecycle.snooze,
    "resolve": lifecycle.resolve,
    "note": lifecycle.add_note,
    "reassign": lifecycle.reassign,
}


def _check_past(at: dt.datetime) -> None:
    if timezone.is_naive(at) or at >= timezone.now():
        raise ValueError(f"a replay happens in the past, with a time zone: {at!r}")


@contextmanager
def _delivered_at(at: dt.datetime):
    """Whatever is written inside, at `at`, was delivered at `at`. A live notification
    carries the time it was written, never a past one to the microsecond, so it stays
    pending."""
    yield
    Notification.objects.filter(created_at=at, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENT, sent_at=at, next_attempt_at=None, attempts=1)


def replay(situation_id: int, at: dt.datetime) -> Outcome:
    """Evaluate the situation as the worker would have at `at`."""
    _check_past(at)
    with transaction.atomic(), _delivered_at(at):
        return evaluate_situation(situation_id=situation_id, now=at)


def scan(at: dt.datetime) -> int:
    """The escalation scan as beat would have run it at `at`."""
    _check_past(at)
    with transaction.atomic(), _delivered_at(at):
        return escalate_due_alerts(now=at)


def act(*, group_id: int, at: dt.datetime, verb: str, actor, **kwargs) -> AlertGroup:
    """A person's action on an escalation at `at` (one of VERBS, with the lifecycle
    function's own arguments). The permission people have today held then too."""
    _check_past(at)
    with transaction.atomic(), _delivered_at(at):
        group = (AlertGroup.objects.select_for_update(of=("self",)).select_related("situation", "policy_rule")
                 .get(pk=group_id))
        if not can_see_situation(actor, group.situation_id):
            raise AlertGroup.DoesNotExist
        services.check_may_act(actor=actor, group=group, what=verb)
        VERBS[verb](group, at, actor=actor, **kwargs)
    return group


def next_due(*, after: dt.datetime) -> dt.datetime | None:
    """The first time after `after` at which the escalation scan has something to do
    (the columns alerts/escalation.py reads). Strictly after: a row the scan handled at
    `after` and left due keeps nothing waiting for a replay."""
    groups = AlertGroup.objects.filter(LIVE).aggregate(
        escalation=Min("next_escalation_at", filter=Q(status=AlertStatus.OPEN, next_escalation_at__gt=after)),
        wake=Min("snoozed_until", filter=Q(status=AlertStatus.SNOOZED, snoozed_until__gt=after)),
        update=Min("update_due_at", filter=Q(update_due_at__gt=after)),
        review=Min("ack_review_at", filter=Q(status=AlertStatus.ACKNOWLEDGED, ack_review_at__gt=after)),
    )
    nag = (Alert.objects.filter(status=AlertStatus.OPEN, next_nag_at__gt=after)
           .exclude(situation__status=SituationStatus.CLOSED).aggregate(t=Min("next_nag_at"))["t"])
    return min((t for t in (*groups.values(), nag) if t is not None), default=None)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)


def action_wakeups(action) -> list[tuple[dt.datetime, str]]:
    """When the periodic deadline scan would find a condition on this action begin or
    end with nothing but the clock moving, under the enabled rules: its due date coming
    within a rule's days or passing (after the grace) — "due" — or its activity growing
    stale — "activity", a time that moves with the next update. The replay evaluates at
    those times instead of every minute."""
    times = set()
    rules = EscalationRule.objects.filter(enabled=True, trigger__in=ACTION_TRIGGERS).values_list("trigger", "params")
    for trigger, params in rules:
        params = params or {}
        if trigger == Trigger.DEADLINE_SOON:
            days = params.get("days", SCHEMAS[trigger]["days"].default)
            times |= {(_start_of(action.due_date - dt.timedelta(days=days)), "due"),
                      (_start_of(action.due_date + dt.timedelta(days=1)), "due")}
        elif trigger == Trigger.DEADLINE_MISSED:
            grace = params.get("grace_days", SCHEMAS[trigger]["grace_days"].default)
            times.add((_start_of(action.due_date + dt.timedelta(days=grace + 1)), "due"))
        elif trigger == Trigger.ACTION_STALLED:
            days = params.get("days", SCHEMAS[trigger]["days"].default)
            times.add((action.last_activity_at + dt.timedelta(days=days), "activity"))
    return sorted((t + SCAN_PERIOD, why) for t, why in times)


def read_in_app(*, situation_ids, before: dt.datetime, after: dt.timedelta) -> int:
    """People read their in-app notifications: those written before `before` on these
    situations are marked read `after` their arrival."""
    rows = Notification.objects.filter(group__situation_id__in=list(situation_ids), channel=Channel.IN_APP,
                                       read_at__isnull=True, created_at__lt=before)
    return rows.update(read_at=F("created_at") + after)
