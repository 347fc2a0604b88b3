"""Notes on a situation's timeline: the one writer of SituationNote.

Staff and the liaisons of governments assigned to a situation they may see write notes
(coordination.assessments.may_assess: the same people who may assess it). A note about
a tracked indicator may reconcile the partners' diverging assessments of it; that is
for the people the divergence is addressed to — staff and the lead government's
liaisons — since it silences the condition.
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from coordination import outbox
from coordination.assessments import may_assess
from coordination.choices import PartnerRole
from coordination.models import Indicator, Situation, SituationNote, TrackedIndicator
from coordination.models.notes import NOTE_MAX_LENGTH
from core.errors import DomainError, NotPermitted
from core.roles import has_staff_role


def may_reconcile(actor, situation: Situation) -> bool:
    if not may_assess(actor, situation.pk):
        return False
    return has_staff_role(actor) or situation.assignments.filter(
        government_id=actor.government_id, role=PartnerRole.LEAD).exists()


@transaction.atomic
def note_add(*, actor, situation: Situation, body: str, indicator: Indicator | None = None,
             reconciles: bool = False) -> SituationNote:
    if not may_assess(actor, situation.pk):
        raise NotPermitted(_("Only desk officers, managers and the liaisons of assigned governments may add notes."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the note."), field="body")
    if len(body) > NOTE_MAX_LENGTH:
        raise DomainError(_("A note is at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}, field="body")
    if indicator is not None and not TrackedIndicator.objects.filter(situation=situation,
                                                                     indicator=indicator).exists():
        raise DomainError(_("Indicator %(code)s is not tracked on this situation.") % {"code": indicator.code},
                          field="indicator")
    if reconciles:
        if indicator is None:
            raise DomainError(_("Name the indicator whose assessments were reconciled."), field="indicator")
        if not may_reconcile(actor, situation):
            raise NotPermitted(_("Only desk officers, managers and the lead government's liaisons may record a "
                                 "reconciliation."), field="reconciles")
    note = SituationNote.objects.create(
        situation=situation, author=actor, government=None if has_staff_role(actor) else actor.government,
        body=body, indicator=indicator, reconciles=reconciles)
    if reconciles:
        outbox.record_change(situation.pk)  # the divergence it settles clears on evaluation
    return note
