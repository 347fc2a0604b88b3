"""POST /api/v1/situations/{id}/close and /reopen, as a script of a partner desk uses them:
If-Match like every state change, errors naming the field, 403 for a liaison who sees
the situation, 404 for one who does not, and the outcome on the situation resource.
Closing needs a second person: the close answers 202 with the sign-off request, and a
second manager's approval (/api/v1/sign-offs) closes it."""
import pytest

from coordination import closing
from coordination.choices import ActionStatus, SituationOutcome
from coordination.models import Situation
from testkit.signoffs import second_person, signed_off

pytestmark = pytest.mark.django_db


def url(situation, verb):
    return f"/api/v1/situations/{situation.pk}/{verb}"


def etag(situation, version=None):
    return f'"situation-{situation.pk}-v{version or situation.version}"'


def post(client, situation, verb, body, version=None, if_match=True):
    headers = {"HTTP_IF_MATCH": etag(situation, version)} if if_match else {}
    return client.post(url(situation, verb), body, format="json", **headers)


def close_signed_off(client_for, client, situation, body, approver=None):
    """Ask to close (202, nothing closed yet), have a second manager approve, and read the
    situation as the asking client: the answer a single-step close used to give."""
    asked = post(client, situation, "close", body)
    assert asked.status_code == 202, asked.content
    assert Situation.objects.get(pk=situation.pk).status != "closed"
    approver = approver or second_person(Situation.objects.get(pk=situation.pk).signoffs.get().requested_by)
    approved = client_for(approver).post(f"/api/v1/sign-offs/{asked.json()['id']}/approve", {}, format="json")
    assert approved.status_code == 200, approved.content
    return client.get(f"/api/v1/situations/{situation.pk}")


def test_a_desk_officer_closes_a_situation_and_reads_its_outcome(client_for, desk_officer, situation, action):
    client = client_for(desk_officer)
    response = close_signed_off(client_for, client, situation, {
        "outcome": "risk_receded", "note": "Ceasefire holds.", "open_actions": "cancel",
        "cancel_reason": "No longer needed."})
    body = response.json()
    assert (body["status"], body["outcome"], body["outcome_note"], body["version"]) == (
        "closed", "risk_receded", "Ceasefire holds.", 2)
    assert body["closed_by"]["username"] == "desk" and body["closed_at"] and body["merged_into"] is None
    assert response["ETag"] == etag(situation, 2)
    action_body = client.get(f"/api/v1/actions/{action.pk}").json()
    assert action_body["status"] == "cancelled" and action_body["progress_note"] == "No longer needed."
    read = client.get(f"/api/v1/situations/{situation.pk}").json()
    assert read["outcome"] == "risk_receded"


def test_close_needs_if_match_and_a_stale_one_changes_nothing(client_for, desk_officer, situation):
    client = client_for(desk_officer)
    body = {"outcome": "risk_receded"}
    assert post(client, situation, "close", body, if_match=False).status_code == 428
    stale = post(client, situation, "close", body, version=7)
    assert stale.status_code == 412
    signed_off(closing.situation_close(actor=desk_officer, situation=situation, outcome="risk_receded"))
    situation.refresh_from_db()
    again = post(client, situation, "close", body, version=1)
    assert again.status_code == 412 and again.json()["current_version"] == 2
    assert Situation.objects.get(pk=situation.pk).outcome == "risk_receded"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "outcome"),
    ({"outcome": "vanished"}, "outcome"),
    ({"outcome": "other", "note": ""}, "note"),
    ({"outcome": "merged"}, "merged_into"),
    ({"outcome": "merged", "merged_into": 2_147_483_000}, "merged_into"),
    ({"outcome": "risk_receded", "open_actions": "cancel"}, "cancel_reason"),
    ({"outcome": "risk_receded", "open_actions": "forget"}, "open_actions"),
    ({"outcome": "risk_receded", "status": "closed"}, "status"),
])
def test_a_refused_close_names_the_field(client_for, desk_officer, situation, action, body, field):
    response = post(client_for(desk_officer), situation, "close", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert Situation.objects.get(pk=situation.pk).status != "closed"


def test_merged_into_must_be_a_situation_the_closer_may_name(client_for, desk_officer, situation, foreign_situation):
    client = client_for(desk_officer)
    response = close_signed_off(client_for, client, situation,
                                {"outcome": "merged", "merged_into": foreign_situation.pk})
    assert response.json()["merged_into"] == {"id": foreign_situation.pk, "title": "Secret highland crisis"}


def test_a_liaison_does_not_learn_where_their_situation_was_merged(client_for, desk_officer, liaison, situation,
                                                                   foreign_situation):
    signed_off(closing.situation_close(actor=desk_officer, situation=situation, outcome=SituationOutcome.MERGED,
                                       merged_into=foreign_situation))
    client = client_for(liaison)
    for response in (client.get(f"/api/v1/situations/{situation.pk}"), client.get("/api/v1/situations")):
        assert response.status_code == 200
        assert "Secret highland crisis" not in response.content.decode()
    detail = client.get(f"/api/v1/situations/{situation.pk}").json()
    assert (detail["outcome"], detail["merged_into"]) == ("merged", None)


def test_a_liaison_in_scope_is_forbidden_and_one_out_of_scope_finds_nothing(client_for, liaison, other_liaison,
                                                                            situation):
    for verb, body in (("close", {"outcome": "risk_receded"}), ("reopen", {"note": "Please"})):
        assert post(client_for(liaison), situation, verb, body).status_code == 403
        assert post(client_for(other_liaison), situation, verb, body).status_code == 404
    assert Situation.objects.get(pk=situation.pk).version == 1


def test_an_edit_cannot_close_and_says_to_use_close(client_for, desk_officer, situation):
    response = client_for(desk_officer).patch(f"/api/v1/situations/{situation.pk}", {"status": "closed"},
                                              format="json", HTTP_IF_MATCH=etag(situation))
    assert response.status_code == 400
    assert "close" in response.json()["fields"]["status"][0]


def test_reopen_clears_the_outcome_and_the_history_tells_why(client_for, manager, situation):
    closed = signed_off(closing.situation_close(actor=manager, situation=situation, outcome="other", note="Unclear."))
    client = client_for(manager)
    response = post(client, closed, "reopen", {"note": "Fresh reports of attacks.", "status": "active"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["outcome"], body["outcome_note"], body["closed_at"], body["closed_by"]) == (
        "active", "", "", None, None)
    assert response["ETag"] == etag(situation, 3)
    history = client.get(f"/api/v1/situations/{situation.pk}/history").json()["results"]
    assert history[0]["reason"] == "reopened: Fresh reports of attacks."
    assert history[0]["user"]["username"] == "manager"
    assert (history[1]["snapshot"]["outcome"], history[1]["snapshot"]["outcome_note"]) == ("other", "Unclear.")


@pytest.mark.parametrize(("body", "field"), [({}, "note"), ({"note": "Why", "status": "closed"}, "status"),
                                             ({"note": "Why", "status": "asleep"}, "status")])
def test_a_refused_reopen_names_the_field(client_for, manager, situation, body, field):
    closed = signed_off(closing.situation_close(actor=manager, situation=situation, outcome="risk_receded"))
    response = post(client_for(manager), closed, "reopen", body)
    assert response.status_code == 400 and field in response.json()["fields"], response.content


def test_reopening_an_open_situation_is_refused_on_its_status(client_for, manager, situation):
    response = post(client_for(manager), situation, "reopen", {"note": "Already open"})
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_kept_actions_stay_open_after_closing_over_the_api(client_for, desk_officer, situation, action):
    client = client_for(desk_officer)
    response = close_signed_off(client_for, client, situation, {"outcome": "handed_over", "open_actions": "keep"})
    assert response.json()["status"] == "closed"
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED
