# Its own URL conf: the feed is no page (no session, the token is the authentication),
# so it stays out of the page access matrix's URL confs.
from django.urls import path

from coordination.calendar_feed import calendar_feed

urlpatterns = [
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
]
