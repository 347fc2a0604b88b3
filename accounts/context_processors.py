"""What every page's header needs: the bell's unread count, computed only if shown."""
from functools import cached_property


def _alert_pages_ready() -> bool:
    try:
        from alerts.views import ALERT_PAGES_READY
    except ImportError:
        return False
    return ALERT_PAGES_READY


class Header:
    def __init__(self, user):
        self.user = user

    @cached_property
    def alerts_ready(self) -> bool:
        return _alert_pages_ready()

    @cached_property
    def unread(self) -> int:
        if not self.alerts_ready or not self.user.is_authenticated:
            return 0
        from alerts.views.common import unread_count

        return unread_count(self.user)


def header(request):
    return {"header": Header(request.user)}
