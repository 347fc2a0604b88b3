"""Calendar feeds: a secret URL per user, served as iCalendar, scoped by the sharing rule."""
import datetime as dt

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from coordination.choices import CommitmentStatus, Marking
from coordination.models import Action, Commitment
from testkit.factories import ActionFactory
from testkit.world import sharing_world

FEED_PATH = "/api/v1/users/me/calendar-feed"


def _issue(user) -> str:
    client = APIClient()
    client.force_login(user)
    response = client.post(FEED_PATH)
    assert response.status_code == 201, response.content
    return response.json()["url"]


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _events(client, url):
    response = client.get(_path(url))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _commit(action, government, due):
    return Commitment.objects.create(action=action, government=government, status=CommitmentStatus.ACCEPTED,
                                     due_date=due, last_activity_at=timezone.now())


@pytest.mark.django_db
def test_liaison_feed_parses_and_holds_nothing_out_of_scope(client, settings):
    settings.SITE_URL = "https://concert.example"
    world = sharing_world()
    red_gov = world.governments["red"]
    # The government of the liaison not named on RED owns an action and commits to
    # another on the RED situation: neither may reach that liaison's calendar.
    red_own = ActionFactory(situation=world.situations["red"], owner_government=red_gov,
                            title=f"Own {world.marker('red')}")
    red_commitment = _commit(world.actions["red"], red_gov, dt.date(2030, 1, 5))
    shared_commitment = _commit(world.actions["shared"], red_gov, dt.date(2030, 1, 6))

    liaison = world.users["liaison_not_named_on_red"]
    events = _events(client, _issue(liaison))
    assert set(events) == {f"commitment-{shared_commitment.pk}@concert.example"}
    body = b"".join(event.to_ical() for event in events.values()).decode()
    for hidden in ("red", "foreign", "strict"):
        assert world.marker(hidden) not in body
    assert f"commitment-{red_commitment.pk}@concert.example" not in events
    assert f"action-{red_own.pk}@concert.example" not in events

    event = events[f"commitment-{shared_commitment.pk}@concert.example"]
    assert event.decoded("DTSTART") == dt.date(2030, 1, 6)  # all-day: a date, not a date-time
    assert event.decoded("DTEND") == dt.date(2030, 1, 7)
    assert str(event["SUMMARY"]).startswith("[TLP:AMBER]")
    assert str(event["URL"]) == f"https://concert.example/actions/{world.actions['shared'].pk}/"

    # The named liaison of the home government gets its own government's open actions
    # in scope, RED included, each with its marking.
    home = world.users["liaison_assigned"]
    events = _events(client, _issue(home))
    expected = {f"action-{world.actions[key].pk}@concert.example" for key in ("shared", "strict", "red")}
    assert set(events) == expected
    red_event = events[f"action-{world.actions['red'].pk}@concert.example"]
    assert str(red_event["SUMMARY"]).startswith(f"[{Marking.tlp(Marking.RED)}]")
    assert world.marker("foreign") not in _path(str(red_event["URL"]))


@pytest.mark.django_db
def test_staff_feed_lists_every_open_action_with_a_stable_uid(client, desk_officer, action, foreign_action):
    url = _issue(desk_officer)
    first = _events(client, url)
    assert set(first) >= {f"action-{action.pk}@127.0.0.1:8000", f"action-{foreign_action.pk}@127.0.0.1:8000"}
    Action.objects.filter(pk=foreign_action.pk).update(status="cancelled")
    second = _events(client, url)
    assert f"action-{foreign_action.pk}@127.0.0.1:8000" not in second
    assert f"action-{action.pk}@127.0.0.1:8000" in second


@pytest.mark.django_db
def test_revoked_regenerated_unknown_and_deactivated_feeds_answer_404(client, liaison, action):
    old = _issue(liaison)
    assert client.get(_path(old)).status_code == 200
    new = _issue(liaison)
    assert new != old
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200

    api = APIClient()
    api.force_login(liaison)
    assert api.delete(FEED_PATH).status_code == 204
    assert client.get(_path(new)).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404

    again = _issue(liaison)
    assert client.get(_path(again)).status_code == 200
    liaison.is_active = False
    liaison.save(update_fields=["is_active"])
    assert client.get(_path(again)).status_code == 404


@pytest.mark.django_db
def test_token_is_stored_hashed(liaison):
    url = _issue(liaison)
    token = _path(url).rsplit("/", 1)[1].removesuffix(".ics")
    assert liaison.calendar_feed.token_digest != token
    assert token not in liaison.calendar_feed.token_digest


def test_feed_needs_a_signed_in_user_to_create(db):
    assert APIClient().post(FEED_PATH).status_code == 401


@pytest.mark.django_db
def test_feed_query_count_is_constant_in_the_number_of_actions(client, liaison, situation, home_government,
                                                                 foreign_situation, other_government):
    url = _issue(liaison)

    def count():
        with CaptureQueriesContext(connection) as queries:
            _events(client, url)
        return len(queries)

    ActionFactory(situation=situation, owner_government=home_government)
    joint = ActionFactory(situation=situation, owner_government=other_government)
    _commit(joint, home_government, dt.date(2030, 2, 1))
    few = count()
    for _ in range(5):
        ActionFactory(situation=situation, owner_government=home_government)
        joint = ActionFactory(situation=situation, owner_government=other_government)
        _commit(joint, home_government, dt.date(2030, 2, 1))
    assert count() == few
