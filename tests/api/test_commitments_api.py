"""Joint actions over the API: proposing with partners, each partner's steps with
If-Match, 400 naming the field, 404 out of scope."""
import datetime as dt

import pytest
from django.utils import timezone

from coordination.choices import PartnerRole
from coordination.models import Action, Commitment
from testkit.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_other(situation, other_government, other_liaison):
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.SUPPORT,
                      liaisons=[other_liaison])
    return situation


def proposal(situation, government, **extra):
    return {"situation": situation.pk, "title": "Joint démarche", "kind": "demarche", "owner_government": government.pk,
            "due_date": (timezone.now().date() + dt.timedelta(days=9)).isoformat(), **extra}


def test_a_liaison_proposes_a_joint_action_and_only_staff_agree_it(client_for, with_other, liaison, desk_officer,
                                                                   home_government, other_government):
    client = client_for(liaison)
    created = client.post("/api/v1/actions", proposal(with_other, home_government, partners=[other_government.pk]),
                          format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_joint"] and {c["government"]["code"]: c["status"] for c in body["commitments"]} == {
        "XHA": "accepted", "XOT": "invited"}
    refused = client.post(f"/api/v1/actions/{body['id']}/transition", {"status": "agreed"}, format="json",
                          HTTP_IF_MATCH=created["ETag"])
    assert refused.status_code == 403 and "status" in refused.json()["fields"]
    agreed = client_for(desk_officer).post(f"/api/v1/actions/{body['id']}/transition", {"status": "agreed"},
                                           format="json", HTTP_IF_MATCH=created["ETag"])
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed"


def test_a_liaison_may_not_propose_for_another_government_or_on_an_unseen_situation(
        client_for, with_other, foreign_situation, liaison, home_government, other_government):
    client = client_for(liaison)
    other = client.post("/api/v1/actions", proposal(with_other, other_government), format="json")
    assert other.status_code == 403 and "owner_government" in other.json()["fields"]
    unseen = client.post("/api/v1/actions", proposal(foreign_situation, home_government), format="json")
    assert unseen.status_code == 400 and "situation" in unseen.json()["fields"]
    assert not Action.objects.exists()


def test_an_unassigned_partner_is_refused_by_name(client_for, situation, desk_officer, home_government,
                                                  other_government):
    response = client_for(desk_officer).post(
        "/api/v1/actions", proposal(situation, home_government, partners=[other_government.pk]), format="json")
    assert response.status_code == 400 and "partners" in response.json()["fields"]
    assert not Action.objects.exists()


def test_a_partner_accepts_declines_with_a_reason_and_delivers_with_if_match(
        client_for, with_other, desk_officer, liaison, other_liaison, home_government, other_government):
    staff = client_for(desk_officer)
    action_id = staff.post("/api/v1/actions", proposal(with_other, home_government, partners=[other_government.pk]),
                           format="json").json()["id"]
    listed = client_for(other_liaison).get(f"/api/v1/actions/{action_id}/commitments").json()
    mine = next(c for c in listed if c["government"]["code"] == "XOT")
    partner = client_for(other_liaison)
    url = f"/api/v1/commitments/{mine['id']}"
    etag = partner.get(url)["ETag"]
    assert partner.post(f"{url}/decline", {}, format="json", HTTP_IF_MATCH=etag).json()["fields"].keys() == {"reason"}
    assert partner.post(f"{url}/accept", {}, format="json").status_code == 428
    assert client_for(liaison).post(f"{url}/accept", {}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    accepted = partner.post(f"{url}/accept", {"note": "Our envoy will join."}, format="json", HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert partner.post(f"{url}/accept", {}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    patched = partner.patch(url, {"progress_note": "Envoy booked.", "liaison": other_liaison.pk}, format="json",
                            HTTP_IF_MATCH=accepted["ETag"])
    assert patched.status_code == 200 and patched.json()["progress_note"] == "Envoy booked."
    moved = partner.patch(url, {"due_date": "2030-01-01"}, format="json", HTTP_IF_MATCH=patched["ETag"])
    assert moved.status_code == 403 and "due_date" in moved.json()["fields"]
    early = partner.post(f"{url}/deliver", {}, format="json", HTTP_IF_MATCH=patched["ETag"])
    assert early.status_code == 400 and "status" in early.json()["fields"], "the action is not agreed yet"
    log = partner.get(f"{url}/updates").json()
    assert [e["new_status"] for e in log][:2] == ["accepted", "accepted"] and log[0]["note"] == "Envoy booked."


def test_commitments_out_of_scope_are_404_and_unchanged(client_for, with_other, foreign_situation, desk_officer,
                                                        liaison, other_government, foreign_action):
    foreign = Commitment.objects.create(action=foreign_action, government=other_government, status="invited",
                                        due_date=foreign_action.due_date, last_activity_at=timezone.now())
    client = client_for(liaison)
    assert client.get(f"/api/v1/commitments/{foreign.pk}").status_code == 404
    assert client.post(f"/api/v1/commitments/{foreign.pk}/accept", {}, format="json",
                       HTTP_IF_MATCH=f'"commitment-{foreign.pk}-v1"').status_code == 404
    assert client.get(f"/api/v1/actions/{foreign_action.pk}/commitments").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "invited" and foreign.version == 1


def test_the_lead_invites_a_partner_to_its_action(client_for, with_other, action, liaison, other_liaison,
                                                  other_government):
    denied = client_for(other_liaison).post(f"/api/v1/actions/{action.pk}/commitments",
                                            {"government": other_government.pk}, format="json")
    assert denied.status_code == 403
    invited = client_for(liaison).post(f"/api/v1/actions/{action.pk}/commitments",
                                       {"government": other_government.pk}, format="json")
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    again = client_for(liaison).post(f"/api/v1/actions/{action.pk}/commitments",
                                     {"government": other_government.pk}, format="json")
    assert again.status_code == 400 and "government" in again.json()["fields"]
