"""The iCalendar feed behind a user's secret URL (accounts/calendar_feeds.py holds the secret).

What concerns whom: staff get every open action (they see every situation and the
dashboard already is theirs to triage); a liaison gets the open actions their government
owns and their government's open commitments on joint actions. Both read through the
selectors, so the sharing rule decides scope (a RED situation a liaison is not named on
never appears). Each item is one all-day event on its due date, its marking in the
summary so the label travels with the entry into Outlook.
"""
import datetime as dt

import icalendar
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.calendar_feeds import calendar_feed_user
from coordination import selectors
from coordination.choices import CommitmentStatus
from coordination.models.actions import OPEN_STATUS_Q

OPEN_COMMITMENTS = (CommitmentStatus.INVITED, CommitmentStatus.ACCEPTED)


def _event(*, uid, summary, description, due: dt.date, url, stamp):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(user) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1].split("/")[0] or "concert"
    stamp = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Concert//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Concert deadlines")
    actions = selectors.action_list(user=user).filter(OPEN_STATUS_Q)
    if user.is_liaison:
        actions = actions.filter(owner_government_id=user.government_id)
    for action in actions.order_by("due_date", "id"):
        situation = action.situation
        url = site + reverse("pages:action-detail", kwargs={"action_id": action.pk})
        calendar.add_component(_event(
            uid=f"action-{action.pk}@{host}", due=action.due_date, url=url, stamp=stamp,
            summary=f"[{situation.tlp}] {action.title} — {situation.title}",
            description=f"{situation.tlp}. Action ({action.get_status_display()}) on {situation.title}.\n{url}"))
    if user.is_liaison:
        commitments = selectors.commitment_list(user=user).filter(
            government_id=user.government_id, status__in=OPEN_COMMITMENTS).exclude(
            action__owner_government_id=user.government_id)  # the lead's own part is its action, above
        for commitment in commitments.order_by("due_date", "id"):
            action, situation = commitment.action, commitment.action.situation
            url = site + reverse("pages:action-detail", kwargs={"action_id": action.pk})
            calendar.add_component(_event(
                uid=f"commitment-{commitment.pk}@{host}", due=commitment.due_date, url=url, stamp=stamp,
                summary=f"[{situation.tlp}] {commitment.government.name}: {action.title} — {situation.title}",
                description=f"{situation.tlp}. Commitment ({commitment.get_status_display()}) to a joint action "
                            f"led by {action.owner_government.name} on {situation.title}.\n{url}"))
    return calendar.to_ical()


@require_GET
def calendar_feed(request, token: str):
    user = calendar_feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(build_calendar(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
