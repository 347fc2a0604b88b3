"""Check-ins: each government assigned to an open situation confirms it every N days,
N by the situation's risk level (settings.CHECKIN_DAYS), with one click — "still
accurate", or "changed" with a note. The one place that says when a check-in is due
(docs/DESIGN.md, "Check-ins").

Due = the latest of the government's last check-in on the situation, the assignment's
creation and the situation's last reopening, + N days: a reopened situation asks again
from the day it was reopened, not from before it was closed. `reschedule` writes it to
`PartnerAssignment.checkin_due_at` whenever one of its inputs changes (an assignment, a
check-in, a risk level), so lists, dashboards, the escalation engine's trigger and the
minute scan all read one indexed column instead of recomputing it per row.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import outbox
from coordination.choices import SituationStatus
from coordination.models import CheckIn, CheckInAnswer, PartnerAssignment, Situation
from coordination.sharing import can_see_situation, visible_situation_q
from core.errors import DomainError, NotPermitted
from core.roles import Role

# "Due" on the dashboards: falls due within this long (past due is "missed").
DUE_SOON = dt.timedelta(days=3)
OPEN_SITUATION_Q = ~Q(situation__status=SituationStatus.CLOSED)


def days_for(risk_level: str) -> int:
    table = settings.CHECKIN_DAYS
    return int(table.get(risk_level, table["default"]))


def due_after(since: dt.datetime, risk_level: str) -> dt.datetime:
    return since + dt.timedelta(days=days_for(risk_level))


def _last_checkin_at():
    return Subquery(CheckIn.objects.filter(situation_id=OuterRef("situation_id"),
                                           government_id=OuterRef("government_id"))
                    .order_by("-checked_in_at", "-id").values("checked_in_at")[:1], output_field=DateTimeField())


def government_watches(government_id: int, situation_id: int) -> bool:
    """A government is asked to confirm only what one of its liaisons may see (the
    sharing rule): an observer on AMBER+STRICT, or a government with nobody named on a
    RED situation, cannot confirm it, and nagging nobody would only page the managers."""
    liaisons = get_user_model().objects.filter(role=Role.LIAISON, government_id=government_id, is_active=True)
    return any(can_see_situation(liaison, situation_id) for liaison in liaisons)


def reschedule(situation_id: int, government_id: int | None = None) -> bool:
    """Inside the change's transaction: set the next due time of the situation's
    assignments (one government's, or all of them when the risk level, the marking or
    the named liaisons may have moved). True if any due time changed."""
    assignments = PartnerAssignment.objects.filter(situation_id=situation_id)
    if government_id is not None:
        assignments = assignments.filter(government_id=government_id)
    rows = assignments.annotate(last_checkin_at=_last_checkin_at()).values_list(
        "pk", "government_id", "created_at", "last_checkin_at", "situation__reopened_at", "checkin_due_at",
        "situation__risk_level")
    changed = False
    for pk, gov_id, created_at, last_checkin_at, reopened_at, before, risk_level in rows:
        since = max(t for t in (created_at, last_checkin_at, reopened_at) if t is not None)
        due = due_after(since, risk_level) if government_watches(gov_id, situation_id) else None
        if due != before:
            # update(), not save(): the due time is not part of the assignment's history.
            PartnerAssignment.objects.filter(pk=pk).update(checkin_due_at=due)
            changed = True
    return changed


# --- Reads (constant queries for any number of rows) -------------------------------------

def with_schedule(assignments: QuerySet[PartnerAssignment]) -> QuerySet[PartnerAssignment]:
    """Each assignment with `last_checkin_at` and `next_due_at`, in SQL."""
    return assignments.annotate(last_checkin_at=_last_checkin_at(), next_due_at=F("checkin_due_at"))


def situation_schedule(*, situation: Situation) -> list[PartnerAssignment]:
    """Every assigned government of the situation, its last check-in and next due (for
    staff on the situation page; a closed situation has no schedule)."""
    if situation.status == SituationStatus.CLOSED:
        return []
    return list(with_schedule(PartnerAssignment.objects.filter(situation=situation))
                .select_related("government").order_by("government__name"))


def next_due_for(*, user, situation: Situation) -> PartnerAssignment | None:
    """The user's government's assignment on the situation, with its schedule, when the
    user may check in there; None otherwise."""
    if situation.status == SituationStatus.CLOSED or not may_check_in(user, situation):
        return None
    return with_schedule(PartnerAssignment.objects.filter(situation=situation,
                                                          government_id=user.government_id)).first()


def due_for_user(*, user, now: dt.datetime | None = None) -> QuerySet[PartnerAssignment]:
    """A liaison's government's check-ins missed or falling due within DUE_SOON, on the
    open situations the liaison may see, soonest first."""
    now = now or timezone.now()
    if user is None or not user.is_authenticated or user.role != Role.LIAISON or user.government_id is None:
        return PartnerAssignment.objects.none()
    return (with_schedule(PartnerAssignment.objects.filter(
        visible_situation_q(user, prefix="situation__"), OPEN_SITUATION_Q, government_id=user.government_id,
        checkin_due_at__lte=now + DUE_SOON))
        .select_related("situation").order_by("checkin_due_at", "pk"))


def counts_by_government(*, now: dt.datetime | None = None) -> list[dict]:
    """Per partner government, on open situations: check-ins due within DUE_SOON and
    missed (past due). One query. For staff, who see every situation."""
    now = now or timezone.now()
    return list(PartnerAssignment.objects.filter(OPEN_SITUATION_Q, checkin_due_at__isnull=False)
                .values("government_id", "government__name", "government__code")
                .annotate(due=Count("pk", filter=Q(checkin_due_at__gt=now, checkin_due_at__lte=now + DUE_SOON)),
                          missed=Count("pk", filter=Q(checkin_due_at__lte=now)))
                .order_by("government__name"))


def fallen_due_between(start: dt.datetime, end: dt.datetime) -> QuerySet[PartnerAssignment]:
    """Assignments of open situations whose check-in fell due in (start, end]: read
    through the partial index on checkin_due_at, so the cost follows what is due."""
    return PartnerAssignment.objects.filter(OPEN_SITUATION_Q, government__is_active=True,
                                            checkin_due_at__gt=start, checkin_due_at__lte=end)


def checkin_list(*, user, situation_id: int) -> QuerySet[CheckIn]:
    return (CheckIn.objects.filter(visible_situation_q(user, prefix="situation__"), situation_id=situation_id)
            .select_related("government", "checked_in_by"))


# --- Writing -----------------------------------------------------------------------------

def may_check_in(user, situation: Situation) -> bool:
    """A liaison of an assigned government who may see the situation (the sharing rule
    decides). Whether the situation is still open is check_in's to say (400)."""
    if user is None or not user.is_authenticated or user.role != Role.LIAISON or user.government_id is None:
        return False
    return (can_see_situation(user, situation.pk)
            and PartnerAssignment.objects.filter(situation=situation, government_id=user.government_id).exists())


@transaction.atomic
def check_in(*, actor, situation: Situation, answer: str, note: str = "") -> CheckIn:
    """The actor's government confirms the situation; the next one falls due N days from
    now, and the engine is told (a missed check-in condition clears)."""
    if actor is None or getattr(actor, "role", None) != Role.LIAISON or actor.government_id is None:
        raise NotPermitted(_("Only the liaisons of an assigned government check in."))
    if not may_check_in(actor, situation):
        raise NotPermitted(_("Your government is not assigned to this situation."))
    if situation.status == SituationStatus.CLOSED:
        raise DomainError(_("This situation is closed: there is nothing to check in on."), field="situation")
    if answer not in CheckInAnswer.values:
        raise DomainError(_("Answer “still accurate” or “changed”."), field="answer")
    note = (note or "").strip()
    if answer == CheckInAnswer.CHANGED and not note:
        raise DomainError(_("Say what changed."), field="note")
    checkin = CheckIn.objects.create(situation=situation, government_id=actor.government_id, checked_in_by=actor,
                                     checked_in_at=timezone.now(), answer=answer, note=note)
    reschedule(situation.pk, actor.government_id)
    outbox.record_change(situation.pk)
    return checkin

