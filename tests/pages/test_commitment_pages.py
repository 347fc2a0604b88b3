"""Joint actions on the pages: each partner's part on the action page with the answers
its people may give, the partner's "my actions", the board and burden sharing."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.choices import ActionStatus
from coordination.models import Action, Commitment
from testkit import world
from testkit.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(situation, desk_officer, home_government, other_government, other_liaison):
    return world.agreed_joint_action(desk_officer, situation, lead=home_government,
                                     partners={other_government: [other_liaison]})


def test_a_partner_answers_for_its_government_on_the_action_page(client, joint, other_liaison, other_government):
    part = Commitment.objects.get(action=joint, government=other_government)
    client.force_login(other_liaison)
    page = client.get(reverse("pages:action-detail", args=[joint.pk])).content.decode()
    assert f'id="commitment-{part.pk}"' in page and 'value="declined"' in page
    url = reverse("pages:commitment-step", args=[joint.pk])
    refused = client.post(url, {"commitment": part.pk, "version": part.version, "step": "declined", "note": ""})
    assert refused.status_code == 400 and "Say why your government declines." in refused.content.decode()
    accepted = client.post(url, {"commitment": part.pk, "version": part.version, "step": "accepted",
                                 "note": "Our envoy joins."})
    assert accepted.status_code == 302
    part.refresh_from_db()
    assert part.status == "accepted" and part.progress_note == "Our envoy joins."
    stale = client.post(url, {"commitment": part.pk, "version": 1, "step": "delivered", "note": ""})
    assert stale.status_code == 409


def test_a_liaison_cannot_answer_for_another_governments_part(client, joint, liaison, other_government):
    part = Commitment.objects.get(action=joint, government=other_government)
    client.force_login(liaison)
    page = client.get(reverse("pages:action-detail", args=[joint.pk])).content.decode()
    assert f'id="commitment-{part.pk}"' in page and f'name="commitment" value="{part.pk}"' not in page
    response = client.post(reverse("pages:commitment-step", args=[joint.pk]),
                           {"commitment": part.pk, "version": part.version, "step": "accepted"})
    assert response.status_code == 403
    part.refresh_from_db()
    assert part.status == "invited"


def test_a_partners_my_actions_lists_its_part_of_another_governments_joint_action(client, joint, other_liaison):
    client.force_login(other_liaison)
    body = client.get(reverse("pages:my-actions")).content.decode()
    assert "Joint démarche on detentions" in body and "XOT: Invited" in body


def test_the_board_and_burden_sharing_count_commitments(client, joint, manager, situation):
    client.force_login(manager)
    board = client.get(reverse("pages:situation-detail", args=[situation.pk])).content.decode()
    assert "XHA: Accepted" in board and "XOT: Invited" in board
    dashboard = client.get(reverse("pages:dashboard")).content.decode()
    assert "Its commitments to joint actions" in dashboard and "Other Federation (XOT)" in dashboard


def test_a_liaison_proposes_a_joint_action_from_the_page(client, situation, liaison, other_government,
                                                        other_liaison, home_government):
    AssignmentFactory(situation=situation, government=other_government, liaisons=[other_liaison])
    client.force_login(liaison)
    form = client.get(reverse("pages:action-propose", args=[situation.pk])).content.decode()
    assert f'value="{other_government.pk}"' in form  # a partner to invite
    response = client.post(reverse("pages:action-propose", args=[situation.pk]), {
        "title": "Statement of concern", "kind": "public_statement", "owner_government": home_government.pk,
        "due_date": (timezone.now().date() + dt.timedelta(days=4)).isoformat(), "priority": "normal",
        "partners": [other_government.pk]})
    assert response.status_code == 302, response.content.decode()[:500]
    action = Action.objects.get(title="Statement of concern")
    assert action.created_by == liaison and action.status == ActionStatus.PROPOSED
    assert action.commitments.get(government=other_government).status == "invited"
    refused = client.post(reverse("pages:action-propose", args=[situation.pk]), {
        "title": "For someone else", "kind": "public_statement", "owner_government": other_government.pk,
        "due_date": (timezone.now().date() + dt.timedelta(days=4)).isoformat(), "priority": "normal"})
    assert refused.status_code == 400 and not Action.objects.filter(title="For someone else").exists()


def test_cancelling_a_joint_action_withdraws_its_open_parts_and_burden_sharing_stops_counting_them(
        client, joint, desk_officer, manager, home_government, other_government):
    from coordination.models import CommitmentUpdate
    from coordination.views.dashboard import burden_sharing

    def owed(government):
        row = next(r for r in burden_sharing(manager) if r["code"] == government.code)
        return row["invited"], row["accepted"]

    assert owed(home_government) == (0, 1) and owed(other_government) == (1, 0)
    client.force_login(desk_officer)
    response = client.post(reverse("pages:action-change", args=[joint.pk]),
                           {f"a{joint.pk}-to_status": "cancelled", f"a{joint.pk}-note": "Overtaken by events.",
                            f"a{joint.pk}-version": joint.version})
    assert response.status_code == 302
    assert set(Commitment.objects.filter(action=joint).values_list("status", flat=True)) == {"withdrawn"}
    for part in Commitment.objects.filter(action=joint):
        last = CommitmentUpdate.objects.filter(commitment=part).latest("created_at", "id")
        assert (last.new_status, last.author, last.note) == ("withdrawn", desk_officer, "Overtaken by events.")
    assert owed(home_government) == (0, 0) and owed(other_government) == (0, 0)


def test_burden_sharing_does_not_count_parts_of_a_cancelled_action_left_open(joint, manager, other_government):
    # A row cancelled before cancelling withdrew the parts still says "invited".
    Action.objects.filter(pk=joint.pk).update(status=ActionStatus.CANCELLED)
    from coordination.views.dashboard import burden_sharing

    row = next(r for r in burden_sharing(manager) if r["code"] == other_government.code)
    assert (row["invited"], row["accepted"]) == (0, 0)
