"""What every page's header needs: the bell's unread count and the number of sign-offs
waiting for this person, each computed only if shown.

It lives in config, on top of the apps, because the header shows the escalation
engine's inbox on every app's pages."""
from functools import cached_property

from alerts.views.common import unread_count
from coordination import signoffs


class Header:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return unread_count(self.user)

    @cached_property
    def signoffs_to_decide(self) -> int:
        """Requests this person may approve or reject now: a decision that could silence
        a warning must not wait unseen for its second person."""
        if not self.user.is_authenticated:
            return 0
        return signoffs.waiting_for(user=self.user).filter(may_decide=True).count()


def header(request):
    return {"header": Header(request.user)}
