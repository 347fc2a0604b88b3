"""Reads of alerts, already scoped to the user (coordination/sharing.py) and joined, so
a list costs a constant number of queries whatever its length."""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts.choices import AlertStatus, Channel, Severity
from alerts.models import (
    UNRESOLVED_Q,
    Alert,
    AlertEvent,
    AlertGroup,
    EscalationPolicy,
    EscalationRule,
    EscalationStep,
    Notification,
    WebhookEndpoint,
)
from alerts.models.alert import SEVERITY_ORDER
from coordination.extensions import NO_WARNING, Gap
from coordination.models import Action, Situation
from coordination.sharing import visible_situation_q

# A correlated count, not a JOIN … GROUP BY: PostgreSQL then reads a page of the queue
# from group_queue_order_idx and counts the conditions of those rows only.
_OPEN_CONDITIONS = Coalesce(Subquery(
    Alert.objects.filter(group=OuterRef("pk"), status=AlertStatus.OPEN).order_by().values("group")
    .annotate(n=Count("*")).values("n")[:1], output_field=IntegerField()), 0)


def group_list(*, user, include_resolved: bool = False) -> QuerySet[AlertGroup]:
    """The escalation queue: most severe first, then the furthest escalated, then the
    oldest — each with the number of conditions it holds."""
    qs = AlertGroup.objects.filter(visible_situation_q(user, prefix="situation__"))
    if not include_resolved:
        qs = qs.filter(UNRESOLVED_Q)
    return (qs.select_related("situation", "policy_rule", "owner", "acknowledged_by", "resolved_by")
            .annotate(severity_rank=SEVERITY_ORDER, open_conditions=_OPEN_CONDITIONS)
            .order_by("-severity_rank", "-current_step", "opened_at", "id"))


def group_get(*, user, group_id: int) -> AlertGroup:
    """Raises AlertGroup.DoesNotExist alike for a missing group and one out of scope (404).
    The group comes with its conditions, its timeline and its deliveries."""
    conditions = (Alert.objects.select_related("rule", "action", "indicator")
                  .annotate(severity_rank=SEVERITY_ORDER).order_by("status", "-severity_rank", "first_seen", "id"))
    events = AlertEvent.objects.select_related("actor", "alert").order_by("created_at", "id")
    notifications = Notification.objects.select_related("recipient", "endpoint", "event").order_by("created_at", "id")
    if not user.sees_all_situations:
        # A partner sees their own notifications, not who else was told.
        notifications = notifications.filter(recipient=user)
    return (group_list(user=user, include_resolved=True)
            .prefetch_related(Prefetch("conditions", queryset=conditions), Prefetch("events", queryset=events),
                              Prefetch("notifications", queryset=notifications))
            .get(pk=group_id))


def condition_list(*, user, include_resolved: bool = False) -> QuerySet[Alert]:
    """Every condition the user may see (the API's /alerts), newest first."""
    qs = Alert.objects.filter(visible_situation_q(user, prefix="situation__"))
    if not include_resolved:
        qs = qs.filter(UNRESOLVED_Q)
    return (qs.select_related("rule", "situation", "action", "indicator", "group")
            .annotate(severity_rank=SEVERITY_ORDER).order_by("-severity_rank", "-first_seen", "-id"))


def severity_counts(groups: QuerySet) -> dict[str, int]:
    counts = groups.order_by().aggregate(**{s: Count("pk", filter=Q(severity=s)) for s in Severity.values})
    return {s: counts[s] or 0 for s in Severity.values}


def inbox(*, user) -> QuerySet[Notification]:
    """In-app notifications of a user, still about situations they may see."""
    return (Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
            .filter(visible_situation_q(user, prefix="group__situation__"))
            .select_related("group__situation", "group__policy_rule", "event").order_by("-created_at", "-id"))


def warning_response_gaps(situation_ids, *, now: dt.datetime | None = None) -> dict[int, Gap]:
    """Time from each situation's first warning — the evidence of its first warning-or-
    worse condition: the crossing reading's observed_at, the day a due date passed — to
    its first action agreed after it; or, while none is, how long the gap has been open.
    One query."""
    now = now or timezone.now()
    ids = list(situation_ids)
    if not ids:
        return {}
    # ORDER BY … LIMIT 1 rather than MIN … GROUP BY: PostgreSQL reads one entry of the
    # partial index alert_situation_evidence_idx instead of every condition of the situation.
    # "Not info" is warning or critical (a check constraint holds severity to the three),
    # written as the index's own predicate so that the planner can prove it matches.
    first_warning = (Alert.objects.filter(situation_id=OuterRef("pk")).exclude(severity=Severity.INFO)
                     .order_by("evidence_at").values("evidence_at")[:1])
    first_response = (Action.objects.filter(situation_id=OuterRef("pk"), agreed_at__isnull=False,
                                            agreed_at__gte=OuterRef("first_warning_at"))
                      .order_by("agreed_at").values("agreed_at")[:1])
    rows = (Situation.objects.filter(pk__in=ids).annotate(first_warning_at=Subquery(first_warning))
            .annotate(first_response_at=Subquery(first_response)).values_list("pk", "first_warning_at",
                                                                             "first_response_at"))
    gaps = {}
    for pk, warned, responded in rows:
        if warned is None:
            gaps[pk] = NO_WARNING
        elif responded is None:
            gaps[pk] = Gap(warned, None, True, (now - warned).total_seconds())
        else:
            gaps[pk] = Gap(warned, responded, False, (responded - warned).total_seconds())
    return gaps


# --- Configuration: staff read it, managers change it (alerts/rules.py); a partner
# liaison sees none of it, as a situation-scoped rule would name a situation.

def _staff_only(user, queryset: QuerySet) -> QuerySet:
    if user is None or not user.is_authenticated or not user.sees_all_situations:
        return queryset.none()
    return queryset


def rule_list(*, user) -> QuerySet:
    return _staff_only(user, EscalationRule.objects.select_related("policy").order_by("name", "id"))


def policy_list(*, user) -> QuerySet:
    steps = EscalationStep.objects.prefetch_related("users").order_by("order")
    return _staff_only(user, EscalationPolicy.objects.prefetch_related(Prefetch("steps", queryset=steps))
                       .order_by("name", "id"))


def webhook_endpoint_list(*, user) -> QuerySet:
    return _staff_only(user, WebhookEndpoint.objects.order_by("name", "id"))
