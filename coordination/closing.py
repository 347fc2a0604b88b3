"""Closing a situation with an outcome, and reopening it (docs/DESIGN.md, "Closing and
reopening a situation").

A situation's status may not be edited into or out of "closed" (situation_update
refuses it): closing says what became of the situation and settles its open actions,
reopening says why, and both leave their mark in the history. Like every service here,
one transaction each, the situation locked while its version is compared.

`closure_of` is what the escalation engine reads to wind down a closed situation's
alerts: it learns of the closing through the outbox (the service records a change).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import checkins, outbox, signoffs
from coordination.choices import (
    OPEN_ACTION_STATUSES,
    OPEN_SITUATION_STATUSES,
    ActionStatus,
    SituationOutcome,
    SituationStatus,
)
from coordination.models import Action, SignoffKind, SignoffRequest, Situation
from coordination.services import _check_version, _require_staff, action_transition
from core.errors import DomainError


class OpenActions:
    """What closing does with the actions still open on the situation."""

    CANCEL = "cancel"
    KEEP = "keep"
    CHOICES = (CANCEL, KEEP)


@dataclass(frozen=True)
class Closure:
    situation_id: int
    outcome: str
    outcome_label: str
    note: str
    merged_into_id: int | None
    closed_at: dt.datetime
    closed_by_id: int | None

    @property
    def summary(self) -> str:
        """One line for whoever winds something down because the situation closed (the
        resolving note of its alerts). No title of the merged-into situation: the
        alert's recipients may not see that one."""
        line = _("Situation closed: %(outcome)s.") % {"outcome": self.outcome_label}
        return f"{line} {self.note}" if self.note else line


def closure_of(situation: Situation) -> Closure | None:
    """The closing of `situation` as it stands, or None while it is open. Reads only the
    row given (no query)."""
    if not situation.is_closed:
        return None
    return Closure(situation_id=situation.pk, outcome=situation.outcome,
                   outcome_label=str(situation.get_outcome_display()), note=situation.outcome_note,
                   merged_into_id=situation.merged_into_id, closed_at=situation.closed_at,
                   closed_by_id=situation.closed_by_id)


def still_open_q(prefix: str = "") -> Q:
    """A Q over Situation (or a model whose `prefix` leads to one, e.g. "situation__")
    for what is not closed: the escalation scan keeps to it, so nothing of a closed
    situation escalates even before the evaluation that winds it down has run."""
    return ~Q(**{f"{prefix}status": SituationStatus.CLOSED})


def _lock(situation: Situation) -> Situation:
    # FOR NO KEY UPDATE, not FOR UPDATE: a transition of one of its actions running
    # meanwhile takes the situation FOR KEY SHARE (the outbox) while holding its action;
    # with FOR UPDATE here the two would wait on each other.
    return Situation.objects.select_for_update(no_key=True).get(pk=situation.pk)


def _validate_merge(situation: Situation, outcome: str, merged_into: Situation | None) -> None:
    if outcome != SituationOutcome.MERGED:
        if merged_into is not None:
            raise DomainError(_("Only a situation merged into another one names it."), field="merged_into")
        return
    if merged_into is None:
        raise DomainError(_("Choose the situation this one was merged into."), field="merged_into")
    if merged_into.pk == situation.pk:
        raise DomainError(_("A situation cannot be merged into itself."), field="merged_into")
    if merged_into.status == SituationStatus.CLOSED:
        raise DomainError(_("Merge into a situation that is still open."), field="merged_into")


@transaction.atomic
def situation_close(*, actor, situation: Situation, outcome: str, note: str = "",
                    open_actions: str = OpenActions.CANCEL, cancel_reason: str = "",
                    merged_into: Situation | None = None, expected_version: int | None = None,
                    signoff: SignoffRequest | None = None) -> Situation | SignoffRequest:
    """Close the situation with its outcome. Its open actions are cancelled (each through
    the action workflow, so each gets its progress-log line with `cancel_reason`) or kept
    open for their owners to finish. The engine is told through the outbox.

    Closing silences the situation's warnings, so it needs a second person: checked as
    far as it can be, the closing becomes a sign-off request (returned instead of the
    situation) and is carried out when it is approved (`signoff` is then that request)."""
    _require_staff(actor, _("close situations"))
    if outcome not in SituationOutcome.values:
        raise DomainError(_("Choose one of the outcomes offered."), field="outcome")
    if open_actions not in OpenActions.CHOICES:
        raise DomainError(_("Open actions are either cancelled or kept."), field="open_actions")
    note, cancel_reason = (note or "").strip(), (cancel_reason or "").strip()
    locked = _lock(situation)
    _check_version(locked, expected_version)
    if locked.is_closed:
        raise DomainError(_("This situation is already closed."), field="status")
    if outcome == SituationOutcome.OTHER and not note:
        raise DomainError(_("Say what became of the situation: the outcome Other needs a note."), field="note")
    _validate_merge(locked, outcome, merged_into)
    # Every open action is taken before the first is cancelled: a cancellation writes the
    # outbox row, and a transition elsewhere waiting on it while holding one of these
    # actions would deadlock with us.
    still_open = list(Action.objects.select_for_update().filter(situation_id=locked.pk,
                                                                 status__in=OPEN_ACTION_STATUSES).order_by("pk"))
    if still_open and open_actions == OpenActions.CANCEL and not cancel_reason:
        raise DomainError(_("Say why the %(n)d open action(s) are cancelled, or keep them open.")
                          % {"n": len(still_open)}, field="cancel_reason")
    if not signoffs.signed_off(signoff, locked.pk, SignoffKind.CLOSE):
        return signoffs.request_signoff(actor=actor, situation=locked, kind=SignoffKind.CLOSE, payload={
            "outcome": outcome, "note": note, "open_actions": open_actions, "cancel_reason": cancel_reason,
            "merged_into_id": merged_into.pk if merged_into is not None else None})
    if still_open and open_actions == OpenActions.CANCEL:
        for action in still_open:
            action_transition(actor=actor, action=action, to_status=ActionStatus.CANCELLED, note=cancel_reason)
    locked.status = SituationStatus.CLOSED
    locked.outcome, locked.outcome_note, locked.merged_into = outcome, note, merged_into
    locked.closed_at, locked.closed_by = timezone.now(), actor
    locked.version += 1
    locked._change_reason = _("closed: %(outcome)s") % {"outcome": locked.get_outcome_display()}
    locked._history_user = actor
    locked.full_clean()
    locked.save()
    outbox.record_change(locked.pk)
    return locked


@transaction.atomic
def situation_reopen(*, actor, situation: Situation, note: str, status: str = SituationStatus.MONITORING,
                     expected_version: int | None = None) -> Situation:
    """Reopen a closed situation. The outcome fields are cleared; the history keeps them,
    and the reopening's record carries `note` as its reason."""
    _require_staff(actor, _("reopen situations"))
    note = (note or "").strip()
    if status not in OPEN_SITUATION_STATUSES:
        raise DomainError(_("A reopened situation is monitoring, active or de-escalating."), field="status")
    if not note:
        raise DomainError(_("Say why the situation is reopened."), field="note")
    locked = _lock(situation)
    _check_version(locked, expected_version)
    if not locked.is_closed:
        raise DomainError(_("Only a closed situation can be reopened."), field="status")
    locked.status = status
    locked.outcome, locked.outcome_note, locked.merged_into = "", "", None
    locked.closed_at = locked.closed_by = None
    locked.reopened_at = timezone.now()
    locked.version += 1
    locked._change_reason = _("reopened: %(note)s") % {"note": note}
    locked._history_user = actor
    locked.full_clean()
    locked.save()
    # Nobody was asked to check in while it was closed: every clock starts again now.
    checkins.reschedule(locked.pk)
    outbox.record_change(locked.pk)
    return locked
