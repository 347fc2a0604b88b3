"""Bad input answers 400 with the field and the reason, never 500."""
import pytest


@pytest.fixture
def desk(client_for, desk_officer):
    return client_for(desk_officer)


def _post_situation(client, body):
    return client.post("/api/v1/situations", body, format="json")


VALID = {"title": "Coastal unrest", "country_code": "XD"}


@pytest.mark.parametrize(("body", "field"), [
    ({**VALID, "staus": "active"}, "staus"),  # unknown field
    ({**VALID, "version": 7}, "version"),  # read-only field
    ({**VALID, "title": "x" * 201}, "title"),  # over-long
    ({**VALID, "country_code": "Narnia"}, "country_code"),  # bad format
    ({**VALID, "risk_level": 5}, "risk_level"),  # wrong type / unknown choice
    ({**VALID, "named_liaisons": "everyone"}, "named_liaisons"),  # wrong type
    ({"country_code": "XD"}, "title"),  # missing
])
def test_bad_situation_input_is_400_naming_the_field(desk, body, field):
    response = _post_situation(desk, body)
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()


def test_malformed_json_is_400(desk):
    response = desk.generic("POST", "/api/v1/situations", '{"title": "unclosed', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_list_where_an_object_is_expected_is_400(desk):
    assert _post_situation(desk, [VALID]).status_code == 400


@pytest.mark.parametrize(("body", "field"), [
    ({"due_date": "2025-13-45"}, "due_date"),
    ({"priority": "whenever"}, "priority"),
    ({"status": "completed"}, "status"),  # status moves by /transition only
    ({"title": ""}, "title"),
])
def test_bad_action_edits_are_400_naming_the_field(desk, action, body, field):
    response = desk.patch(f"/api/v1/actions/{action.pk}", body, format="json",
                          HTTP_IF_MATCH=f'"action-{action.pk}-v1"')
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()


def test_a_service_rule_is_reported_as_400_with_its_field(desk, situation, other_government):
    # The owner government must be assigned to the situation: a rule of the service.
    response = desk.post("/api/v1/actions", {"situation": situation.pk, "title": "Envoy visit", "kind": "demarche",
                                             "owner_government": other_government.pk, "due_date": "2030-01-01"},
                         format="json")
    assert response.status_code == 400
    assert "owner_government" in response.json()["fields"]


def test_a_bad_filter_value_is_400(desk):
    response = desk.get("/api/v1/actions", {"due_before": "soon"})
    assert response.status_code == 400
    assert "due_before" in response.json()["fields"]


def test_filtering_by_an_invisible_situation_answers_like_a_missing_one(client_for, liaison, foreign_situation):
    # An error here ("not a valid choice") would tell the liaison the situation exists.
    response = client_for(liaison).get("/api/v1/actions", {"situation": foreign_situation.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0



@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_assignments_make_one_row_and_no_500(client_for, desk_officer, manager, situation,
                                                                    other_government):
    from coordination.models import PartnerAssignment
    from tests.api.test_concurrency import _race

    body = {"situation": situation.pk, "government": other_government.pk}
    first, second = client_for(desk_officer), client_for(manager)
    responses = _race([lambda: first.post("/api/v1/assignments", body, format="json"),
                       lambda: second.post("/api/v1/assignments", body, format="json")])
    codes = sorted(r.status_code for r in responses)
    # The loser is refused by the service's check (400) or, if both checks ran before
    # either insert, by the database constraint (409); never a 500.
    assert codes in ([201, 400], [201, 409]), codes
    assert PartnerAssignment.objects.filter(situation=situation, government=other_government).count() == 1
