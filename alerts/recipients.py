"""Who is told about an alert, and the outbox rows that tell them.

Nobody is notified about a situation they may not see: every candidate goes through
coordination/sharing.py before a row is written, and again before it is sent
(alerts/delivery), because an assignment may be removed in between.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from alerts import dispatch
from alerts.choices import (
    SEVERITY_RANK,
    Channel,
    EventKind,
    NotificationStatus,
    StepTarget,
)
from alerts.models import Alert, AlertEvent, Notification, WebhookEndpoint
from alerts.snapshots import StepSnapshot
from coordination.sharing import can_see_situation, government_can_see_situation
from core.roles import Role


def endpoint_may_receive(endpoint: WebhookEndpoint, situation) -> bool:
    """A person's endpoint receives what its owner may see; a government's, what the
    government may receive as an organisation (no TLP:RED)."""
    if endpoint.owner_user_id is not None:
        return can_see_situation(endpoint.owner_user, situation.pk)
    return government_can_see_situation(endpoint.owner_government_id, situation.pk)


def _candidates(alert: Alert, step: StepSnapshot) -> list[tuple[User, str]]:
    """(user, role) for every target of the step, in a stable order, first role wins."""
    situation = alert.situation
    found: list[tuple[User, str]] = []
    for target in step.targets:
        if target == StepTarget.DESK_OFFICERS:
            if situation.lead_officer_id:
                found.append((situation.lead_officer, _("lead desk officer")))
            else:
                found += [(u, _("desk officer")) for u in User.objects.filter(role=Role.DESK_OFFICER)]
        elif target == StepTarget.LIAISONS:
            liaisons = User.objects.filter(
                Q(role=Role.LIAISON)
                & (Q(government__assignments__situation=situation) | Q(liaison_assignments__situation=situation))
            ).select_related("government").distinct()
            found += [(u, _("liaison of %(gov)s") % {"gov": u.government.name}) for u in liaisons]
        elif target == StepTarget.ACTION_ASSIGNEE and alert.action_id and alert.action.assignee_id:
            found.append((alert.action.assignee, _("assignee of the action")))
        elif target == StepTarget.MANAGERS:
            found += [(u, _("manager")) for u in User.objects.filter(role=Role.MANAGER)]
        elif target == StepTarget.USERS:
            found += [(u, _("named on the escalation step")) for u in User.objects.filter(pk__in=step.user_ids)]
    seen, unique = set(), []
    for user, role in sorted(found, key=lambda pair: pair[0].pk):
        if user.pk not in seen:
            seen.add(user.pk)
            unique.append((user, role))
    return unique


def step_recipients(alert: Alert, step: StepSnapshot) -> list[tuple[User, str]]:
    return [(user, role) for user, role in _candidates(alert, step) if can_see_situation(user, alert.situation_id)]


def _enqueue_on_commit(notifications: list[Notification]) -> None:
    ids = [n.pk for n in notifications if n.status == NotificationStatus.PENDING]
    if ids:
        transaction.on_commit(lambda: [dispatch.publish_delivery(pk) for pk in ids])


def notify_step(*, alert: Alert, event: AlertEvent, step_index: int, now, note: str = "") -> list[Notification]:
    """Write the outbox rows of one escalation step, and the "notified" event naming them."""
    step = alert.snapshot.step(step_index)
    if step is None:
        return []
    recipients = step_recipients(alert, step)
    rows = []
    for user, role in recipients:
        reason = _("Rule “%(rule)s”, step %(step)d: you are %(role)s.") % {
            "rule": alert.rule.name, "step": step_index + 1, "role": role}
        for channel in step.channels:
            if channel == Channel.WEBHOOK:
                continue
            in_app = channel == Channel.IN_APP
            rows.append(Notification(
                alert=alert, event=event, recipient=user, channel=channel, reason=reason[:300], step=step_index,
                idempotency_key=f"alert{alert.pk}-ev{event.pk}-{channel}-u{user.pk}", created_at=now,
                # The in-app row is the inbox itself: written is delivered.
                status=NotificationStatus.SENT if in_app else NotificationStatus.PENDING,
                sent_at=now if in_app else None, next_attempt_at=None if in_app else now,
            ))
    Notification.objects.bulk_create(rows)
    if recipients:
        AlertEvent.objects.create(
            alert=alert, kind=EventKind.NOTIFIED, step=step_index, created_at=now, note=note,
            data={"recipients": [{"user_id": u.pk, "name": str(u), "role": role} for u, role in recipients]},
        )
    _enqueue_on_commit(rows)
    return rows


def notify_webhooks(*, alert: Alert, event: AlertEvent, now) -> list[Notification]:
    rows = []
    endpoints = WebhookEndpoint.objects.filter(active=True).select_related("owner_user")
    for endpoint in endpoints:
        if event.kind not in (endpoint.events or []):
            continue
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[endpoint.min_severity]:
            continue
        if not endpoint_may_receive(endpoint, alert.situation):
            continue
        rows.append(Notification(
            alert=alert, event=event, endpoint=endpoint, channel=Channel.WEBHOOK, step=event.step,
            reason=(_("Rule “%(rule)s”: endpoint %(name)s subscribes to %(kind)s at %(severity)s or above.")
                    % {"rule": alert.rule.name, "name": endpoint.name, "kind": event.kind,
                       "severity": endpoint.min_severity})[:300],
            idempotency_key=f"alert{alert.pk}-ev{event.pk}-webhook-w{endpoint.pk}", created_at=now,
            next_attempt_at=now,
        ))
    Notification.objects.bulk_create(rows)
    _enqueue_on_commit(rows)
    return rows
