"""What every page's header needs: the bell's unread count, computed only if shown.

It lives in config, on top of the apps, because the header shows the escalation
engine's inbox on every app's pages."""
from functools import cached_property

from alerts.views.common import unread_count


class Header:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return unread_count(self.user)


def header(request):
    return {"header": Header(request.user)}
