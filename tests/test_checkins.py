"""Check-ins (coordination/checkins.py): the schedule by risk level, the one-click
check-in on the situation page and through the API, who may (a liaison of an assigned
government in scope; anyone else 404 or 403, nothing stored), the dashboards."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from coordination import checkins, services
from coordination.choices import Marking, PartnerRole, RiskLevel
from coordination.models import CheckIn, PartnerAssignment
from testkit import cast
from testkit.signoffs import signed_off

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)


def at(delta=dt.timedelta(0)):
    return time_machine.travel(T0 + delta, tick=False)


@pytest.fixture
def watched(desk_officer, home_government, other_government, liaison, other_liaison):
    """A critical situation the home government is assigned to; the other government
    is not (its liaison is out of scope)."""
    with at():
        situation = services.situation_open(actor=desk_officer, title="Lowland displacement", country_code="XA",
                                            risk_level=RiskLevel.CRITICAL, lead_officer=desk_officer)
        services.assignment_create(actor=desk_officer, situation=situation, government=home_government,
                                   role=PartnerRole.SUPPORT, liaisons=[liaison])
    return situation


def due_of(situation, government):
    return PartnerAssignment.objects.get(situation=situation, government=government).checkin_due_at


def test_the_schedule_follows_the_risk_level(watched, desk_officer, home_government, liaison, settings):
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=3), "critical: every 3 days"
    with at(dt.timedelta(days=1)):
        # Two steps down: a second person signs it off (coordination/signoffs.py).
        signed_off(services.situation_update(actor=desk_officer, situation=watched, risk_level=RiskLevel.HIGH))
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=14), "high: every 14 days from creation"
    with at(dt.timedelta(days=2)):
        checkins.check_in(actor=liaison, situation=watched, answer="still_accurate")
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=16), "from the last check-in"
    with at(dt.timedelta(days=3)):
        signed_off(services.situation_update(actor=desk_officer, situation=watched, risk_level=RiskLevel.LOW))
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=32), "anything else: the default 30"
    settings.CHECKIN_DAYS = {**settings.CHECKIN_DAYS, "default": 10}
    with at(dt.timedelta(days=4)):
        services.situation_update(actor=desk_officer, situation=watched, risk_level=RiskLevel.MODERATE)
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=12), "the interval is a setting"


def test_a_liaison_checks_in_with_one_click_on_the_situation_page(client, watched, liaison, home_government):
    client.force_login(liaison)
    with at(dt.timedelta(hours=1)):
        page = client.get(reverse("pages:situation-detail", args=[watched.pk])).content.decode()
    assert "Your government’s next check-in is due" in page and 'value="still_accurate"' in page
    with at(dt.timedelta(days=3, hours=1)):
        page = client.get(reverse("pages:situation-detail", args=[watched.pk])).content.decode()
    assert "Your government’s check-in is overdue" in page
    with at(dt.timedelta(days=1)):
        response = client.post(reverse("pages:situation-checkin", args=[watched.pk]), {"answer": "still_accurate"})
    assert response.status_code == 302 and response["Location"].endswith("#checkin")
    checkin = CheckIn.objects.get()
    assert (checkin.government, checkin.checked_in_by, checkin.answer) == (home_government, liaison,
                                                                            "still_accurate")
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=4)


def test_changed_needs_a_note(client, watched, liaison):
    client.force_login(liaison)
    url = reverse("pages:situation-checkin", args=[watched.pk])
    response = client.post(url, {"answer": "changed", "note": "  "})
    assert response.status_code == 400 and "Say what changed." in response.content.decode()
    assert not CheckIn.objects.exists()
    assert client.post(url, {"answer": "changed", "note": "Roadblocks on the main road."}).status_code == 302
    assert CheckIn.objects.get().note == "Roadblocks on the main road."


def test_a_liaison_of_another_government_gets_404_and_nothing_is_stored(client, watched, other_liaison):
    client.force_login(other_liaison)
    assert client.post(reverse("pages:situation-checkin", args=[watched.pk]),
                       {"answer": "still_accurate"}).status_code == 404
    api = APIClient()
    api.force_authenticate(other_liaison)
    assert api.post(f"/api/v1/situations/{watched.pk}/check-ins", {"answer": "still_accurate"},
                    format="json").status_code == 404
    assert api.get(f"/api/v1/situations/{watched.pk}/check-ins").status_code == 404
    assert not CheckIn.objects.exists()


def test_a_red_situation_is_checked_in_by_named_liaisons_only(watched, desk_officer, home_government, liaison):
    services.situation_update(actor=desk_officer, situation=watched, marking=Marking.RED)
    api = APIClient()
    api.force_authenticate(liaison)
    url = f"/api/v1/situations/{watched.pk}/check-ins"
    assert api.post(url, {"answer": "still_accurate"}, format="json").status_code == 404, "assigned, not named"
    services.situation_update(actor=desk_officer, situation=watched, named_liaisons=[liaison])
    assert api.post(url, {"answer": "still_accurate"}, format="json").status_code == 201
    assert CheckIn.objects.count() == 1


def test_staff_see_the_schedule_but_do_not_check_in_for_a_government(client, watched, desk_officer):
    client.force_login(desk_officer)
    page = client.get(reverse("pages:situation-detail", args=[watched.pk])).content.decode()
    assert "Home Republic" in page and "Next due" in page and 'value="still_accurate"' not in page
    assert client.post(reverse("pages:situation-checkin", args=[watched.pk]),
                       {"answer": "still_accurate"}).status_code == 403
    api = APIClient()
    api.force_authenticate(desk_officer)
    assert api.post(f"/api/v1/situations/{watched.pk}/check-ins", {"answer": "still_accurate"},
                    format="json").status_code == 403
    assert not CheckIn.objects.exists()


def test_the_api_checks_in_and_lists_with_its_conventions(watched, liaison):
    api = APIClient()
    api.force_authenticate(liaison)
    url = f"/api/v1/situations/{watched.pk}/check-ins"
    refused = api.post(url, {"answer": "changed"}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()["fields"]
    assert api.post(url, {"answer": "fine"}, format="json").status_code == 400
    assert "answer" in api.post(url, {"answer": "fine"}, format="json").json()["fields"]
    assert "staus" in api.post(url, {"answer": "still_accurate", "staus": 1}, format="json").json()["fields"]
    created = api.post(url, {"answer": "changed", "note": "More checkpoints."}, format="json")
    assert created.status_code == 201
    assert created.json()["government"]["code"] == "XHA" and created.json()["note"] == "More checkpoints."
    listed = api.get(url).json()
    assert [row["id"] for row in listed["results"]] == [created.json()["id"]]


def test_a_closed_situation_takes_no_check_in(watched, liaison, desk_officer):
    from coordination import closing

    signed_off(closing.situation_close(actor=desk_officer, situation=watched, outcome="risk_receded",
                                       note="Calm again."))
    api = APIClient()
    api.force_authenticate(liaison)
    refused = api.post(f"/api/v1/situations/{watched.pk}/check-ins", {"answer": "still_accurate"}, format="json")
    assert refused.status_code == 400 and "situation" in refused.json()["fields"]
    assert not CheckIn.objects.exists()


def test_a_check_in_is_never_changed(watched, liaison):
    checkin = checkins.check_in(actor=liaison, situation=watched, answer="still_accurate")
    checkin.note = "rewritten"
    with pytest.raises(ValueError):
        checkin.save()
    with pytest.raises(ValueError):
        checkin.delete()


def _dashboard_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("pages:dashboard")).content.decode()
    return len(queries), body


def _more_situations(desk_officer, governments, count):
    for n in range(count):
        situation = services.situation_open(actor=desk_officer, title=f"Extra {n}", country_code="XB",
                                            risk_level=RiskLevel.VERY_HIGH)
        for government in governments:
            services.assignment_create(actor=desk_officer, situation=situation, government=government)


def test_dashboards_show_check_ins_due_and_missed_in_constant_queries(client, watched, desk_officer, manager,
                                                                      liaison, home_government, other_government):
    with at(dt.timedelta(days=4)):  # the watched situation's check-in (due day 3) is missed
        staff_before, body = _dashboard_queries(client, manager)
        assert "Check-ins by partner" in body and "Home Republic (XHA)" in body
        liaison_before, body = _dashboard_queries(client, liaison)
        assert "Lowland displacement" in body and "missed" in body
    with at(dt.timedelta(days=1)):
        _more_situations(desk_officer, [home_government, other_government], 5)
    with at(dt.timedelta(days=7, hours=12)):  # the extras (every 7 days from day 1) are due within 3 days
        staff_after, body = _dashboard_queries(client, manager)
        assert "Other Federation (XOT)" in body
        row = checkins.counts_by_government()
        assert {r["government__code"]: (r["due"], r["missed"]) for r in row} == {"XHA": (5, 1), "XOT": (5, 0)}
        liaison_after, body = _dashboard_queries(client, liaison)
        assert body.count("Extra ") >= 5
    assert staff_after == staff_before and liaison_after == liaison_before


def test_only_governments_that_can_see_the_situation_are_asked(watched, desk_officer, home_government, liaison):

    observer = cast.government("observer")
    cast.user("observer_liaison")
    services.situation_update(actor=desk_officer, situation=watched, marking=Marking.AMBER_STRICT)
    services.assignment_create(actor=desk_officer, situation=watched, government=observer,
                               role=PartnerRole.OBSERVER)
    assert due_of(watched, observer) is None, "an observer cannot see AMBER+STRICT: nothing to confirm"
    assert due_of(watched, home_government) is not None
    services.situation_update(actor=desk_officer, situation=watched, marking=Marking.RED)
    assert due_of(watched, home_government) is None, "RED, nobody of it named"
    services.situation_update(actor=desk_officer, situation=watched, named_liaisons=[liaison])
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=3)


def test_reopening_starts_each_governments_clock_again_from_the_reopening(watched, desk_officer, home_government):
    from coordination import closing

    with at(dt.timedelta(days=1)):
        signed_off(closing.situation_close(actor=desk_officer, situation=watched, outcome="risk_receded",
                                           note="Calm again."))
    with at(dt.timedelta(days=20)):
        closing.situation_reopen(actor=desk_officer, situation=watched, note="Attacks resumed.")
        assert due_of(watched, home_government) == T0 + dt.timedelta(days=23), "critical: 3 days from reopening"
        counts = {row["government_id"]: row for row in checkins.counts_by_government()}
        assert counts[home_government.pk]["missed"] == 0
    with at(dt.timedelta(days=21)):
        # Any later reschedule keeps counting from the reopening, not from the assignment.
        services.situation_update(actor=desk_officer, situation=watched, risk_level=RiskLevel.VERY_HIGH)
    assert due_of(watched, home_government) == T0 + dt.timedelta(days=27), "very high: 7 days from reopening"
