"""Conditions found true, seen again, returned within their cool-down, and cleared:
what an evaluation does to a situation's group, one finding at a time (`announce`
tells it once at the end)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts import recipients
from alerts.choices import SEVERITY_RANK, AlertStatus, EventKind
from alerts.lifecycle.clock import _first_nag
from alerts.lifecycle.common import Changes, _event
from alerts.models import UNRESOLVED_Q, Alert, AlertEvent, AlertGroup
from alerts.snapshots import PolicySnapshot
from alerts.triggers import Finding

FLAP_WINDOW = dt.timedelta(hours=24)


def _finding_data(finding: Finding) -> dict:
    return {"evidence": finding.evidence, **finding.detail}


def unresolved_group(situation_id: int) -> AlertGroup | None:
    return (AlertGroup.objects.select_for_update(of=("self",)).select_related("situation", "policy_rule")
            .filter(UNRESOLVED_Q, situation_id=situation_id).first())


def _situation_open_group(situation_id: int, changes: Changes) -> AlertGroup | None:
    """The situation's open group: the one this evaluation already holds (one object per
    group, so that no stale copy saves over its changes), else the unresolved one, locked."""
    held = next((g for g in changes.groups.values()
                 if g.situation_id == situation_id and g.status != AlertStatus.RESOLVED), None)
    return held or unresolved_group(situation_id)


def _new_condition(group: AlertGroup, rule, dedup_key: str, finding: Finding, now: dt.datetime) -> Alert:
    return Alert.objects.create(
        group=group, rule=rule, situation_id=group.situation_id, action_id=finding.action_id,
        commitment_id=finding.commitment_id, government_id=finding.government_id,
        indicator_id=finding.indicator_id, dedup_key=dedup_key, severity=finding.severity, title=finding.title[:300],
        detail=finding.detail, evidence=finding.evidence, evidence_at=finding.evidence_at or now,
        first_seen=now, last_seen=now, next_nag_at=_first_nag(rule, now),
    )


def _open_group(situation, rule, finding: Finding, now: dt.datetime, changes: Changes) -> AlertGroup:
    group = AlertGroup.objects.create(
        situation=situation, severity=finding.severity, policy_rule=rule,
        policy_snapshot=PolicySnapshot.of(rule.policy).as_json(), opened_at=now, last_seen=now, last_update_at=now,
    )
    changes.opened.add(group.pk)
    return changes.remember(group)


def admit(*, rule, situation, dedup_key: str, finding: Finding, changes: Changes) -> tuple[Alert, str]:
    """A condition found true that holds no unresolved row: it rejoins (within its
    cool-down), joins the situation's open group, or opens one. Returns the condition
    and which of "rejoined", "joined", "opened" happened."""
    now = changes.now
    last = Alert.objects.filter(dedup_key=dedup_key, status=AlertStatus.RESOLVED).order_by("-id").first()
    cooldown = dt.timedelta(minutes=rule.cooldown_minutes)
    if last is not None and last.cleared_at is not None and now - last.cleared_at <= cooldown:
        how = _rejoin(last, finding, changes)
        if how == "opened":  # a return within the cool-down stays silent; a new group does not
            _note_addressed(last, finding, changes)
        return last, how
    group = _situation_open_group(situation.pk, changes)
    if group is None:
        try:
            with transaction.atomic():
                group = _open_group(situation, rule, finding, now, changes)
                condition = _new_condition(group, rule, dedup_key, finding, now)
        except IntegrityError:
            # Another evaluation opened the situation's group (or this condition) first.
            group = changes.remember(unresolved_group(situation.pk))
            condition = _join(group, rule, dedup_key, finding, changes)
            _note_addressed(condition, finding, changes)
            return condition, "joined"
        _event(group, EventKind.OPENED, now, alert=condition, step=0, data=_finding_data(finding))
        _note_addressed(condition, finding, changes)
        return condition, "opened"
    condition = _join(changes.remember(group), rule, dedup_key, finding, changes)
    _note_addressed(condition, finding, changes)
    return condition, "joined"


def _note_addressed(condition: Alert, finding: Finding, changes: Changes) -> None:
    if finding.address_lead and condition not in changes.addressed:
        changes.addressed.append(condition)



def _join(group: AlertGroup, rule, dedup_key: str, finding: Finding, changes: Changes) -> Alert:
    now = changes.now
    existing = Alert.objects.filter(UNRESOLVED_Q, dedup_key=dedup_key).select_for_update().first()
    if existing is not None:  # a racing evaluation admitted it first: this sighting is a refresh
        refresh(existing, finding, changes)
        return existing
    condition = _new_condition(group, rule, dedup_key, finding, now)
    _event(group, EventKind.JOINED, now, alert=condition, data=_finding_data(finding))
    _grow(group, condition, rule, changes)
    return condition


def _grow(group: AlertGroup, condition: Alert, rule, changes: Changes) -> None:
    """A condition joined, or one became more severe: a more severe one moves the group
    onto its rule's policy without restarting it from the first step."""
    group.last_seen = changes.now
    fields = ["last_seen"]
    if SEVERITY_RANK[condition.severity] > SEVERITY_RANK[group.severity]:
        before = group.severity
        group.severity, group.policy_rule = condition.severity, rule
        snapshot = PolicySnapshot.of(rule.policy)
        group.policy_snapshot = snapshot.as_json()
        if snapshot.steps:
            group.current_step = min(group.current_step, len(snapshot.steps) - 1)
        fields += ["severity", "policy_rule", "policy_snapshot", "current_step"]
        _event(group, EventKind.SEVERITY_RAISED, changes.now, alert=condition,
               data={"severity_from": before, "severity": condition.severity, "policy": snapshot.name})
    group.save(update_fields=fields)
    if group.pk not in changes.opened:
        changes.grown.add(group.pk)


def refresh(condition: Alert, finding: Finding, changes: Changes) -> None:
    """The condition still holds. New evidence (another reading, another due date) counts
    as another occurrence and may change its severity; the same evidence only moves
    last_seen."""
    now = changes.now
    fields = ["last_seen"]
    condition.last_seen = now
    if finding.evidence != condition.evidence:
        condition.occurrences += 1
        condition.evidence, condition.title, condition.detail = finding.evidence, finding.title[:300], finding.detail
        fields += ["occurrences", "evidence", "title", "detail"]
        data = _finding_data(finding)
        if finding.severity != condition.severity:
            data["severity_from"] = condition.severity
            condition.severity = finding.severity
            fields.append("severity")
        group = changes.remember(condition.group)
        _event(group, EventKind.RE_OCCURRED, now, alert=condition, data=data)
        if group.status != AlertStatus.RESOLVED and SEVERITY_RANK[condition.severity] > SEVERITY_RANK[group.severity]:
            _grow(group, condition, condition.rule, changes)
    condition.save(update_fields=fields)


def _rejoin(condition: Alert, finding: Finding, changes: Changes) -> str:
    """A condition back within its rule's cool-down: silent. Its group, if it resolved
    itself meanwhile, resumes as people had left it; a group a person resolved does not
    (their decision stands), so the condition then opens or joins anew."""
    now = changes.now
    group = condition.group
    current = _situation_open_group(condition.situation_id, changes)
    how = "rejoined"
    if current is not None:
        group = current  # its own group still open, or another opened meanwhile: it rejoins that one
    else:
        if group.resolved_by_id is None and not group.outcome and group.resume_status:
            _resume(group, now)
        else:
            group = _open_group(condition.situation, condition.rule, finding, now, changes)
            how = "opened"
    group = changes.remember(group)
    condition.group = group
    condition.status, condition.condition_active, condition.cleared_at, condition.resolved_at = (
        AlertStatus.OPEN, True, None, None)
    condition.occurrences += 1
    condition.last_seen = now
    condition.severity, condition.evidence = finding.severity, finding.evidence
    condition.title, condition.detail = finding.title[:300], finding.detail
    condition.next_nag_at = _first_nag(condition.rule, now)
    condition.save()
    if how == "opened":
        _event(group, EventKind.OPENED, now, alert=condition, step=0, data=_finding_data(finding))
        return how
    _event(group, EventKind.REJOINED, now, alert=condition, data=_finding_data(finding))
    if SEVERITY_RANK[condition.severity] > SEVERITY_RANK[group.severity]:
        _grow(group, condition, condition.rule, changes)
    _check_flapping(group, condition, now)
    return how


def _resume(group: AlertGroup, now: dt.datetime) -> None:
    status = group.resume_status
    if status == AlertStatus.SNOOZED and (group.snoozed_until is None or group.snoozed_until <= now):
        status = AlertStatus.OPEN
    group.status, group.resolved_at = status, None
    if status == AlertStatus.OPEN and group.resume_wait_seconds is not None:
        group.next_escalation_at = now + dt.timedelta(seconds=group.resume_wait_seconds)
    if status != AlertStatus.SNOOZED:
        group.snoozed_until = None
    group.resume_status, group.resume_wait_seconds = "", None
    group.save(update_fields=["status", "resolved_at", "next_escalation_at", "snoozed_until", "resume_status",
                              "resume_wait_seconds"])


def _check_flapping(group: AlertGroup, condition: Alert, now: dt.datetime) -> None:
    if group.flapping_since is not None:
        return
    returns = AlertEvent.objects.filter(alert=condition, kind=EventKind.REJOINED,
                                        created_at__gt=now - FLAP_WINDOW).count()
    if returns <= settings.ALERTS_FLAP_LIMIT:
        return
    group.flapping_since = now
    group.save(update_fields=["flapping_since"])
    event = _event(group, EventKind.FLAPPING, now, alert=condition,
                   data={"returns_in_24h": returns, "condition": condition.title})
    recipients.notify_step(group=group, event=event, step_index=group.current_step, now=now,
                           note=_("It returned %(n)d times in 24 hours: its thresholds may need a review.")
                           % {"n": returns})


def clear(condition: Alert, changes: Changes) -> bool:
    """The condition no longer holds. True if it was unresolved and now is; its group
    resolves itself when it was the last one, keeping what people decided (a return
    within the cool-down resumes it). One a person resolved only records the clearing."""
    now = changes.now
    condition.condition_active, condition.cleared_at = False, now
    condition.next_nag_at = None
    if condition.status == AlertStatus.RESOLVED:
        condition.save(update_fields=["condition_active", "cleared_at", "next_nag_at"])
        return False
    condition.status, condition.resolved_at = AlertStatus.RESOLVED, now
    condition.save(update_fields=["condition_active", "cleared_at", "next_nag_at", "status", "resolved_at"])
    group = changes.remember(condition.group)
    _event(group, EventKind.CLEARED, now, alert=condition)
    if not group.conditions.filter(status=AlertStatus.OPEN).exists():
        _resolve_itself(group, now)
    return True


def _resolve_itself(group: AlertGroup, now: dt.datetime) -> None:
    wait_left = None
    if group.next_escalation_at is not None:
        wait_left = max((group.next_escalation_at - now).total_seconds(), 0.0)
    group.resume_status, group.resume_wait_seconds = group.status, wait_left
    group.status, group.resolved_at = AlertStatus.RESOLVED, now
    group.next_escalation_at = group.update_due_at = group.ack_review_at = None
    group.save(update_fields=["resume_status", "resume_wait_seconds", "status", "resolved_at", "next_escalation_at",
                              "update_due_at", "ack_review_at"])
    event = _event(group, EventKind.AUTO_RESOLVED, now)
    recipients.notify_webhooks(group=group, event=event, now=now)
