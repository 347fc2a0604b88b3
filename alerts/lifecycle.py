"""The alert lifecycle: the one module that changes the status and timers of an
escalation (AlertGroup) and of the conditions (Alert) inside it.

    open ──acknowledge──▶ acknowledged            any unresolved ──resolve──▶ resolved
      │ ▲                                          (a person, with a note; or the last
      │ └──wake── snoozed ◀──snooze── open/ack.     condition clearing; or the situation
      └──escalate (its wait ran out, a manager,      closing, with its outcome)
         or an acknowledgement that lapsed)──▶ open, one step further

A situation has at most one unresolved group. A condition found true opens one, or
joins the open one (a batched update at most once per ALERTS_GROUP_INTERVAL_SECONDS;
a more severe condition moves the group onto its policy, keeping the step). A condition
that returns within its rule's cool-down rejoins its group silently, with the group's
acknowledgement, snooze, owner and step as they were; too many returns in a day mark
the group flapping, with one notice.

Each function takes rows its caller has locked and `now`, makes one change, writes the
AlertEvent that records it and the notifications it calls for. Callers decide *whether*
a change may happen (evaluation: the facts; services: the person's permission; the
scans: the clock); none of them sets a status or a timer field
(tests/alerts/test_lifecycle_is_the_only_writer.py). Waits live in indexed columns read
by the periodic scans; nothing waits in the broker.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import recipients
from alerts.choices import SEVERITY_RANK, AlertStatus, EventKind
from alerts.models import UNRESOLVED_Q, Alert, AlertEvent, AlertGroup, Notification
from alerts.snapshots import PolicySnapshot
from alerts.triggers import Finding
from coordination.sharing import can_see_situation
from coordination.windows import active_windows, wait_factor
from core.errors import DomainError

MAX_SNOOZE = dt.timedelta(days=30)
FLAP_WINDOW = dt.timedelta(hours=24)


@dataclass
class Changes:
    """What one evaluation did to a situation's group, announced once at its end, so
    that three conditions found by one reading make one notification, not three."""

    now: dt.datetime
    opened: set[int] = field(default_factory=set)
    grown: set[int] = field(default_factory=set)  # joined by a condition, or more severe
    groups: dict[int, AlertGroup] = field(default_factory=dict)
    # Conditions opened or joined whose finding is addressed to the situation's lead.
    addressed: list[Alert] = field(default_factory=list)

    def remember(self, group: AlertGroup) -> AlertGroup:
        self.groups[group.pk] = group
        return group


def _event(group: AlertGroup, kind: str, now: dt.datetime, *, alert: Alert | None = None, actor=None,
           note: str = "", step: int | None = None, data: dict | None = None) -> AlertEvent:
    return AlertEvent.objects.create(group=group, alert=alert, kind=kind, actor=actor, note=note, data=data or {},
                                     created_at=now, step=group.current_step if step is None else step)


def _finding_data(finding: Finding) -> dict:
    return {"evidence": finding.evidence, **finding.detail}


def _wait(group: AlertGroup, index: int, now: dt.datetime) -> dt.timedelta:
    """The step's wait, shortened inside the situation's open risk windows."""
    windows = active_windows(group.situation_id, on=now.astimezone(dt.timezone.utc).date())
    return group.snapshot.steps[index].wait * wait_factor(windows)


def _deadline_after(group: AlertGroup, index: int, now: dt.datetime) -> dt.datetime | None:
    """When step `index` times out, or None if nothing comes after it."""
    if not group.snapshot.has_step_after(index):
        return None
    return now + _wait(group, index, now)


def has_step_after_current(group: AlertGroup) -> bool:
    return group.snapshot.has_step_after(group.current_step)


def _require_unresolved(group: AlertGroup) -> None:
    if group.status == AlertStatus.RESOLVED:
        raise DomainError(_("This escalation is resolved."), field="status", code="alert_resolved")


def unresolved_group(situation_id: int) -> AlertGroup | None:
    return (AlertGroup.objects.select_for_update(of=("self",)).select_related("situation", "policy_rule")
            .filter(UNRESOLVED_Q, situation_id=situation_id).first())


# --- Conditions: found, seen again, returned, cleared ------------------------------------

def _new_condition(group: AlertGroup, rule, dedup_key: str, finding: Finding, now: dt.datetime) -> Alert:
    return Alert.objects.create(
        group=group, rule=rule, situation_id=group.situation_id, action_id=finding.action_id,
        commitment_id=finding.commitment_id, government_id=finding.government_id,
        indicator_id=finding.indicator_id, dedup_key=dedup_key, severity=finding.severity, title=finding.title[:300],
        detail=finding.detail, evidence=finding.evidence, evidence_at=finding.evidence_at or now,
        first_seen=now, last_seen=now, next_nag_at=_first_nag(rule, now),
    )


def _nag_interval(rule) -> dt.timedelta | None:
    """How often a rule nags the owners of its condition: nag_days (an overdue action)
    or nag_hours (a missed check-in); None: never."""
    params = rule.params or {}
    interval = dt.timedelta(days=params.get("nag_days") or 0, hours=params.get("nag_hours") or 0)
    return interval or None


def _first_nag(rule, now: dt.datetime) -> dt.datetime | None:
    interval = _nag_interval(rule)
    return now + interval if interval else None


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
    group = changes.groups.get(_open_group_id(situation.pk, changes)) or unresolved_group(situation.pk)
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


def _open_group_id(situation_id: int, changes: Changes) -> int | None:
    return next((pk for pk, g in changes.groups.items()
                 if g.situation_id == situation_id and g.status != AlertStatus.RESOLVED), None)


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
    current = changes.groups.get(_open_group_id(condition.situation_id, changes)) or unresolved_group(
        condition.situation_id)
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


# --- What one evaluation changed, told once --------------------------------------------

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


def send_update(group: AlertGroup, now: dt.datetime) -> None:
    """One batched update to the current step's people: every condition as it stands."""
    group.last_update_at, group.update_due_at = now, None
    group.save(update_fields=["last_update_at", "update_due_at"])
    event = _event(group, EventKind.UPDATED, now, data={"conditions": group.conditions.filter(
        status=AlertStatus.OPEN).count(), "severity": group.severity})
    recipients.notify_step(group=group, event=event, step_index=group.current_step, now=now)


# --- The clock -------------------------------------------------------------------------

def escalate(group: AlertGroup, now: dt.datetime, *, actor=None, note: str = "") -> bool:
    """Move the group to its next step and notify it; the group is open again (a snooze
    or an acknowledgement ends) and the next step's clock starts. False, with the clock
    stopped, if there is no next step."""
    if not has_step_after_current(group):
        group.next_escalation_at = None
        group.save(update_fields=["next_escalation_at"])
        return False
    index = min(group.current_step + 1, len(group.snapshot.steps) - 1)
    group.status, group.snoozed_until = AlertStatus.OPEN, None
    group.current_step = index
    group.next_escalation_at = _deadline_after(group, index, now)
    group.last_update_at, group.update_due_at = now, None  # the step's message lists every condition
    group.save(update_fields=["current_step", "next_escalation_at", "status", "snoozed_until", "last_update_at",
                              "update_due_at"])
    event = _event(group, EventKind.ESCALATED, now, actor=actor, note=note, step=index)
    recipients.notify_step(group=group, event=event, step_index=index, now=now)
    recipients.notify_webhooks(group=group, event=event, now=now)
    return True


def wake(group: AlertGroup, now: dt.datetime) -> None:
    """A snooze ended: the group is open again and its clock runs from where it stood.
    One snoozed while acknowledged had no clock: its current step's wait starts now, or
    it would be open and never escalate."""
    group.status, group.snoozed_until = AlertStatus.OPEN, None
    if group.next_escalation_at is None:
        group.next_escalation_at = _deadline_after(group, group.current_step, now)
    group.save(update_fields=["status", "snoozed_until", "next_escalation_at"])
    _event(group, EventKind.SNOOZE_ENDED, now)


def review_acknowledgement(group: AlertGroup, now: dt.datetime, *, last_progress: dt.datetime | None) -> None:
    """An acknowledged group whose review time came (the policy's ack_reminder_hours).
    Progress since the wait now ending began (the acknowledgement, the last progress that
    restarted it, or the reminder) restarts the wait; without it, the acknowledger is
    reminded once, and after ack_lapse_hours the acknowledgement lapses and the next step
    is notified."""
    snapshot = group.snapshot
    reminder = dt.timedelta(hours=snapshot.ack_reminder_hours or 24)
    # When the wait that ends now began: counted back from its end, so that progress
    # which already restarted it once does not restart it again at every scan.
    since = group.ack_reminded_at or max(group.ack_review_at - reminder, group.acknowledged_at)
    if last_progress is not None and last_progress > since:
        group.ack_review_at = last_progress + reminder
        group.ack_reminded_at = None
        group.save(update_fields=["ack_review_at", "ack_reminded_at"])
        return
    if group.ack_reminded_at is None and group.acknowledged_by_id is not None:
        group.ack_reminded_at = now
        group.ack_review_at = now + dt.timedelta(hours=snapshot.ack_lapse_hours or 24) \
            if snapshot.ack_lapse_hours is not None else None
        group.save(update_fields=["ack_reminded_at", "ack_review_at"])
        event = _event(group, EventKind.ACK_REMINDED, now, data={"acknowledged_by": group.acknowledged_by_id})
        recipients.notify_users(group=group, event=event, users=[group.acknowledged_by], now=now,
                                reason=_("You acknowledged it and nothing has moved since."))
        return
    who = group.acknowledged_by_id
    group.acknowledged_by = group.acknowledged_at = None
    group.ack_review_at = group.ack_reminded_at = None
    group.status = AlertStatus.OPEN
    group.save(update_fields=["acknowledged_by", "acknowledged_at", "ack_review_at", "ack_reminded_at", "status"])
    _event(group, EventKind.UNACKNOWLEDGED, now, data={"acknowledged_by": who})
    if not escalate(group, now):
        # On the last step already: its people hear again that it waits for them.
        event = _event(group, EventKind.ESCALATED, now)
        recipients.notify_step(group=group, event=event, step_index=group.current_step, now=now)


def nag(condition: Alert, now: dt.datetime, *, stop: bool) -> None:
    """The owners of a condition are reminded every nag interval until it clears or, for
    an overdue action, until the action is updated: an overdue action's owner
    government's liaisons and assignee; for one government's overdue part of a joint
    action, that government's people only; a missed check-in's government's liaisons only."""
    interval = _nag_interval(condition.rule)
    owned = condition.action_id is not None or condition.government_id is not None
    if stop or not interval or not owned or condition.status != AlertStatus.OPEN:
        condition.next_nag_at = None
        condition.save(update_fields=["next_nag_at"])
        return
    condition.next_nag_at = now + interval
    condition.save(update_fields=["next_nag_at"])
    group = condition.group
    commitment = condition.commitment
    if commitment is not None:
        data, people = ({"action_id": condition.action_id, "commitment_id": commitment.pk},
                        recipients.commitment_owners(commitment))
        reason = _("Your government's part of “%(action)s” is overdue.") % {"action": condition.action.title}
    elif condition.action_id is not None:
        data, people = {"action_id": condition.action_id}, recipients.action_owners(condition.action)
        reason = _("The action “%(action)s” is overdue and your government owns it.") % {
            "action": condition.action.title}
    else:
        data, people = {"government_id": condition.government_id}, recipients.government_liaisons(
            condition.government_id)
        reason = _("Your government’s check-in on “%(situation)s” is overdue: confirm it on the situation page.") % {
            "situation": group.situation.title}
    event = _event(group, EventKind.NAGGED, now, alert=condition, data=data)
    recipients.notify_users(group=group, event=event, users=people, now=now, reason=reason)


# --- What people do ----------------------------------------------------------------------

def acknowledge(group: AlertGroup, now: dt.datetime, *, actor, note: str = "") -> None:
    """Stops the escalation clock; the group stays until its conditions clear or someone
    resolves it. Without progress for the policy's ack_reminder_hours, a reminder."""
    _require_unresolved(group)
    if group.status == AlertStatus.ACKNOWLEDGED:
        raise DomainError(_("This escalation is already acknowledged."), field="status", code="already_acknowledged")
    hours = group.snapshot.ack_reminder_hours
    group.status, group.acknowledged_by, group.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    group.next_escalation_at, group.snoozed_until = None, None
    group.ack_review_at = now + dt.timedelta(hours=hours) if hours else None
    group.ack_reminded_at = None
    group.save()
    _event(group, EventKind.ACKNOWLEDGED, now, actor=actor, note=note)


def check_snooze(group: AlertGroup, now: dt.datetime, *, until: dt.datetime) -> None:
    """What `snooze` refuses, for a caller that must know before it asks for a sign-off."""
    _require_unresolved(group)
    if until is None or timezone.is_naive(until):
        raise DomainError(_("Give the end of the snooze with a time zone."), field="until")
    if until <= now:
        raise DomainError(_("A snooze must end in the future."), field="until")
    if until - now > MAX_SNOOZE:
        raise DomainError(_("A snooze lasts at most 30 days."), field="until")


def snooze(group: AlertGroup, now: dt.datetime, *, actor, until: dt.datetime, note: str = "") -> None:
    """Pause the clock until `until`: the time left on the current step is kept and runs
    again once the snooze ends (the escalation scan wakes it)."""
    check_snooze(group, now, until=until)
    if group.status == AlertStatus.OPEN and group.next_escalation_at is not None:
        group.next_escalation_at = until + max(group.next_escalation_at - now, dt.timedelta(0))
    group.status, group.snoozed_until = AlertStatus.SNOOZED, until
    group.save()
    _event(group, EventKind.SNOOZED, now, actor=actor, note=note, data={"until": until.isoformat()})


def _close(group: AlertGroup, now: dt.datetime, *, actor, note: str, outcome: str = "") -> None:
    group.status, group.resolved_by, group.resolved_at, group.resolution_note = (
        AlertStatus.RESOLVED, actor, now, note)
    group.outcome = outcome
    group.next_escalation_at = group.snoozed_until = group.update_due_at = group.ack_review_at = None
    group.resume_status, group.resume_wait_seconds = "", None
    group.save()
    # Conditions that still hold stay quiet until they clear, instead of opening anew.
    group.conditions.filter(status=AlertStatus.OPEN).update(status=AlertStatus.RESOLVED, resolved_at=now,
                                                            next_nag_at=None)
    event = _event(group, EventKind.RESOLVED, now, actor=actor, note=note,
                   data={"outcome": outcome} if outcome else None)
    recipients.notify_webhooks(group=group, event=event, now=now)


def check_resolve(group: AlertGroup, *, note: str) -> None:
    """What `resolve` refuses, for a caller that must know before it asks for a sign-off."""
    _require_unresolved(group)
    if not (note or "").strip():
        raise DomainError(_("Say in a note how it was resolved."), field="note")


def resolve(group: AlertGroup, now: dt.datetime, *, actor, note: str) -> None:
    check_resolve(group, note=note)
    _close(group, now, actor=actor, note=note)


def resolve_with_situation(group: AlertGroup, now: dt.datetime, *, outcome: str, note: str) -> None:
    """The situation closed: its escalation resolves with the outcome as its note, and
    nothing escalates on it any more."""
    _close(group, now, actor=None, note=note, outcome=outcome)


def reassign(group: AlertGroup, now: dt.datetime, *, actor, owner, note: str = "") -> None:
    _require_unresolved(group)
    if owner is not None and not can_see_situation(owner, group.situation_id):
        # Same answer as for a user who does not exist: the situation stays unmentioned.
        raise DomainError(_("No such user can take this escalation."), field="owner")
    previous = group.owner_id
    group.owner = owner
    group.save(update_fields=["owner"])
    event = _event(group, EventKind.REASSIGNED, now, actor=actor, note=note,
                   data={"from_user_id": previous, "to_user_id": owner.pk if owner else None})
    if owner is not None and owner.pk != previous:
        recipients.notify_users(group=group, event=event, users=[owner], now=now,
                                reason=_("%(who)s made you the owner of this escalation.") % {"who": actor})


def add_note(group: AlertGroup, now: dt.datetime, *, actor, note: str) -> None:
    """A note on the timeline; it counts as progress on an acknowledged group."""
    if not (note or "").strip():
        raise DomainError(_("Write the note."), field="note")
    _event(group, EventKind.NOTE, now, actor=actor, note=note)


def escalate_by_hand(group: AlertGroup, now: dt.datetime, *, actor, note: str = "") -> None:
    """A manager skips the wait: the next step is notified now."""
    _require_unresolved(group)
    if not has_step_after_current(group):
        raise DomainError(_("This escalation is on the last step of its policy."), field="step", code="last_step")
    escalate(group, now, actor=actor, note=note)
