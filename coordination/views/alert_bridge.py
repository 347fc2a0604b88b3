"""The alert parts of coordination pages, read through alerts.selectors once the
escalation engine is installed; until then the pages simply show none."""


def _alert_selectors():
    try:
        from alerts.views import ALERT_PAGES_READY
    except ImportError:
        return None
    if not ALERT_PAGES_READY:
        return None
    from alerts.views import common

    return common


def open_alerts_for_situation(user, situation_id: int):
    common = _alert_selectors()
    return None if common is None else common.open_alerts_for_situation(user, situation_id)


def gap_for_situation(user, situation_id: int):
    common = _alert_selectors()
    return None if common is None else common.gap_for_situation(user, situation_id)


def alerts_on_my_situations(user):
    common = _alert_selectors()
    return None if common is None else common.alerts_on_my_situations(user)


def queue_counts(user):
    common = _alert_selectors()
    return None if common is None else common.queue_counts(user)


def gaps(user):
    common = _alert_selectors()
    return None if common is None else common.gaps(user)
