"""Alert reads the other pages show (header bell, dashboards, situation detail), all
through alerts.selectors so scope is decided in one place. coordination's pages reach
them through `ALERT_READS`, registered in alerts/apps.py (coordination/extensions.py)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import selectors
from alerts.choices import Severity
from coordination import selectors as coordination_selectors

ALERTS_SHOWN = 50


def unread_count(user) -> int:
    return selectors.inbox(user=user).filter(read_at__isnull=True).count()


def open_alerts_for_situation(user, situation_id: int):
    """The situation's open escalation (at most one), as a list for the page's table."""
    return list(selectors.group_list(user=user).filter(situation_id=situation_id)[:ALERTS_SHOWN])


def alerts_on_my_situations(user):
    return list(selectors.group_list(user=user).filter(situation__lead_officer=user)[:ALERTS_SHOWN])


def queue_counts(user):
    counts = selectors.severity_counts(selectors.group_list(user=user))
    labels = dict(Severity.choices)
    return [{"severity": s, "label": labels[s], "count": counts[s]} for s in reversed(Severity.values)]


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def _gap_row(pk, title, gap):
    return {"situation_id": pk, "title": title, "first_warning_at": gap.first_warning_at,
            "first_response_at": gap.first_response_at, "open": gap.open, "seconds": gap.seconds,
            "duration": duration_text(gap.seconds)}


def gap_for_situation(user, situation_id: int):
    gap = selectors.warning_response_gaps([situation_id]).get(situation_id)
    return None if gap is None or gap.first_warning_at is None else _gap_row(situation_id, "", gap)


def gaps(user):
    """The warning–response gap of every visible open situation that had a warning."""
    situations = list(coordination_selectors.situation_list(user=user).exclude(status="closed")
                      .order_by("title", "id").values_list("pk", "title"))
    by_id = selectors.warning_response_gaps([pk for pk, _ in situations], now=timezone.now())
    rows = []
    for pk, title in situations:
        gap = by_id.get(pk)
        if gap is None or gap.first_warning_at is None:
            continue
        rows.append(_gap_row(pk, title, gap))
    # The longest open gaps first: those are the warnings nobody has answered.
    rows.sort(key=lambda r: (not r["open"], -(r["seconds"] or 0)))
    return rows


class _AlertReads:
    """coordination.extensions.AlertReads, as this app answers it."""

    warning_response_gaps = staticmethod(selectors.warning_response_gaps)
    gap_for_situation = staticmethod(gap_for_situation)
    gaps = staticmethod(gaps)
    open_alerts_for_situation = staticmethod(open_alerts_for_situation)
    alerts_on_my_situations = staticmethod(alerts_on_my_situations)
    queue_counts = staticmethod(queue_counts)


ALERT_READS = _AlertReads()
