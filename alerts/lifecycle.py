"""The alert lifecycle: the one module that changes an alert's status and its timers.

    open ──acknowledge──▶ acknowledged            any unresolved ──resolve──▶ resolved
      │ ▲                                           resolved ──reopen (within the
      │ └──wake── snoozed ◀──snooze── open/ack.        rule's cool-down)──▶ open
      └──escalate (its wait ran out, or a manager)──▶ open, one step further

Each function takes an alert its caller has locked (SELECT … FOR UPDATE) and `now`,
makes one change, writes the AlertEvent that records it, and writes the outbox rows
(notifications) the change calls for. Callers decide *whether* a change may happen
(evaluation: the facts; services: the person's permission; escalation: the clock);
none of them sets a status or a timer field (tests/alerts/test_lifecycle_is_the_only_writer.py).

Escalation waits live in Alert.next_escalation_at (a partial index over unresolved
alerts) and are read by the periodic scan; nothing waits in the broker.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.choices import AlertStatus, EventKind
from alerts.models import UNRESOLVED_Q, Alert, AlertEvent
from alerts.recipients import notify_step, notify_webhooks
from alerts.snapshots import PolicySnapshot
from alerts.triggers import Finding
from coordination.sharing import can_see_situation
from core.errors import DomainError

MAX_SNOOZE = dt.timedelta(days=30)


def _event(alert: Alert, kind: str, now: dt.datetime, *, actor=None, note: str = "", step: int | None = None,
           data: dict | None = None) -> AlertEvent:
    return AlertEvent.objects.create(alert=alert, kind=kind, actor=actor, note=note, data=data or {}, created_at=now,
                                     step=alert.current_step if step is None else step)


def _finding_data(finding: Finding) -> dict:
    return {"evidence": finding.evidence, **finding.detail}


def _deadline_after(alert: Alert, index: int, now: dt.datetime) -> dt.datetime | None:
    """When step `index` times out, or None if nothing comes after it."""
    snapshot = alert.snapshot
    if not snapshot.has_step_after(index):
        return None
    return now + snapshot.steps[index].wait


def has_step_after_current(alert: Alert) -> bool:
    return alert.snapshot.has_step_after(alert.current_step)


def _require_unresolved(alert: Alert) -> None:
    if alert.status == AlertStatus.RESOLVED:
        raise DomainError(_("This alert is resolved."), field="status", code="alert_resolved")


def _start_clock(alert: Alert, event: AlertEvent, now: dt.datetime) -> None:
    """First step of a freshly opened (or reopened) alert: notify it, start its clock."""
    alert.current_step = 0
    alert.next_escalation_at = _deadline_after(alert, 0, now)
    alert.save(update_fields=["current_step", "next_escalation_at"])
    notify_step(alert=alert, event=event, step_index=0, now=now)
    notify_webhooks(alert=alert, event=event, now=now)


# --- The condition: opened, seen again, gone -----------------------------------------

def open_alert(*, rule, situation, dedup_key: str, finding: Finding, now: dt.datetime) -> tuple[Alert, bool]:
    """Open an alert for a condition first seen now, freezing the rule's policy onto it.
    If another evaluation opened it first (the partial unique constraint on dedup_key),
    this sighting refreshes theirs: returns (alert, False)."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule, situation=situation, action_id=finding.action_id, indicator_id=finding.indicator_id,
                dedup_key=dedup_key, severity=finding.severity, title=finding.title[:300], detail=finding.detail,
                evidence=finding.evidence, policy_snapshot=PolicySnapshot.of(rule.policy).as_json(),
                first_seen=now, last_seen=now,
            )
    except IntegrityError:
        existing = Alert.objects.select_for_update().get(UNRESOLVED_Q, dedup_key=dedup_key)
        refresh(existing, finding, now)
        return existing, False
    event = _event(alert, EventKind.OPENED, now, step=0, data=_finding_data(finding))
    _start_clock(alert, event, now)
    return alert, True


def refresh(alert: Alert, finding: Finding, now: dt.datetime) -> None:
    """The condition still holds. New evidence (another reading, another due date) counts
    as another occurrence and may change the severity; the same evidence only moves
    last_seen."""
    changed = ["last_seen"]
    alert.last_seen = now
    if finding.evidence != alert.evidence:
        alert.occurrences += 1
        alert.evidence, alert.title, alert.detail = finding.evidence, finding.title[:300], finding.detail
        changed += ["occurrences", "evidence", "title", "detail"]
        data = _finding_data(finding)
        if finding.severity != alert.severity:
            data["severity_from"] = alert.severity
            alert.severity = finding.severity
            changed.append("severity")
        _event(alert, EventKind.RE_OCCURRED, now, data=data)
    alert.save(update_fields=changed)


def reopen(alert: Alert, finding: Finding, now: dt.datetime) -> None:
    """A resolved alert whose condition returned within its rule's cool-down: the same
    alert opens again from its first step."""
    alert.status = AlertStatus.OPEN
    alert.condition_active, alert.cleared_at = True, None
    alert.resolved_at = alert.resolved_by = alert.acknowledged_at = alert.acknowledged_by = None
    alert.snoozed_until = None
    alert.occurrences += 1
    alert.last_seen = now
    alert.severity, alert.evidence = finding.severity, finding.evidence
    alert.title, alert.detail = finding.title[:300], finding.detail
    alert.save()
    event = _event(alert, EventKind.REOPENED, now, step=0, data=_finding_data(finding))
    _start_clock(alert, event, now)


def clear(alert: Alert, now: dt.datetime) -> bool:
    """The condition no longer holds. An unresolved alert resolves itself (True); one a
    person resolved while the condition held only records that it has now cleared."""
    alert.condition_active, alert.cleared_at = False, now
    if alert.status == AlertStatus.RESOLVED:
        alert.save(update_fields=["condition_active", "cleared_at"])
        return False
    alert.status, alert.resolved_at, alert.next_escalation_at, alert.snoozed_until = (
        AlertStatus.RESOLVED, now, None, None)
    alert.save(update_fields=["condition_active", "cleared_at", "status", "resolved_at", "next_escalation_at",
                              "snoozed_until"])
    event = _event(alert, EventKind.AUTO_RESOLVED, now)
    notify_webhooks(alert=alert, event=event, now=now)
    return True


# --- The clock -------------------------------------------------------------------------

def escalate(alert: Alert, now: dt.datetime, *, actor=None, note: str = "") -> bool:
    """Move the alert to its next step and notify it; the alert is open again (a snooze
    or an acknowledgement ends) and the next step's clock starts. False, with the clock
    stopped, if there is no next step."""
    if not has_step_after_current(alert):
        alert.next_escalation_at = None
        alert.save(update_fields=["next_escalation_at"])
        return False
    index = min(alert.current_step + 1, len(alert.snapshot.steps) - 1)
    alert.status, alert.snoozed_until = AlertStatus.OPEN, None
    alert.current_step = index
    alert.next_escalation_at = _deadline_after(alert, index, now)
    alert.save(update_fields=["current_step", "next_escalation_at", "status", "snoozed_until"])
    event = _event(alert, EventKind.ESCALATED, now, actor=actor, note=note, step=index)
    notify_step(alert=alert, event=event, step_index=index, now=now)
    notify_webhooks(alert=alert, event=event, now=now)
    return True


def wake(alert: Alert, now: dt.datetime) -> None:
    """A snooze ended: the alert is open again and its clock runs from where it stood."""
    alert.status, alert.snoozed_until = AlertStatus.OPEN, None
    alert.save(update_fields=["status", "snoozed_until"])
    _event(alert, EventKind.SNOOZE_ENDED, now)


# --- What people do ----------------------------------------------------------------------

def acknowledge(alert: Alert, now: dt.datetime, *, actor, note: str = "") -> None:
    """Stops the escalation clock; the alert stays until its condition clears or someone
    resolves it."""
    _require_unresolved(alert)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        raise DomainError(_("This alert is already acknowledged."), field="status", code="already_acknowledged")
    alert.status, alert.acknowledged_by, alert.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    alert.next_escalation_at, alert.snoozed_until = None, None
    alert.save()
    _event(alert, EventKind.ACKNOWLEDGED, now, actor=actor, note=note)


def snooze(alert: Alert, now: dt.datetime, *, actor, until: dt.datetime, note: str = "") -> None:
    """Pause the clock until `until`: the time left on the current step is kept and runs
    again once the snooze ends (the escalation scan wakes it)."""
    _require_unresolved(alert)
    if until is None or timezone.is_naive(until):
        raise DomainError(_("Give the end of the snooze with a time zone."), field="until")
    if until <= now:
        raise DomainError(_("A snooze must end in the future."), field="until")
    if until - now > MAX_SNOOZE:
        raise DomainError(_("A snooze lasts at most 30 days."), field="until")
    if alert.status == AlertStatus.OPEN and alert.next_escalation_at is not None:
        alert.next_escalation_at = until + max(alert.next_escalation_at - now, dt.timedelta(0))
    alert.status, alert.snoozed_until = AlertStatus.SNOOZED, until
    alert.save()
    _event(alert, EventKind.SNOOZED, now, actor=actor, note=note, data={"until": until.isoformat()})


def resolve(alert: Alert, now: dt.datetime, *, actor, note: str) -> None:
    _require_unresolved(alert)
    if not (note or "").strip():
        raise DomainError(_("Say in a note how it was resolved."), field="note")
    alert.status, alert.resolved_by, alert.resolved_at, alert.resolution_note = AlertStatus.RESOLVED, actor, now, note
    alert.next_escalation_at, alert.snoozed_until = None, None
    alert.save()
    event = _event(alert, EventKind.RESOLVED, now, actor=actor, note=note)
    notify_webhooks(alert=alert, event=event, now=now)


def reassign(alert: Alert, now: dt.datetime, *, actor, owner, note: str = "") -> None:
    _require_unresolved(alert)
    if owner is not None and not can_see_situation(owner, alert.situation_id):
        # Same answer as for a user who does not exist: the situation stays unmentioned.
        raise DomainError(_("No such user can take this alert."), field="owner")
    previous = alert.owner_id
    alert.owner = owner
    alert.save(update_fields=["owner"])
    _event(alert, EventKind.REASSIGNED, now, actor=actor, note=note,
           data={"from_user_id": previous, "to_user_id": owner.pk if owner else None})


def escalate_by_hand(alert: Alert, now: dt.datetime, *, actor, note: str = "") -> None:
    """A manager skips the wait: the next step is notified now."""
    _require_unresolved(alert)
    if not has_step_after_current(alert):
        raise DomainError(_("This alert is on the last step of its policy."), field="step", code="last_step")
    escalate(alert, now, actor=actor, note=note)
