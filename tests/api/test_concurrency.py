"""ETag / If-Match: nobody silently overwrites someone else's edit."""
import threading

import pytest
from django.db import connection

from coordination.choices import ActionStatus
from coordination.models import Action, ActionUpdate, Situation


def test_a_detail_carries_the_etag_of_its_version(client_for, desk_officer, action):
    response = client_for(desk_officer).get(f"/api/v1/actions/{action.pk}")
    assert response["ETag"] == f'"action-{action.pk}-v1"'


def test_an_edit_without_if_match_is_refused_with_428_and_changes_nothing(client_for, desk_officer, situation):
    response = client_for(desk_officer).patch(f"/api/v1/situations/{situation.pk}", {"title": "Renamed"},
                                              format="json")
    assert response.status_code == 428
    situation.refresh_from_db()
    assert (situation.title, situation.version) == ("Lowland displacement", 1)


def test_a_stale_etag_is_refused_with_412_and_changes_nothing(client_for, desk_officer, situation):
    client = client_for(desk_officer)
    etag = client.get(f"/api/v1/situations/{situation.pk}")["ETag"]
    assert client.patch(f"/api/v1/situations/{situation.pk}", {"area": "North"}, format="json",
                        HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"/api/v1/situations/{situation.pk}", {"title": "Overwritten"}, format="json",
                         HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    situation.refresh_from_db()
    assert (situation.title, situation.area, situation.version) == ("Lowland displacement", "North", 2)


def test_a_fresh_etag_is_accepted_and_a_new_one_returned(client_for, desk_officer, action):
    client = client_for(desk_officer)
    etag = client.get(f"/api/v1/actions/{action.pk}")["ETag"]
    response = client.patch(f"/api/v1/actions/{action.pk}", {"priority": "high"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["priority"] == "high"
    assert response["ETag"] == f'"action-{action.pk}-v2"'


def test_an_etag_of_another_object_does_not_match(client_for, desk_officer, action, situation):
    response = client_for(desk_officer).patch(f"/api/v1/actions/{action.pk}", {"priority": "high"}, format="json",
                                              HTTP_IF_MATCH=f'"situation-{situation.pk}-v1"')
    assert response.status_code == 412


def test_a_transition_needs_if_match_too(client_for, liaison, desk_officer, action):
    from coordination.services import action_transition

    action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)  # agreeing is staff work
    client = client_for(liaison)
    assert client.post(f"/api/v1/actions/{action.pk}/transition", {"status": "in_progress"},
                       format="json").status_code == 428
    etag = client.get(f"/api/v1/actions/{action.pk}")["ETag"]
    moved = client.post(f"/api/v1/actions/{action.pk}/transition", {"status": "in_progress", "note": "Under way"},
                        format="json", HTTP_IF_MATCH=etag)
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "in_progress"
    assert client.post(f"/api/v1/actions/{action.pk}/transition", {"status": "blocked"}, format="json",
                       HTTP_IF_MATCH=etag).status_code == 412


def _race(requests):
    """Run the requests at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, send):
        try:
            barrier.wait(timeout=10)
            results[index] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, send)) for i, send in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_with_the_same_etag_one_wins_one_gets_412(client_for, desk_officer, manager,
                                                                      situation):
    etag = f'"situation-{situation.pk}-v1"'
    first, second = client_for(desk_officer), client_for(manager)
    responses = _race([
        lambda: first.patch(f"/api/v1/situations/{situation.pk}", {"title": "Desk's title"}, format="json",
                            HTTP_IF_MATCH=etag),
        lambda: second.patch(f"/api/v1/situations/{situation.pk}", {"title": "Manager's title"}, format="json",
                             HTTP_IF_MATCH=etag),
    ])
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200)
    stored = Situation.objects.get(pk=situation.pk)
    assert (stored.title, stored.version) == (winner.json()["title"], 2)


@pytest.mark.django_db(transaction=True)
def test_two_liaisons_moving_the_same_action_never_both_succeed(client_for, liaison, desk_officer, action,
                                                               home_government):
    from accounts.models import Role
    from coordination.services import action_transition
    from testkit.factories import UserFactory

    action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)  # agreeing is staff work
    colleague = UserFactory(username="liaison-2", role=Role.LIAISON, government=home_government)
    etag = f'"action-{action.pk}-v2"'
    one, two = client_for(liaison), client_for(colleague)
    responses = _race([
        lambda: one.post(f"/api/v1/actions/{action.pk}/transition", {"status": "in_progress"}, format="json",
                         HTTP_IF_MATCH=etag),
        lambda: two.post(f"/api/v1/actions/{action.pk}/transition", {"status": "cancelled"}, format="json",
                         HTTP_IF_MATCH=etag),
    ])
    assert sorted(r.status_code for r in responses) == [200, 412]
    stored = Action.objects.get(pk=action.pk)
    assert stored.version == 3
    assert ActionUpdate.objects.filter(action=stored, old_status=ActionStatus.AGREED).count() == 1
