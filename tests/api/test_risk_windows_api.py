"""/api/v1/situations/{id}/risk-windows and /api/v1/risk-windows/{id}: staff set windows,
whoever sees the situation reads them, a liaison of another government finds nothing,
and a list costs the same whatever its length."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.models import RiskWindow
from testkit.factories import IndicatorFactory, TrackedIndicatorFactory

pytestmark = pytest.mark.django_db

BODY = {"kind": "commemoration", "title": "Anniversary of the 1994 massacres", "event_date": "2026-04-07",
        "days_before": 5, "days_after": 2, "threshold_shift_percent": 25, "wait_factor": 0.5}


def windows_url(situation):
    return f"/api/v1/situations/{situation.pk}/risk-windows"


def make(client, situation, **changes):
    response = client.post(windows_url(situation), {**BODY, **changes}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_desk_officer_sets_a_window_and_everyone_in_scope_reads_it(client_for, desk_officer, liaison, situation,
                                                                     tracked):
    with time_machine.travel(dt.datetime(2026, 4, 3, 9, 0, tzinfo=dt.timezone.utc), tick=False):
        body = make(client_for(desk_officer), situation, indicators=[tracked.indicator_id])
        assert (body["starts_on"], body["ends_on"], body["active_now"]) == ("2026-04-02", "2026-04-09", True)
        assert body["indicators"] == [{"id": tracked.indicator_id, "code": tracked.indicator.code,
                                       "name": tracked.indicator.name}]
        assert body["created_by"]["username"] == "desk" and body["situation"] == situation.pk
        listed = client_for(liaison).get(windows_url(situation))
    assert listed.status_code == 200 and [w["title"] for w in listed.json()] == [BODY["title"]]
    with time_machine.travel(dt.datetime(2026, 4, 10, 0, 0, tzinfo=dt.timezone.utc), tick=False):
        detail = client_for(liaison).get(f"/api/v1/risk-windows/{body['id']}")
    assert detail.status_code == 200 and detail.json()["active_now"] is False  # the day after it ended


def test_a_liaison_may_read_but_not_write_and_another_government_finds_nothing(client_for, desk_officer, liaison,
                                                                               other_liaison, situation):
    made = make(client_for(desk_officer), situation)
    detail = f"/api/v1/risk-windows/{made['id']}"
    assert client_for(liaison).post(windows_url(situation), BODY, format="json").status_code == 403
    assert client_for(liaison).patch(detail, {"days_after": 9}, format="json").status_code == 403
    assert client_for(liaison).delete(detail).status_code == 403
    outsider = client_for(other_liaison)
    for response in (outsider.get(windows_url(situation)), outsider.post(windows_url(situation), BODY, format="json"),
                     outsider.get(detail), outsider.patch(detail, {"days_after": 9}, format="json"),
                     outsider.delete(detail)):
        assert response.status_code == 404
        assert BODY["title"] not in response.content.decode()
    assert RiskWindow.objects.get(pk=made["id"]).days_after == 2


def test_staff_change_and_remove_a_window(client_for, manager, situation):
    client = client_for(manager)
    made = make(client, situation)
    detail = f"/api/v1/risk-windows/{made['id']}"
    changed = client.patch(detail, {"days_after": 10, "wait_factor": 0.25}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["ends_on"], changed.json()["wait_factor"]) == ("2026-04-17", 0.25)
    assert client.put(detail, {**BODY, "title": "Commemoration week"}, format="json").json()["title"] == \
        "Commemoration week"
    assert client.delete(detail).status_code == 204
    assert client.get(detail).status_code == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"days_before": 366}, "days_before"),
    ({"days_after": -1}, "days_after"),
    ({"threshold_shift_percent": 95}, "threshold_shift_percent"),
    ({"threshold_shift_percent": "NaN"}, "threshold_shift_percent"),
    ({"wait_factor": 0}, "wait_factor"),
    ({"kind": "festival"}, "kind"),
    ({"event_date": "next spring"}, "event_date"),
    ({"title": ""}, "title"),
    ({"situation": 1}, "situation"),
    ({"indicators": [2_147_483_000]}, "indicators"),
])
def test_a_refused_window_names_the_field(client_for, desk_officer, situation, changes, field):
    response = client_for(desk_officer).post(windows_url(situation), {**BODY, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()


def test_a_window_may_not_name_an_indicator_the_situation_does_not_track(client_for, desk_officer, situation):
    stranger = IndicatorFactory(code="fa-9-untracked")
    response = client_for(desk_officer).post(windows_url(situation), {**BODY, "indicators": [stranger.pk]},
                                             format="json")
    assert response.status_code == 400
    assert "fa-9-untracked" in response.json()["fields"]["indicators"][0]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["liaison", "manager"])
def test_the_window_list_costs_the_same_for_2_rows_as_for_10(client_for, request, situation, desk_officer, role):
    indicators = [TrackedIndicatorFactory(situation=situation).indicator for _ in range(3)]

    def grow(n):
        for index in range(n):
            window = RiskWindow.objects.create(situation=situation, kind="election", title=f"Round {index}",
                                               event_date=dt.date(2026, 6, 1) + dt.timedelta(days=index),
                                               days_before=3, days_after=1, created_by=desk_officer)
            window.indicators.set(indicators[: index % 3])

    client = client_for(request.getfixturevalue(role))
    grow(2)
    client.get(windows_url(situation))  # warm the session
    with_2 = _count(client, windows_url(situation))
    grow(8)
    with_10 = _count(client, windows_url(situation))
    assert len(client.get(windows_url(situation)).json()) == 10
    assert with_10 == with_2, f"{role}: {with_2} queries for 2 windows, {with_10} for 10"
