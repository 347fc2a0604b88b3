"""What a risk window does, in one place: which windows are open on a day, how far they
move a threshold, how much they shorten a wait, and which situations a window opens or
closes on today. The escalation engine calls these; the pages and the API show their
results. Days are UTC dates: a window is open on day D when
event_date - days_before <= D <= event_date + days_after.

The date arithmetic is done here in Python, not in SQL: the database narrows the rows to
the windows dated within MAX_WINDOW_DAYS of the day (an index on event_date), which
holds every window that could be open, on PostgreSQL and on bin/run's SQLite alike.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.choices import Direction
from coordination.models import RiskWindow, TrackedIndicator
from coordination.models.windows import MAX_WINDOW_DAYS

NO_WAIT_CHANGE = 1.0


def today_utc() -> dt.date:
    return timezone.now().astimezone(dt.timezone.utc).date()


def _within_reach(day: dt.date, *, extra_days: int = 0) -> dict:
    reach = dt.timedelta(days=MAX_WINDOW_DAYS + extra_days)
    return {"event_date__gte": day - reach, "event_date__lte": day + reach}


def active_windows(situation_id: int, on: dt.date) -> list[RiskWindow]:
    """The situation's windows open on `on`, their indicators prefetched (one queryset:
    the windows, then their indicators), in event order."""
    candidates = (RiskWindow.objects.filter(situation_id=situation_id, **_within_reach(on))
                  .prefetch_related("indicators").order_by("event_date", "id"))
    return [window for window in candidates if window.is_active_on(on)]


def situations_with_window_edges(today: dt.date) -> list[int]:
    """Ids of the situations with a window that opens today or closed yesterday: the days
    on which evaluating them gives another answer with no new fact recorded."""
    yesterday = today - dt.timedelta(days=1)
    rows = (RiskWindow.objects.filter(**_within_reach(today, extra_days=1))
            .values_list("situation_id", "event_date", "days_before", "days_after"))
    found = set()
    for situation_id, event_date, days_before, days_after in rows:
        starts_on = event_date - dt.timedelta(days=days_before)
        ends_on = event_date + dt.timedelta(days=days_after)
        if starts_on == today or ends_on == yesterday:
            found.add(situation_id)
    return sorted(found)


def heightened_threshold(threshold: float | None, direction: str, shift_percent: float) -> float | None:
    """Move `threshold` towards the safe side by `shift_percent` of its absolute value, so
    that a window alerts on a value that would not have alerted outside it. A threshold
    at zero stays at zero (the shift is relative); None stays None."""
    if threshold is None:
        return None
    shift = abs(threshold) * shift_percent / 100
    return threshold - shift if direction == Direction.HIGHER_IS_WORSE else threshold + shift


def windows_covering(indicator_id: int, windows: Iterable[RiskWindow]) -> list[RiskWindow]:
    """The windows that put this indicator on heightened watch (a window naming no
    indicator covers every one)."""
    return [window for window in windows if window.covers(indicator_id)]


def effective_thresholds(tracked: TrackedIndicator, windows: Iterable[RiskWindow]) -> tuple[float | None,
                                                                                           float | None]:
    """(warning, critical) of a tracked indicator given the windows open now (pass
    active_windows(...)): the largest shift among the windows covering it applies to
    both. With none, the tracked indicator's own effective thresholds."""
    warning, critical = tracked.effective_warning, tracked.effective_critical
    shifts = [window.threshold_shift_percent for window in windows_covering(tracked.indicator_id, windows)]
    if not shifts:
        return warning, critical
    direction, shift = tracked.indicator.direction, max(shifts)
    return (heightened_threshold(warning, direction, shift), heightened_threshold(critical, direction, shift))


def wait_factor(windows: Iterable[RiskWindow]) -> float:
    """What escalation waits are multiplied by: the smallest factor among `windows`
    (1.0 with none). The engine passes the situation's open windows, or those covering
    the alert's indicator."""
    return min((window.wait_factor for window in windows), default=NO_WAIT_CHANGE)


def describe(window: RiskWindow) -> str:
    """One line for whatever tells people a window is open (the engine's informational
    alert): kind, title, days and what it changes. ISO dates: they are UTC days, read
    by people of several governments in several time zones."""
    return _("%(kind)s window “%(title)s”, %(start)s – %(end)s: thresholds %(shift)g %% closer to normal, "
             "escalation waits × %(factor)g.") % {
        "kind": window.get_kind_display(), "title": window.title,
        "start": window.starts_on.isoformat(), "end": window.ends_on.isoformat(),
        "shift": window.threshold_shift_percent, "factor": window.wait_factor}
