"""Indicators a situation watches, and the readings recorded against them.

Readings arrive in bulk from partner systems and the CSV import as well as one at a
time from a page, so there is one write path, `readings_record`: all-or-nothing, safe
to retry by client id, one evaluation of the situation however many rows came. The
rules a value must meet (its kind, a finite size, a time not in the future, an
indicator the situation tracks, a correction by the same assessor) are checked here
and nowhere else; `reading_record` is the one-row spelling of the same call.
"""
from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import assessments, outbox
from coordination.choices import Direction, ValueKind
from coordination.models import Government, Indicator, IndicatorReading, Situation, TrackedIndicator
from coordination.models.indicators import READING_VALUE_LIMIT
from coordination.services import _require_staff
from core.errors import DomainError, NotPermitted

# Clocks of partner systems drift; an observation a few minutes "in the future" is
# skew, one hours ahead is a wrong time zone or a typo and would distort the series.
READING_FUTURE_TOLERANCE = dt.timedelta(minutes=5)
BULK_READINGS_LIMIT = 1000


def _validate_thresholds(direction: str, warning: float | None, critical: float | None) -> None:
    for field, value in (("warning_threshold", warning), ("critical_threshold", critical)):
        if value is not None and not math.isfinite(value):
            raise DomainError(_("Thresholds must be finite numbers."), field=field)
    if warning is None or critical is None:
        return
    if direction == Direction.HIGHER_IS_WORSE and critical < warning:
        raise DomainError(_("For an indicator where higher is worse, critical must be at least warning."),
                          field="critical_threshold")
    if direction == Direction.LOWER_IS_WORSE and critical > warning:
        raise DomainError(_("For an indicator where lower is worse, critical must be at most warning."),
                          field="critical_threshold")


@transaction.atomic
def indicator_track(*, actor, situation: Situation, indicator: Indicator,
                    warning_threshold: float | None = None, critical_threshold: float | None = None) -> TrackedIndicator:
    """Start watching an indicator on a situation, optionally with thresholds of its own."""
    _require_staff(actor, _("choose the indicators of a situation"))
    effective_warning = warning_threshold if warning_threshold is not None else indicator.warning_threshold
    effective_critical = critical_threshold if critical_threshold is not None else indicator.critical_threshold
    _validate_thresholds(indicator.direction, effective_warning, effective_critical)
    tracked, _created = TrackedIndicator.objects.update_or_create(
        situation=situation, indicator=indicator,
        defaults={"warning_threshold": warning_threshold, "critical_threshold": critical_threshold},
    )
    return tracked


@dataclass(frozen=True)
class ReadingInput:
    indicator: Indicator
    value: float
    observed_at: dt.datetime
    source: str = ""
    note: str = ""
    client_id: uuid.UUID | None = None
    supersedes: IndicatorReading | None = None
    # Whose assessment it is (coordination/assessments.py decides; a liaison's is always
    # their government's). None from staff: the secretariat's own reading.
    assessing_government: Government | None = None


def _validate_reading(situation: Situation, data: ReadingInput, tracked_ids: set[int], now: dt.datetime,
                      assessor: Government | None) -> None:
    value = data.value
    if value is None:
        raise DomainError(_("A value is required."), field="value")
    value = float(value)
    if not math.isfinite(value):
        raise DomainError(_("The value must be a finite number (not NaN or infinity)."), field="value")
    if abs(value) > READING_VALUE_LIMIT:
        raise DomainError(_("The value is out of range (at most %(limit)g in size).") % {"limit": READING_VALUE_LIMIT},
                          field="value")
    kind = data.indicator.value_kind
    if kind == ValueKind.BOOLEAN and value not in (0.0, 1.0):
        raise DomainError(_("This indicator is observed yes/no: the value must be 0 or 1."), field="value")
    if kind == ValueKind.ORDINAL and value not in (0.0, 1.0, 2.0, 3.0):
        raise DomainError(_("This indicator is ordinal: the value must be 0, 1, 2 or 3."), field="value")
    if data.observed_at is None or timezone.is_naive(data.observed_at):
        raise DomainError(_("The observation time must include a time zone."), field="observed_at")
    if data.observed_at > now + READING_FUTURE_TOLERANCE:
        raise DomainError(_("The observation time is in the future."), field="observed_at")
    if data.indicator.pk not in tracked_ids:
        raise DomainError(_("Indicator %(code)s is not tracked on this situation.") % {"code": data.indicator.code},
                          field="indicator")
    if data.supersedes is not None:
        old = data.supersedes
        if old.situation_id != situation.pk or old.indicator_id != data.indicator.pk:
            raise DomainError(_("A correction must supersede a reading of the same situation and indicator."),
                              field="supersedes")
        if IndicatorReading.objects.filter(supersedes=old).exists():
            raise DomainError(_("That reading has already been corrected; correct the latest one."),
                              field="supersedes")
        # A correction is the same assessor's: one partner cannot overwrite another's view.
        if old.assessing_government_id != (assessor.pk if assessor else None):
            raise DomainError(_("A correction must be by the same assessing government as the reading it corrects."),
                              field="supersedes")


def _same_reading(existing: IndicatorReading, situation: Situation, data: ReadingInput,
                  assessor: Government | None) -> bool:
    return (existing.situation_id == situation.pk and existing.indicator_id == data.indicator.pk
            and existing.value == float(data.value) and existing.observed_at == data.observed_at
            and existing.assessing_government_id == (assessor.pk if assessor else None))


@transaction.atomic
def readings_record(*, actor, situation: Situation, readings: list[ReadingInput]) -> list[tuple[IndicatorReading, bool]]:
    """Record readings all-or-nothing: any invalid row refuses the whole batch, and the
    error names the row (`field` is "<index>.<field>" for batches of more than one).

    A reading whose client_id was seen before is not stored again: the stored one is
    returned with created=False, so a sender may retry without fear of duplicates.
    The situation is evaluated once after commit, however many readings arrived.

    Staff and the liaisons of governments assigned to the situation may record; each
    reading is attributed by coordination.assessments.attribution.
    """
    if not assessments.may_assess(actor, situation.pk):
        raise NotPermitted(_("Only desk officers, managers and the liaisons of assigned governments may record "
                             "readings."))
    if len(readings) > BULK_READINGS_LIMIT:
        raise DomainError(_("At most %(n)d readings per request.") % {"n": BULK_READINGS_LIMIT}, field="readings")
    tracked_ids = set(TrackedIndicator.objects.filter(situation=situation).values_list("indicator_id", flat=True))
    client_ids = [r.client_id for r in readings if r.client_id is not None]
    if len(client_ids) != len(set(client_ids)):
        raise DomainError(_("The same client id appears twice in one request."), field="client_id")
    existing = IndicatorReading.objects.in_bulk(client_ids, field_name="client_id") if client_ids else {}
    assigned_ids = set(situation.assignments.values_list("government_id", flat=True))
    now = timezone.now()
    results: list[tuple[IndicatorReading, bool]] = []
    to_create: list[IndicatorReading] = []
    for index, data in enumerate(readings):
        prefix = f"{index}." if len(readings) > 1 else ""
        try:
            assessor = assessments.attribution(actor, data.assessing_government, assigned_ids)
            previous = existing.get(data.client_id) if data.client_id else None
            if previous is not None:
                if not _same_reading(previous, situation, data, assessor):
                    raise DomainError(_("This client id was already used for a different reading."),
                                      field="client_id", code="client_id_conflict")
                results.append((previous, False))
                continue
            _validate_reading(situation, data, tracked_ids, now, assessor)
        except DomainError as error:
            error.field = f"{prefix}{error.field}" if error.field else prefix.rstrip(".") or None
            raise
        reading = IndicatorReading(
            situation=situation, indicator=data.indicator, value=float(data.value), observed_at=data.observed_at,
            source=data.source, note=data.note, recorded_by=actor, client_id=data.client_id,
            supersedes=data.supersedes, assessing_government=assessor,
        )
        to_create.append(reading)
        results.append((reading, True))
    if to_create:
        IndicatorReading.objects.bulk_create(to_create)
        outbox.record_change(situation.pk)
    return results


def reading_record(*, actor, situation: Situation, indicator: Indicator, value: float, observed_at: dt.datetime,
                   source: str = "", note: str = "", client_id: uuid.UUID | None = None,
                   supersedes: IndicatorReading | None = None,
                   assessing_government: Government | None = None) -> tuple[IndicatorReading, bool]:
    [(reading, created)] = readings_record(actor=actor, situation=situation, readings=[ReadingInput(
        indicator=indicator, value=value, observed_at=observed_at, source=source, note=note,
        client_id=client_id, supersedes=supersedes, assessing_government=assessing_government)])
    return reading, created
