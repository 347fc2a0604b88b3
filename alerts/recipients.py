"""Who is told about an escalation (an alert group), and the outbox rows that tell them.

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
    AlertStatus,
    Channel,
    EventKind,
    NotificationStatus,
    StepTarget,
)
from alerts.models import AlertEvent, AlertGroup, Notification, WebhookEndpoint
from alerts.snapshots import StepSnapshot
from coordination.choices import PartnerRole
from coordination.sharing import can_see_situation, government_can_see_situation
from core.roles import Role


def endpoint_may_receive(endpoint: WebhookEndpoint, situation) -> bool:
    """A person's endpoint receives what its owner may see; a government's, what the
    government may receive as an organisation (no TLP:RED)."""
    if endpoint.owner_user_id is not None:
        return can_see_situation(endpoint.owner_user, situation.pk)
    return government_can_see_situation(endpoint.owner_government_id, situation.pk)


def _candidates(group: AlertGroup, step: StepSnapshot) -> list[tuple[User, str]]:
    """(user, role) for every target of the step, in a stable order, first role wins."""
    situation = group.situation
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
        elif target == StepTarget.ACTION_ASSIGNEE:
            assignees = User.objects.filter(assigned_actions__alerts__group=group,
                                            assigned_actions__alerts__status=AlertStatus.OPEN).distinct()
            found += [(u, _("assignee of an action concerned")) for u in assignees]
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


def step_recipients(group: AlertGroup, step: StepSnapshot) -> list[tuple[User, str]]:
    return [(user, role) for user, role in _candidates(group, step) if can_see_situation(user, group.situation_id)]


def lead_people(situation) -> list[User]:
    """Whom a condition addressed to the lead is for: the situation's lead desk officer
    and the liaisons of its lead government(s) (the government's people and the
    assignment's named liaison)."""
    lead = Q(role=Role.LIAISON, is_active=True) & (
        Q(government__assignments__situation=situation, government__assignments__role=PartnerRole.LEAD)
        | Q(liaison_assignments__situation=situation, liaison_assignments__role=PartnerRole.LEAD))
    people = list(User.objects.filter(lead).distinct())
    if situation.lead_officer_id and situation.lead_officer.is_active:
        people.append(situation.lead_officer)
    return sorted({u.pk: u for u in people}.values(), key=lambda u: u.pk)


def government_liaisons(government_id: int, *, also=None) -> list[User]:
    """A government's active liaisons (a missed check-in is theirs to answer), with `also`
    — the one person named on what they must act on — in id order, each once."""
    people = list(User.objects.filter(role=Role.LIAISON, government_id=government_id, is_active=True))
    if also is not None and all(u.pk != also.pk for u in people):
        people.append(also)
    return sorted(people, key=lambda u: u.pk)


def action_owners(action) -> list[User]:
    """Who must act on an action: its owner government's liaisons and its assignee."""
    return government_liaisons(action.owner_government_id, also=action.assignee if action.assignee_id else None)


def commitment_owners(commitment) -> list[User]:
    """Who must act on one government's part of a joint action: that government's
    liaisons and the commitment's liaison — nobody of the other partners."""
    liaison = commitment.liaison
    return government_liaisons(commitment.government_id,
                               also=liaison if liaison is not None and liaison.is_active else None)


def _enqueue_on_commit(notifications: list[Notification]) -> None:
    ids = [n.pk for n in notifications if n.status == NotificationStatus.PENDING]
    if ids:
        transaction.on_commit(lambda: [dispatch.publish_delivery(pk) for pk in ids])


def _rows_for(group: AlertGroup, event: AlertEvent, user: User, channels, reason: str, step: int | None, now
              ) -> list[Notification]:
    rows = []
    for channel in channels:
        if channel == Channel.WEBHOOK:
            continue
        in_app = channel == Channel.IN_APP
        rows.append(Notification(
            group=group, event=event, recipient=user, channel=channel, reason=reason[:300], step=step,
            idempotency_key=f"group{group.pk}-ev{event.pk}-{channel}-u{user.pk}", created_at=now,
            # The in-app row is the inbox itself: written is delivered.
            status=NotificationStatus.SENT if in_app else NotificationStatus.PENDING,
            sent_at=now if in_app else None, next_attempt_at=None if in_app else now,
        ))
    return rows


def _write(group: AlertGroup, event: AlertEvent, rows: list[Notification], notified: list[tuple[User, str]],
           now, note: str = "") -> list[Notification]:
    Notification.objects.bulk_create(rows)
    if notified:
        AlertEvent.objects.create(
            group=group, kind=EventKind.NOTIFIED, step=event.step, created_at=now, note=note,
            data={"about": event.kind,
                  "recipients": [{"user_id": u.pk, "name": str(u), "role": role} for u, role in notified]},
        )
    _enqueue_on_commit(rows)
    return rows


def notify_step(*, group: AlertGroup, event: AlertEvent, step_index: int, now, note: str = "") -> list[Notification]:
    """Write the outbox rows telling one step's people about `event` (the group opened,
    escalated, grew, is flapping…), and the "notified" event naming them. One row per
    person and channel, whatever the number of conditions: the message lists them."""
    step = group.snapshot.step(step_index)
    if step is None:
        return []
    notified = step_recipients(group, step)
    rule = group.policy_rule.name if group.policy_rule_id else ""
    rows = []
    for user, role in notified:
        reason = _("Rule “%(rule)s”, step %(step)d: you are %(role)s.") % {
            "rule": rule, "step": step_index + 1, "role": role}
        rows += _rows_for(group, event, user, step.channels, reason, step_index, now)
    return _write(group, event, rows, notified, now, note)


def notify_users(*, group: AlertGroup, event: AlertEvent, users, now, reason: str) -> list[Notification]:
    """Tell named people (a reminder, a nag, a new owner) by e-mail and in the app, if
    they may still see the situation."""
    notified = [(u, reason) for u in users if u is not None and can_see_situation(u, group.situation_id)]
    rows = []
    for user, _reason in notified:
        rows += _rows_for(group, event, user, (Channel.EMAIL, Channel.IN_APP), reason, event.step, now)
    return _write(group, event, rows, notified, now)


def notify_webhooks(*, group: AlertGroup, event: AlertEvent, now) -> list[Notification]:
    rows = []
    endpoints = WebhookEndpoint.objects.filter(active=True).select_related("owner_user")
    rule = group.policy_rule.name if group.policy_rule_id else ""
    for endpoint in endpoints:
        if event.kind not in (endpoint.events or []):
            continue
        if SEVERITY_RANK[group.severity] < SEVERITY_RANK[endpoint.min_severity]:
            continue
        if not endpoint_may_receive(endpoint, group.situation):
            continue
        rows.append(Notification(
            group=group, event=event, endpoint=endpoint, channel=Channel.WEBHOOK, step=event.step,
            reason=(_("Rule “%(rule)s”: endpoint %(name)s subscribes to %(kind)s at %(severity)s or above.")
                    % {"rule": rule, "name": endpoint.name, "kind": event.kind,
                       "severity": endpoint.min_severity})[:300],
            idempotency_key=f"group{group.pk}-ev{event.pk}-webhook-w{endpoint.pk}", created_at=now,
            next_attempt_at=now,
        ))
    Notification.objects.bulk_create(rows)
    _enqueue_on_commit(rows)
    return rows
