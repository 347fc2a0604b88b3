"""The clock: a step's wait and deadline (shortened inside risk windows), the batched
update, escalation to the next step, the end of a snooze, the review of an
acknowledgement, and the reminders to a condition's owners. The escalation scans call
these when a timer they read comes due."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from alerts import recipients
from alerts.choices import AlertStatus, EventKind
from alerts.lifecycle.common import _event
from alerts.models import Alert, AlertGroup
from coordination.windows import active_windows, wait_factor


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


def _nag_interval(rule) -> dt.timedelta | None:
    """How often a rule nags the owners of its condition: nag_days (an overdue action)
    or nag_hours (a missed check-in); None: never."""
    params = rule.params or {}
    interval = dt.timedelta(days=params.get("nag_days") or 0, hours=params.get("nag_hours") or 0)
    return interval or None


def _first_nag(rule, now: dt.datetime) -> dt.datetime | None:
    interval = _nag_interval(rule)
    return now + interval if interval else None


def send_update(group: AlertGroup, now: dt.datetime) -> None:
    """One batched update to the current step's people: every condition as it stands."""
    group.last_update_at, group.update_due_at = now, None
    group.save(update_fields=["last_update_at", "update_due_at"])
    event = _event(group, EventKind.UPDATED, now, data={"conditions": group.conditions.filter(
        status=AlertStatus.OPEN).count(), "severity": group.severity})
    recipients.notify_step(group=group, event=event, step_index=group.current_step, now=now)


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
