"""The write path of joint actions: an action's per-government commitments.

A joint action is an action with commitments (coordination/models/commitments.py): the
lead — the action's owner government — has one, accepted from the start, and each
invited partner one, which it accepts or declines (with a reason), then delivers; a
commitment may be withdrawn while it is still owed. When the last one owed is settled
and the done rule (coordination/joint.py) holds, the action completes through the
action workflow, so its history and progress log read as for any other action.

Who: staff, or a liaison of the commitment's government who may see the situation.
Inviting partners: staff, or the lead government's liaisons. Each function is one
transaction that locks the action, then the commitment (always in that order), and
records a change in the outbox: the deadline triggers read commitments.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import joint, outbox, services
from coordination.choices import (
    COMMITMENT_TRANSITIONS,
    PENDING_COMMITMENT_STATUSES,
    ActionStatus,
    CommitmentStatus,
)
from coordination.models import Action, Commitment, CommitmentUpdate, Government, Situation
from coordination.sharing import can_see_situation
from core.errors import DomainError, NotPermitted, VersionConflict
from core.roles import Role, has_staff_role

# An action past its proposal, on which a partner's part can be delivered.
DELIVERABLE_ACTION_STATUSES = (ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


def may_act_on_commitment(actor, commitment: Commitment) -> bool:
    """Staff, or a liaison of the commitment's government who may see its situation."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if has_staff_role(actor):
        return True
    return (actor.role == Role.LIAISON and actor.government_id == commitment.government_id
            and can_see_situation(actor, commitment.action.situation_id))


def may_invite(actor, action: Action) -> bool:
    """Staff, or the lead government's liaisons (services.may_work_on_action)."""
    return services.may_work_on_action(actor, action)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _lock(commitment: Commitment) -> tuple[Action, Commitment]:
    action = Action.objects.select_for_update().get(pk=commitment.action_id)
    locked = Commitment.objects.select_for_update().select_related("government").get(pk=commitment.pk)
    locked.action = action
    return action, locked


def _check_version(commitment: Commitment, expected_version: int | None) -> None:
    if expected_version is not None and commitment.version != expected_version:
        raise VersionConflict(expected=expected_version, current=commitment.version)


def _validate_liaison(liaison, government: Government) -> None:
    if liaison is not None and (liaison.role != Role.LIAISON or liaison.government_id != government.pk):
        raise DomainError(_("The liaison must be a partner liaison of %(gov)s.") % {"gov": government.name},
                          field="liaison")


def _log(commitment: Commitment, actor, old_status: str, note: str, now: dt.datetime) -> None:
    commitment.last_activity_at = now
    CommitmentUpdate.objects.create(commitment=commitment, author=actor, old_status=old_status,
                                    new_status=commitment.status, note=note)


def _new_commitment(*, actor, action: Action, government: Government, status: str, due_date: dt.date | None,
                    liaison, now: dt.datetime, note: str) -> Commitment:
    if not government.is_active:
        raise DomainError(_("%(gov)s is not active.") % {"gov": government.name}, field="government")
    if not action.situation.assignments.filter(government=government).exists():
        raise DomainError(_("%(gov)s is not assigned to this situation; assign it before inviting it.")
                          % {"gov": government.name}, field="government")
    if Commitment.objects.filter(action=action, government=government).exists():
        raise DomainError(_("%(gov)s already has a commitment on this action.") % {"gov": government.name},
                          field="government", code="duplicate")
    _validate_liaison(liaison, government)
    commitment = Commitment(action=action, government=government, status=status,
                            due_date=due_date or action.due_date, liaison=liaison, invited_by=actor,
                            accepted_at=now if status == CommitmentStatus.ACCEPTED else None, last_activity_at=now)
    commitment.full_clean(validate_unique=False)
    commitment.save()
    CommitmentUpdate.objects.create(commitment=commitment, author=actor, old_status=CommitmentStatus.INVITED,
                                    new_status=status, note=note)
    return commitment


def _invite(*, actor, action: Action, governments: Iterable[Government], due_date, liaison, now) -> list[Commitment]:
    if not action.is_open:
        raise DomainError(_("A %(status)s action takes no new partners.") % {"status": action.status},
                          field="status")
    made = []
    if not action.commitments.exists():
        # The action becomes joint: the lead's part is counted like every partner's.
        made.append(_new_commitment(actor=actor, action=action, government=action.owner_government,
                                    status=CommitmentStatus.ACCEPTED, due_date=None, liaison=None, now=now,
                                    note=_("Lead government.")))
    for government in governments:
        if government.pk == action.owner_government_id:
            raise DomainError(_("The lead government is already part of its action."), field="government")
        made.append(_new_commitment(actor=actor, action=action, government=government,
                                    status=CommitmentStatus.INVITED, due_date=due_date, liaison=liaison, now=now,
                                    note=_("Invited.")))
    return made


@transaction.atomic
def joint_action_propose(*, actor, situation: Situation, partners: Iterable[Government], **proposal) -> Action:
    """Propose an action (services.action_propose decides who may) and invite partners
    to it; the lead is the owner government."""
    partners = list(partners)
    if len({p.pk for p in partners}) != len(partners):
        raise DomainError(_("A partner is listed twice."), field="partners")
    action = services.action_propose(actor=actor, situation=situation, **proposal)
    try:
        _invite(actor=actor, action=action, governments=partners, due_date=None, liaison=None, now=timezone.now())
    except DomainError as error:
        if error.field == "government":
            error.field = "partners"
        raise
    return action


@transaction.atomic
def commitment_invite(*, actor, action: Action, government: Government, due_date: dt.date | None = None,
                      liaison=None) -> Commitment:
    locked = Action.objects.select_for_update().select_related("situation", "owner_government").get(pk=action.pk)
    _require(may_invite(actor, locked), _("Only the lead government's liaisons or a desk officer may invite "
                                          "partners to this action."))
    now = timezone.now()
    made = _invite(actor=actor, action=locked, governments=[government], due_date=due_date, liaison=liaison, now=now)
    outbox.record_change(locked.situation_id)
    return made[-1]


def _move(*, actor, commitment: Commitment, to_status: str, note: str, expected_version: int | None,
          reason: str = "") -> Commitment:
    action, locked = _lock(commitment)
    _require(may_act_on_commitment(actor, locked),
             _("Only a liaison of %(gov)s or a desk officer may change this commitment.")
             % {"gov": locked.government.name})
    _check_version(locked, expected_version)
    allowed = COMMITMENT_TRANSITIONS[locked.status]
    if to_status not in allowed:
        raise DomainError(_("A commitment cannot go from %(current)s to %(target)s. Allowed: %(allowed)s.")
                          % {"current": locked.status, "target": to_status,
                             "allowed": ", ".join(allowed) or _("none")}, field="status",
                          code="transition_not_allowed")
    if not action.is_open:
        raise DomainError(_("The action is %(status)s: its commitments are settled.") % {"status": action.status},
                          field="status")
    if to_status == CommitmentStatus.WITHDRAWN and locked.government_id == action.owner_government_id:
        raise DomainError(_("The lead government cannot withdraw from its own action; cancel the action instead."),
                          field="status")
    if to_status == CommitmentStatus.DELIVERED and action.status not in DELIVERABLE_ACTION_STATUSES:
        raise DomainError(_("The action is still proposed: a part of it is delivered once it is agreed."),
                          field="status")
    now = timezone.now()
    old_status = locked.status
    locked.status = to_status
    if to_status == CommitmentStatus.DECLINED:
        locked.decline_reason = reason
    if to_status == CommitmentStatus.ACCEPTED:
        locked.accepted_at = now
    if to_status == CommitmentStatus.DELIVERED:
        locked.delivered_at = now
    if note:
        locked.progress_note = note
    locked.version += 1
    _log(locked, actor, old_status, note or reason, now)
    locked.full_clean(validate_unique=False)
    locked.save()
    _complete_if_done(actor, action)
    outbox.record_change(action.situation_id)
    return locked


def _complete_if_done(actor, action: Action) -> None:
    """The done rule holds: the action completes, through the workflow (an agreed or
    blocked action passes through "in progress", as a person would move it)."""
    if not joint.is_done(action.pk):
        return
    note = _("Every accepted commitment is delivered.")
    if action.status in (ActionStatus.AGREED, ActionStatus.BLOCKED):
        action = services.move_locked_action(actor=actor, locked=action, to_status=ActionStatus.IN_PROGRESS,
                                             note="")
    if action.status == ActionStatus.IN_PROGRESS:
        services.move_locked_action(actor=actor, locked=action, to_status=ActionStatus.COMPLETED, note=note)


def withdraw_pending(*, actor, action: Action, note: str = "") -> list[Commitment]:
    """The action is being cancelled (services.move_locked_action, which holds its lock):
    every part still owed, the lead's too, is withdrawn with its own log line, so no
    government is asked — or counted — for a part of what will not happen. Not through
    _move, which keeps a closed action's parts as they are and the lead in its action."""
    now = timezone.now()
    withdrawn = []
    for commitment in (Commitment.objects.select_for_update()
                       .filter(action_id=action.pk, status__in=PENDING_COMMITMENT_STATUSES).order_by("pk")):
        old_status = commitment.status
        commitment.status = CommitmentStatus.WITHDRAWN
        commitment.version += 1
        _log(commitment, actor, old_status, note or _("The action was cancelled."), now)
        commitment.save()
        withdrawn.append(commitment)
    return withdrawn


@transaction.atomic
def commitment_accept(*, actor, commitment: Commitment, note: str = "",
                      expected_version: int | None = None) -> Commitment:
    return _move(actor=actor, commitment=commitment, to_status=CommitmentStatus.ACCEPTED, note=note,
                 expected_version=expected_version)


@transaction.atomic
def commitment_decline(*, actor, commitment: Commitment, reason: str,
                       expected_version: int | None = None) -> Commitment:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why your government declines."), field="reason")
    return _move(actor=actor, commitment=commitment, to_status=CommitmentStatus.DECLINED, note="", reason=reason,
                 expected_version=expected_version)


@transaction.atomic
def commitment_deliver(*, actor, commitment: Commitment, note: str = "",
                       expected_version: int | None = None) -> Commitment:
    return _move(actor=actor, commitment=commitment, to_status=CommitmentStatus.DELIVERED, note=note,
                 expected_version=expected_version)


@transaction.atomic
def commitment_withdraw(*, actor, commitment: Commitment, note: str = "",
                        expected_version: int | None = None) -> Commitment:
    return _move(actor=actor, commitment=commitment, to_status=CommitmentStatus.WITHDRAWN, note=note,
                 expected_version=expected_version)


@transaction.atomic
def commitment_update(*, actor, commitment: Commitment, expected_version: int | None = None,
                      progress_note: str | None = None, due_date: dt.date | None = None, liaison=...) -> Commitment:
    """A progress note (logged), a liaison (of the same government), or a due date (staff:
    planning, as an action's due date is)."""
    action, locked = _lock(commitment)
    _require(may_act_on_commitment(actor, locked),
             _("Only a liaison of %(gov)s or a desk officer may change this commitment.")
             % {"gov": locked.government.name})
    if due_date is not None and not has_staff_role(actor):
        raise NotPermitted(_("Only desk officers and managers may move a commitment's due date."), field="due_date")
    _check_version(locked, expected_version)
    if not locked.is_pending and (progress_note or due_date is not None or liaison is not ...):
        raise DomainError(_("A %(status)s commitment cannot be edited.") % {"status": locked.status},
                          field="status")
    now = timezone.now()
    changed_for_engine = False
    if liaison is not ...:
        _validate_liaison(liaison, locked.government)
        locked.liaison = liaison
    if due_date is not None and due_date != locked.due_date:
        locked.due_date = due_date
        changed_for_engine = True
    if progress_note is not None:
        locked.progress_note = progress_note
        _log(locked, actor, locked.status, progress_note, now)
        changed_for_engine = True
    locked.version += 1
    locked.full_clean(validate_unique=False)
    locked.save()
    if changed_for_engine:
        outbox.record_change(action.situation_id)
    return locked
