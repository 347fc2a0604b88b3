"""The action workflow over the API: refused moves are 409 with the allowed ones, and
write nothing."""
import itertools

import pytest
from django.utils import timezone

from coordination.choices import ACTION_TRANSITIONS, ActionStatus
from coordination.models import ActionUpdate
from testkit.factories import ActionFactory

REFUSED = [(current, target) for current, target in itertools.product(ActionStatus.values, repeat=2)
           if target not in ACTION_TRANSITIONS[current]]


def _action_in(status, situation, government):
    now = timezone.now()
    return ActionFactory(situation=situation, owner_government=government, status=status,
                         agreed_at=None if status in (ActionStatus.PROPOSED, ActionStatus.CANCELLED) else now,
                         completed_at=now if status == ActionStatus.COMPLETED else None)


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{c}->{t}" for c, t in REFUSED])
def test_every_refused_transition_answers_409_and_writes_nothing(client_for, liaison, situation, home_government,
                                                                 current, target):
    action = _action_in(current, situation, home_government)
    updates_before = ActionUpdate.objects.count()
    response = client_for(liaison).post(f"/api/v1/actions/{action.pk}/transition", {"status": target, "note": "try"},
                                        format="json", HTTP_IF_MATCH=f'"action-{action.pk}-v1"')
    assert response.status_code == 409
    assert response.json()["allowed"] == list(ACTION_TRANSITIONS[current])
    action.refresh_from_db()
    assert (action.status, action.version, action.progress_note) == (current, 1, "")
    assert ActionUpdate.objects.count() == updates_before


def test_an_unknown_status_is_a_400_naming_the_field(client_for, liaison, action):
    response = client_for(liaison).post(f"/api/v1/actions/{action.pk}/transition", {"status": "done"}, format="json",
                                        HTTP_IF_MATCH=f'"action-{action.pk}-v1"')
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_a_liaison_may_not_move_another_governments_action_on_a_shared_situation(
        client_for, other_liaison, situation, other_government):
    from coordination.choices import PartnerRole
    from testkit.factories import AssignmentFactory

    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.SUPPORT)
    home_action = ActionFactory(situation=situation, owner_government=situation.assignments.first().government)
    response = client_for(other_liaison).post(f"/api/v1/actions/{home_action.pk}/transition", {"status": "agreed"},
                                              format="json", HTTP_IF_MATCH=f'"action-{home_action.pk}-v1"')
    assert response.status_code == 403


def test_a_liaison_may_write_the_progress_note_but_not_the_plan(client_for, liaison, action):
    client = client_for(liaison)
    etag = f'"action-{action.pk}-v1"'
    assert client.patch(f"/api/v1/actions/{action.pk}", {"due_date": "2030-01-01"}, format="json",
                        HTTP_IF_MATCH=etag).status_code == 403
    noted = client.patch(f"/api/v1/actions/{action.pk}", {"progress_note": "Met the ambassador."}, format="json",
                         HTTP_IF_MATCH=etag)
    assert noted.status_code == 200, noted.json()
    timeline = client.get(f"/api/v1/actions/{action.pk}/updates").json()["results"]
    assert timeline[0]["note"] == "Met the ambassador."
