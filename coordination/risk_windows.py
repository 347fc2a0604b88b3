"""Writing risk windows: create, update, delete (staff only). What a window does is in
coordination/windows.py; each write here records a change in the outbox, since the
engine reads the windows when it evaluates the situation."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from coordination import outbox
from coordination.choices import RiskWindowKind
from coordination.models import Indicator, RiskWindow, Situation, TrackedIndicator
from coordination.models.windows import MAX_SHIFT_PERCENT, MAX_WAIT_FACTOR, MAX_WINDOW_DAYS, MIN_WAIT_FACTOR
from coordination.services import _require_staff
from core.errors import DomainError

WINDOW_EDITABLE_FIELDS = ("kind", "title", "event_date", "days_before", "days_after", "threshold_shift_percent",
                          "wait_factor")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _validate(window: RiskWindow) -> None:
    if window.kind not in RiskWindowKind.values:
        raise DomainError(_("Choose one of the kinds of window offered."), field="kind")
    if not (window.title or "").strip():
        raise DomainError(_("Give the window a title (e.g. “Presidential election, first round”)."), field="title")
    if not isinstance(window.event_date, dt.date) or isinstance(window.event_date, dt.datetime):
        raise DomainError(_("The event date must be a date."), field="event_date")
    for field in ("days_before", "days_after"):
        value = getattr(window, field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WINDOW_DAYS:
            raise DomainError(_("A whole number of days from 0 to %(max)d.") % {"max": MAX_WINDOW_DAYS}, field=field)
    if not _is_number(window.threshold_shift_percent) or not 0 <= window.threshold_shift_percent <= MAX_SHIFT_PERCENT:
        raise DomainError(_("A percentage from 0 to %(max)d.") % {"max": MAX_SHIFT_PERCENT},
                          field="threshold_shift_percent")
    if not _is_number(window.wait_factor) or not MIN_WAIT_FACTOR <= window.wait_factor <= MAX_WAIT_FACTOR:
        raise DomainError(_("A factor from %(min)g to %(max)g (0.5 halves every wait).")
                          % {"min": MIN_WAIT_FACTOR, "max": MAX_WAIT_FACTOR}, field="wait_factor")


def _validate_indicators(situation: Situation, indicators: list[Indicator]) -> None:
    tracked = set(TrackedIndicator.objects.filter(situation=situation).values_list("indicator_id", flat=True))
    for indicator in indicators:
        if indicator.pk not in tracked:
            raise DomainError(_("Indicator %(code)s is not tracked on this situation.") % {"code": indicator.code},
                              field="indicators")


def _save(window: RiskWindow, indicators: list[Indicator] | None) -> RiskWindow:
    _validate(window)
    if indicators is not None:
        _validate_indicators(window.situation, indicators)
    window.title = window.title.strip()
    window.full_clean(exclude=["situation", "created_by"])
    window.save()
    if indicators is not None:
        window.indicators.set(indicators)
    outbox.record_change(window.situation_id)
    return window


@transaction.atomic
def risk_window_create(*, actor, situation: Situation, kind: str, title: str, event_date: dt.date,
                       days_before: int, days_after: int, threshold_shift_percent: float = 20.0,
                       wait_factor: float = 0.5, indicators: Iterable[Indicator] = ()) -> RiskWindow:
    """A window on the situation; `indicators` empty puts every tracked indicator on
    heightened watch."""
    _require_staff(actor, _("set risk windows"))
    if situation.is_closed:
        raise DomainError(_("This situation is closed: reopen it before setting a risk window."), field="situation")
    window = RiskWindow(situation=situation, kind=kind, title=title, event_date=event_date, days_before=days_before,
                        days_after=days_after, threshold_shift_percent=threshold_shift_percent,
                        wait_factor=wait_factor, created_by=actor)
    return _save(window, list(indicators))


@transaction.atomic
def risk_window_update(*, actor, window: RiskWindow, indicators: Iterable[Indicator] | None = None,
                       **changes) -> RiskWindow:
    _require_staff(actor, _("change risk windows"))
    unknown = set(changes) - set(WINDOW_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                          field=sorted(unknown)[0])
    locked = RiskWindow.objects.select_for_update().select_related("situation").get(pk=window.pk)
    for name, value in changes.items():
        setattr(locked, name, value)
    return _save(locked, list(indicators) if indicators is not None else None)


@transaction.atomic
def risk_window_delete(*, actor, window: RiskWindow) -> None:
    _require_staff(actor, _("remove risk windows"))
    situation_id = window.situation_id
    RiskWindow.objects.filter(pk=window.pk).delete()
    outbox.record_change(situation_id)
