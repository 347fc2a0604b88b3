"""The write path of coordination: every state change goes through one of these.

Plain functions with keyword-only arguments, one transaction each, history recorded
(ActionUpdate rows, django-simple-history). Views, serializers, admin actions,
management commands and tasks call them; none of them re-implements a rule.
The modules split off from this one (readings.py, closing.py, risk_windows.py) import
the guards below; this one imports none of them, so there is no cycle.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import checkins, joint, named, outbox, signoffs
from coordination.choices import (
    ACTION_TRANSITIONS,
    RISK_RANK,
    ActionStatus,
    PartnerRole,
    SituationStatus,
)
from coordination.models import (
    Action,
    ActionUpdate,
    Commitment,
    Government,
    PartnerAssignment,
    SignoffRequest,
    Situation,
)
from coordination.sharing import can_see_situation
from core.errors import DomainError, NotPermitted, TransitionNotAllowed, VersionConflict
from core.roles import Role, has_staff_role


def _require_staff(actor, what: str) -> None:
    if not has_staff_role(actor):
        raise NotPermitted(_("Only desk officers and managers may %(what)s.") % {"what": what})


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise VersionConflict(expected=expected_version, current=obj.version)


def _refuse_closing_by_status(current: str | None, wanted: str | None) -> None:
    """Closing asks for an outcome and settles the open actions, reopening for a reason:
    a plain status edit would skip both, so it may not cross the line."""
    if wanted is None or (wanted == SituationStatus.CLOSED) == (current == SituationStatus.CLOSED):
        return
    if wanted == SituationStatus.CLOSED:
        raise DomainError(_("Close a situation with its outcome (close), not by changing its status."),
                          field="status")
    raise DomainError(_("Reopen a closed situation with a reason (reopen), not by changing its status."),
                      field="status")


# --- Situations ---------------------------------------------------------------------

SITUATION_EDITABLE_FIELDS = ("title", "country_code", "area", "summary", "status", "risk_level", "marking", "lead_officer")


@transaction.atomic
def situation_open(*, actor, title: str, country_code: str, area: str = "", summary: str = "",
                   status: str | None = None, risk_level: str | None = None, marking: str | None = None,
                   lead_officer=None, named_liaisons: Iterable = ()) -> Situation:
    _require_staff(actor, _("open situations"))
    _refuse_closing_by_status(None, status)
    situation = Situation(title=title, country_code=country_code, area=area, summary=summary,
                          lead_officer=lead_officer or actor)
    for name, value in (("status", status), ("risk_level", risk_level), ("marking", marking)):
        if value is not None:
            setattr(situation, name, value)
    situation._change_reason = "opened"
    situation.full_clean()
    situation.save()
    # No government is assigned yet, so the rule refuses anyone named at opening.
    named.apply(actor, situation, named_liaisons)
    outbox.record_change(situation.pk)
    return situation


def _edit_payload(changes: dict, named_liaisons: Iterable | None) -> dict:
    """An edit as a sign-off request keeps it (JSON): people by their ids."""
    payload = {name: (value.pk if hasattr(value, "pk") else value) for name, value in changes.items()}
    return {"changes": payload,
            "named_liaisons": None if named_liaisons is None else sorted(getattr(u, "pk", u) for u in named_liaisons)}


@transaction.atomic
def situation_update(*, actor, situation: Situation, expected_version: int | None = None,
                     named_liaisons: Iterable | None = None, signoff: SignoffRequest | None = None,
                     **changes) -> Situation | SignoffRequest:
    """Edit a situation. Check and write happen under a row lock, so two editors holding
    the same version cannot both succeed; the loser gets VersionConflict.

    An edit that lowers a guarded marking or drops the risk level two steps changes
    nothing yet: it becomes a sign-off request (returned instead of the situation),
    carried out when a second person approves it (`signoff` is then that request)."""
    _require_staff(actor, _("edit situations"))
    unknown = set(changes) - set(SITUATION_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                          field=sorted(unknown)[0])
    locked = Situation.objects.select_for_update().get(pk=situation.pk)
    _check_version(locked, expected_version)
    _refuse_closing_by_status(locked.status, changes.get("status"))
    old_rank = RISK_RANK[locked.risk_level]
    gated = signoffs.kind_for_situation_edit(locked, changes)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.full_clean()
    if gated and not signoffs.signed_off(signoff, locked.pk, gated):
        return signoffs.request_signoff(actor=actor, situation=locked, kind=gated,
                                        payload=_edit_payload(changes, named_liaisons))
    locked.save()
    if named_liaisons is not None:
        named.apply(actor, locked, named_liaisons)
    # The check-in interval follows the risk level; who is asked follows the marking.
    rescheduled = checkins.reschedule(locked.pk)
    if RISK_RANK[locked.risk_level] != old_rank or rescheduled:
        outbox.record_change(locked.pk)
    return locked


# --- Partner assignments --------------------------------------------------------------

def _checked_liaisons(liaisons: Iterable | None, government: Government) -> list:
    """Every liaison of an assignment speaks for its government: a liaison of another
    government, or a desk officer, would be sent (and, on RED, shown) what is meant for
    this government's desk."""
    people = list(liaisons or ())
    for person in people:
        if person.role != Role.LIAISON or person.government_id != government.pk:
            raise DomainError(_("%(who)s is not a partner liaison of %(gov)s.") % {"who": person,
                                                                                   "gov": government.name},
                              field="liaisons")
    return people


@transaction.atomic
def assignment_create(*, actor, situation: Situation, government: Government,
                      role: str = PartnerRole.SUPPORT, liaisons: Iterable = ()) -> PartnerAssignment:
    _require_staff(actor, _("assign governments"))
    if not government.is_active:
        raise DomainError(_("%(gov)s is not active.") % {"gov": government.name}, field="government")
    people = _checked_liaisons(liaisons, government)
    if PartnerAssignment.objects.filter(situation=situation, government=government).exists():
        raise DomainError(_("%(gov)s is already assigned to this situation.") % {"gov": government.name},
                          field="government", code="duplicate")
    assignment = PartnerAssignment(situation=situation, government=government, role=role)
    assignment.full_clean(validate_unique=False)
    assignment.save()
    if people:
        assignment.liaisons.set(people)
    checkins.reschedule(situation.pk, government.pk)
    return assignment


@transaction.atomic
def assignment_update(*, actor, assignment: PartnerAssignment, role: str | None = None,
                      liaisons: Iterable | None = None) -> PartnerAssignment:
    """Change the role, or the liaisons (None leaves them as they are; an empty list
    names none)."""
    _require_staff(actor, _("change assignments"))
    assignment = PartnerAssignment.objects.select_for_update().select_related("government").get(pk=assignment.pk)
    if role is not None:
        assignment.role = role
    people = None if liaisons is None else _checked_liaisons(liaisons, assignment.government)
    assignment.full_clean(validate_unique=False)
    assignment.save()
    if people is not None:
        assignment.liaisons.set(people)
    if checkins.reschedule(assignment.situation_id, assignment.government_id):
        outbox.record_change(assignment.situation_id)  # an observer on AMBER+STRICT is not asked
    return assignment


@transaction.atomic
def assignment_delete(*, actor, assignment: PartnerAssignment) -> None:
    """Un-assign a government. Its liaisons lose access on their next request, because
    visibility is computed from assignments on every query (coordination/sharing.py)."""
    _require_staff(actor, _("un-assign governments"))
    assignment._change_reason = f"un-assigned by {actor}"
    situation_id = assignment.situation_id
    assignment.delete()
    outbox.record_change(situation_id)  # its missed check-in, if any, clears


# --- Actions ----------------------------------------------------------------------------

def may_work_on_action(actor, action: Action, *, visible: bool = False) -> bool:
    """Staff may change any action; a liaison only those their government owns, on a
    situation they can still see. `visible`: the caller read the action through the
    sharing rule (a scoped selector), so a list asks no query per row."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if has_staff_role(actor):
        return True
    return (actor.role == Role.LIAISON and actor.government_id == action.owner_government_id
            and (visible or can_see_situation(actor, action.situation_id)))


def _require_may_work_on_action(actor, action: Action) -> None:
    if actor is None:
        raise NotPermitted(_("Sign in to change actions."))
    if not may_work_on_action(actor, action):
        raise NotPermitted(_("Only the owner government's liaison or a desk officer may change this action."))


def _require_may_propose(actor, situation: Situation, owner_government: Government) -> None:
    if has_staff_role(actor):
        return
    if actor is None or getattr(actor, "role", None) != Role.LIAISON:
        raise NotPermitted(_("Only desk officers, managers and partner liaisons may propose actions."))
    if not can_see_situation(actor, situation.pk):
        # The API and pages fetch the situation through the sharing rule first (404);
        # this is for any other caller.
        raise NotPermitted(_("You may propose actions only on situations your government is assigned to."),
                           field="situation")
    if owner_government.pk != actor.government_id:
        raise NotPermitted(_("A partner liaison proposes actions for their own government only."),
                           field="owner_government")


@transaction.atomic
def action_propose(*, actor, situation: Situation, title: str, kind: str, owner_government: Government,
                   due_date: dt.date, assignee=None, priority: str | None = None, description: str = "") -> Action:
    """Staff propose for any assigned government; a partner liaison for their own
    government, on a situation it is assigned to and they may see. Agreeing is a
    separate step, and never the liaison's (action_transition)."""
    _require_may_propose(actor, situation, owner_government)
    if situation.status == SituationStatus.CLOSED:
        raise DomainError(_("This situation is closed: reopen it before proposing an action on it."),
                          field="situation")
    if not situation.assignments.filter(government=owner_government).exists():
        raise DomainError(_("%(gov)s is not assigned to this situation; assign it before giving it an action.")
                          % {"gov": owner_government.name}, field="owner_government")
    if assignee is not None and assignee.role == Role.LIAISON and assignee.government_id != owner_government.pk:
        raise DomainError(_("A liaison assignee must belong to the owner government."), field="assignee")
    if assignee is not None and not has_staff_role(actor) and assignee.government_id != actor.government_id:
        raise DomainError(_("A partner liaison may assign an action only to a liaison of their government."),
                          field="assignee")
    now = timezone.now()
    action = Action(situation=situation, title=title, kind=kind, owner_government=owner_government,
                    due_date=due_date, assignee=assignee, description=description, created_by=actor,
                    last_activity_at=now)
    if priority is not None:
        action.priority = priority
    action.full_clean()
    action.save()
    ActionUpdate.objects.create(action=action, author=actor, old_status=ActionStatus.PROPOSED,
                                new_status=ActionStatus.PROPOSED, note=_("Proposed."))
    outbox.record_change(situation.pk)
    return action


def allowed_transitions(status: str) -> tuple[str, ...]:
    """The workflow's next steps from a status, for anyone; what one person may do with
    one action is transitions_for."""
    return ACTION_TRANSITIONS.get(status, ())


def transition_refusal(actor, action: Action, to_status: str, commitment_statuses) -> DomainError | None:
    """Why `actor` may not move `action` to `to_status` (the error to raise), or None.
    The one rule: the service raises what it returns, and the pages and the API offer
    only the steps it lets through (transitions_for). `commitment_statuses` are the
    action's commitments' (a joint action's done rule, coordination/joint.py)."""
    if to_status not in ActionStatus.values:
        return DomainError(_("Unknown status %(status)s.") % {"status": to_status}, field="status")
    allowed = allowed_transitions(action.status)
    if to_status not in allowed:
        return TransitionNotAllowed(current=action.status, target=to_status, allowed=allowed)
    if to_status == ActionStatus.AGREED and action.status == ActionStatus.PROPOSED and not has_staff_role(actor):
        # A proposal is agreed by the secretariat, so a partner's proposal is never
        # agreed by the one who made it.
        return NotPermitted(_("Only a desk officer or a manager may agree a proposed action."), field="status")
    if to_status == ActionStatus.COMPLETED:
        reason = joint.not_done_reason_for(commitment_statuses)
        if reason:
            return DomainError(reason, field="status", code="commitments_pending")
    return None


def transitions_for(actor, action: Action, *, visible: bool = False) -> tuple[str, ...]:
    """The steps `actor` may take with `action` now. Reads the action's commitments
    through `action.commitments.all()`, so a list that prefetches them (selectors.action_list)
    asks no query per row; `visible` as for may_work_on_action."""
    if not may_work_on_action(actor, action, visible=visible):
        return ()
    statuses = [c.status for c in action.commitments.all()]
    return tuple(s for s in allowed_transitions(action.status)
                 if transition_refusal(actor, action, s, statuses) is None)


@transaction.atomic
def action_transition(*, actor, action: Action, to_status: str, note: str = "",
                      expected_version: int | None = None) -> Action:
    """Move an action along its workflow and log it. The row is locked while the
    version and the transition are checked, so concurrent changes serialise and the
    second one sees the first one's result."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    _require_may_work_on_action(actor, locked)
    _check_version(locked, expected_version)
    return move_locked_action(actor=actor, locked=locked, to_status=to_status, note=note)


def move_locked_action(*, actor, locked: Action, to_status: str, note: str = "") -> Action:
    """The workflow step itself, on an action the caller has locked and has decided the
    actor may move (action_transition; a joint action completing itself when its last
    commitment is delivered, coordination/commitments.py)."""
    statuses = Commitment.objects.filter(action_id=locked.pk).values_list("status", flat=True)
    refusal = transition_refusal(actor, locked, to_status, statuses)
    if refusal is not None:
        raise refusal
    now = timezone.now()
    old_status = locked.status
    locked.status = to_status
    if to_status == ActionStatus.AGREED and locked.agreed_at is None:
        locked.agreed_at = now
    locked.completed_at = now if to_status == ActionStatus.COMPLETED else None
    if note:
        locked.progress_note = note
    locked.last_activity_at = now
    locked.version += 1
    locked._change_reason = f"{old_status} → {to_status}"
    locked.save()
    ActionUpdate.objects.create(action=locked, author=actor, old_status=old_status, new_status=to_status, note=note)
    if to_status == ActionStatus.CANCELLED:
        # Imported here: coordination/commitments.py builds on this module.
        from coordination import commitments

        commitments.withdraw_pending(actor=actor, action=locked, note=note)
    outbox.record_change(locked.situation_id)
    return locked


ACTION_EDITABLE_FIELDS = ("title", "kind", "description", "due_date", "priority", "assignee")


@transaction.atomic
def action_update(*, actor, action: Action, expected_version: int | None = None,
                  progress_note: str | None = None, **changes) -> Action:
    """Edit an action. Liaisons may only write the progress note; staff may edit the
    planning fields too. A progress note is logged as an ActionUpdate."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    _require_may_work_on_action(actor, locked)
    unknown = set(changes) - set(ACTION_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                          field=sorted(unknown)[0])
    if changes and actor.role == Role.LIAISON:
        raise NotPermitted(_("Partner liaisons may change an action's status and progress note only."),
                           field=sorted(changes)[0])
    _check_version(locked, expected_version)
    if not locked.is_open and (changes or progress_note):
        raise DomainError(_("A %(status)s action cannot be edited.") % {"status": locked.status}, field="status")
    if "assignee" in changes and changes["assignee"] is not None:
        assignee = changes["assignee"]
        if assignee.role == Role.LIAISON and assignee.government_id != locked.owner_government_id:
            raise DomainError(_("A liaison assignee must belong to the owner government."), field="assignee")
    old_due = locked.due_date
    for name, value in changes.items():
        setattr(locked, name, value)
    if "due_date" in changes and changes["due_date"] != old_due:
        # A commitment's due date defaults to its action's: those that kept the default follow it.
        Commitment.objects.filter(action=locked, due_date=old_due).update(due_date=locked.due_date,
                                                                          version=F("version") + 1)
    now = timezone.now()
    if progress_note is not None:
        locked.progress_note = progress_note
        locked.last_activity_at = now
        ActionUpdate.objects.create(action=locked, author=actor, old_status=locked.status,
                                    new_status=locked.status, note=progress_note)
    locked.version += 1
    locked.full_clean()
    locked.save()
    if "due_date" in changes or progress_note is not None:
        outbox.record_change(locked.situation_id)
    return locked
