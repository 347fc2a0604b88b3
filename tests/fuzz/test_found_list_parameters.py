"""Found by fuzzing:
- GET /api/v1/situations?risk_level=owner_government answered 400 and
  GET /api/v1/escalation-policies?page=%06w answered 404, neither documented for lists;
- GET /api/v1/situations/2/readings?page_size=3.7e-48 answered 200 with the default page,
  silently ignoring a page size the client asked for."""
import pytest

LISTS = ["/api/v1/situations", "/api/v1/actions", "/api/v1/assignments", "/api/v1/alerts", "/api/v1/governments",
         "/api/v1/indicators", "/api/v1/notifications", "/api/v1/alert-rules", "/api/v1/escalation-policies",
         "/api/v1/webhook-endpoints", "/api/v1/situations/{situation_pk}/readings"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_documents_its_refused_filters_and_missing_pages(openapi, path):
    responses = openapi["paths"][path]["get"]["responses"]
    assert {"400", "404"} <= set(responses)
    assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("path", ["/api/v1/situations/export", "/api/v1/actions/export"])
def test_exports_document_their_refused_filters(openapi, path):
    assert "400" in openapi["paths"][path]["get"]["responses"]


def test_a_bad_filter_value_on_a_list_answers_400_naming_it(api_as, desk_officer, situation):
    response = api_as(desk_officer).get("/api/v1/situations", {"risk_level": "owner_government"})
    assert response.status_code == 400
    assert "risk_level" in response.json()["fields"]


def test_a_page_past_the_last_answers_404_in_the_error_shape(api_as, manager, situation):
    response = api_as(manager).get("/api/v1/situations", {"page": "%06w"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("page_size", ["3.7e-48", "-5", "0", "abc", "2.5"])
def test_a_page_size_that_is_not_a_whole_number_of_at_least_one_answers_400(api_as, liaison, situation, page_size):
    for url in ("/api/v1/situations", f"/api/v1/situations/{situation.pk}/readings"):
        response = api_as(liaison).get(url, {"page_size": page_size})
        assert response.status_code == 400, (url, page_size)
        assert "page_size" in response.json()["fields"]


def test_a_page_size_above_the_maximum_is_capped(api_as, liaison, situation):
    response = api_as(liaison).get("/api/v1/situations", {"page_size": "100000"})
    assert response.status_code == 200
    response = api_as(liaison).get("/api/v1/situations", {"page_size": "1"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
