"""Partners' assessments: whose a reading is, and when partners disagree.

A reading attributed to a government (`IndicatorReading.assessing_government`) is that
partner's assessment of the indicator; an unattributed one is the secretariat's own and
never counts as a partner's. Two rules live here and nowhere else:

- `attribution`: whose assessment a new reading is. A liaison records their own
  government's, always; staff record the secretariat's unless they name a government
  assigned to the situation.
- `divergence`: whether the latest assessments of one indicator by different partners
  disagree — ordinal levels `levels` or more apart (default 2), numbers further apart
  than `share` of the larger magnitude (default 0.5), yes against no — and
  `latest_assessments` / `reconciled_since` for the facts it is judged on. The alerts
  app's `divergent_assessment` trigger asks them; the situation page shows them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from coordination.choices import ValueKind
from coordination.models import Government, IndicatorReading, PartnerAssignment, SituationNote
from coordination.sharing import can_see_situation
from core.errors import DomainError, NotPermitted
from core.roles import Role, has_staff_role

DEFAULT_LEVELS = 2
DEFAULT_SHARE = 0.5


def may_assess(actor, situation_id: int) -> bool:
    """Staff, or a liaison of a government assigned to a situation they may see."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if has_staff_role(actor):
        return True
    return actor.role == Role.LIAISON and actor.government_id is not None and can_see_situation(actor, situation_id)


def attribution(actor, requested: Government | None, assigned_ids: set[int]) -> Government | None:
    """The government a reading recorded by `actor` is attributed to. `assigned_ids`:
    the governments assigned to the situation (read once per batch by the caller)."""
    if has_staff_role(actor):
        if requested is not None and requested.pk not in assigned_ids:
            raise DomainError(_("%(gov)s is not assigned to this situation: only an assigned partner's assessment "
                                "can be recorded.") % {"gov": requested.name}, field="assessing_government")
        return requested
    if actor.government_id not in assigned_ids:
        raise NotPermitted(_("Your government is not assigned to this situation."))
    if requested is not None and requested.pk != actor.government_id:
        raise DomainError(_("A liaison records their own government's assessment only."),
                          field="assessing_government")
    return actor.government


@dataclass(frozen=True)
class Divergence:
    low: IndicatorReading
    high: IndicatorReading
    assessments: list[IndicatorReading]  # every partner's latest, by government name

    @property
    def latest_recorded_at(self) -> dt.datetime:
        return max(r.recorded_at for r in self.assessments)


def latest_assessments(situation_id: int, indicator_ids) -> dict[int, list[IndicatorReading]]:
    """indicator id → the latest non-superseded reading of each partner government still
    assigned to the situation. One query, whatever the number of partners."""
    latest_of_partner = (IndicatorReading.objects.filter(
        situation_id=situation_id, indicator_id=OuterRef("indicator_id"),
        assessing_government_id=OuterRef("assessing_government_id"), superseded_by__isnull=True)
        .order_by("-observed_at", "-id").values("pk")[:1])
    still_assigned = PartnerAssignment.objects.filter(situation_id=situation_id,
                                                      government_id=OuterRef("assessing_government_id"))
    rows = (IndicatorReading.objects
            .filter(situation_id=situation_id, indicator_id__in=list(indicator_ids),
                    assessing_government__isnull=False, superseded_by__isnull=True)
            .filter(Exists(still_assigned), pk=Subquery(latest_of_partner))
            .select_related("assessing_government", "indicator", "recorded_by")
            .order_by("indicator_id", "assessing_government__name"))
    found: dict[int, list[IndicatorReading]] = {}
    for reading in rows:
        found.setdefault(reading.indicator_id, []).append(reading)
    return found


def _apart(kind: str, low: float, high: float, *, levels: int, share: float) -> bool:
    if kind == ValueKind.BOOLEAN:
        return low != high
    if kind == ValueKind.ORDINAL:
        return high - low >= levels
    larger = max(abs(low), abs(high))
    return larger > 0 and (high - low) > share * larger


def divergence(indicator, assessments: list[IndicatorReading], *, levels: int = DEFAULT_LEVELS,
               share: float = DEFAULT_SHARE) -> Divergence | None:
    """The two partners furthest apart, if they are far enough apart to count."""
    if len({r.assessing_government_id for r in assessments}) < 2:
        return None
    low = min(assessments, key=lambda r: (r.value, r.pk))
    high = max(assessments, key=lambda r: (r.value, -r.pk))
    if not _apart(indicator.value_kind, low.value, high.value, levels=levels, share=share):
        return None
    return Divergence(low=low, high=high, assessments=assessments)


def reconciled_since(situation_id: int, indicator_ids, since: dict[int, dt.datetime]) -> set[int]:
    """The indicators (of `since`: indicator id → the latest assessment's recording
    time) with a reconciliation note recorded at or after that time."""
    if not since:
        return set()
    latest = dict(SituationNote.objects.filter(situation_id=situation_id, indicator_id__in=list(indicator_ids),
                                               reconciles=True)
                  .values("indicator_id").annotate(last=Max("created_at")).values_list("indicator_id", "last"))
    return {pk for pk, at in since.items() if pk in latest and latest[pk] >= at}
