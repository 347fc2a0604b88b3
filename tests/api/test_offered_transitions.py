"""What an action offers a person (the API's `allowed_transitions`, the status menu of
the action pages) is what the service would let that person do: a partner liaison is
never offered "agreed", a joint action is offered "completed" only once it is done."""
import datetime as dt
import re

import pytest
from django.utils import timezone

from coordination import commitments
from coordination.choices import ActionKind, ActionStatus
from coordination.models import Commitment
from coordination.services import action_propose, action_transition
from testkit import world

pytestmark = pytest.mark.django_db


def offered_on_page(client, user, action) -> set[str]:
    client.force_login(user)
    page = client.get(f"/actions/{action.pk}/")
    assert page.status_code == 200
    menu = re.search(rf'name="a{action.pk}-to_status".*?</select>', page.content.decode(), re.S)
    return set(re.findall(r'<option value="([a-z_]+)"', menu.group(0))) if menu else set()


def offered_by_api(client_for, user, action) -> set[str]:
    response = client_for(user).get(f"/api/v1/actions/{action.pk}")
    assert response.status_code == 200
    return set(response.json()["allowed_transitions"])


@pytest.fixture
def proposal(situation, liaison, home_government):
    return action_propose(actor=liaison, situation=situation, title="Démarche on the detentions",
                          kind=ActionKind.DEMARCHE, owner_government=home_government,
                          due_date=timezone.now().date() + dt.timedelta(days=10))


@pytest.fixture
def joint_in_progress(situation, desk_officer, home_government, other_government, other_liaison):
    action = world.agreed_joint_action(desk_officer, situation, lead=home_government,
                                       partners={other_government: [other_liaison]}, due_in_days=10)
    return action_transition(actor=desk_officer, action=action, to_status=ActionStatus.IN_PROGRESS)


def test_a_liaison_is_not_offered_to_agree_a_proposal_but_a_desk_officer_is(
        client, client_for, proposal, liaison, desk_officer):
    assert offered_by_api(client_for, liaison, proposal) == {"cancelled"}
    assert offered_on_page(client, liaison, proposal) == {"cancelled"}
    assert offered_by_api(client_for, desk_officer, proposal) == {"agreed", "cancelled"}
    assert offered_on_page(client, desk_officer, proposal) == {"agreed", "cancelled"}


def test_a_liaison_is_offered_nothing_on_another_governments_action(
        client_for, joint_in_progress, other_liaison):
    # Other is a partner of the joint action, not its owner: its part is its commitment.
    assert offered_by_api(client_for, other_liaison, joint_in_progress) == set()


def test_a_joint_action_not_done_offers_no_completed_where_a_single_action_does(
        client, client_for, joint_in_progress, desk_officer, liaison, other_liaison, other_government, proposal):
    assert offered_by_api(client_for, desk_officer, joint_in_progress) == {"blocked", "cancelled"}
    assert offered_on_page(client, desk_officer, joint_in_progress) == {"blocked", "cancelled"}
    theirs = Commitment.objects.get(action=joint_in_progress, government=other_government)
    commitments.commitment_decline(actor=other_liaison, commitment=theirs, reason="No envoy available.")
    # The lead's own part is still owed.
    assert offered_by_api(client_for, liaison, joint_in_progress) == {"blocked", "cancelled"}
    single = action_transition(actor=desk_officer, action=proposal, to_status=ActionStatus.AGREED)
    single = action_transition(actor=desk_officer, action=single, to_status=ActionStatus.IN_PROGRESS)
    assert offered_by_api(client_for, liaison, single) == {"completed", "blocked", "cancelled"}
    assert offered_on_page(client, liaison, single) == {"completed", "blocked", "cancelled"}
