"""Found by fuzzing: GET /api/v1/indicators?is_active=1.19e308 and
GET /api/v1/actions/export?overdue=1836 answered 200 with the unfiltered rows — the filter
was read as absent — and GET /api/v1/actions/export?format=ø answered an undocumented 404."""
import pytest

from testkit.factories import IndicatorFactory


@pytest.mark.parametrize("url,name", [("/api/v1/indicators", "is_active"), ("/api/v1/governments", "is_active"),
                                      ("/api/v1/actions", "overdue"), ("/api/v1/actions/export", "overdue")])
@pytest.mark.parametrize("value", ["1.19e308", "1836", "yes", "maybe"])
def test_a_boolean_filter_that_is_neither_true_nor_false_answers_400(api_as, desk_officer, url, name, value):
    response = api_as(desk_officer).get(url, {name: value})
    assert response.status_code == 400
    assert name in response.json()["fields"]


def test_boolean_filters_still_filter_and_empty_means_unfiltered(api_as, desk_officer, indicator):
    IndicatorFactory(code="retired-indicator", is_active=False)
    client = api_as(desk_officer)

    def codes(**query):
        response = client.get("/api/v1/indicators", query)
        assert response.status_code == 200
        return {row["code"] for row in response.json()["results"]}

    assert codes(is_active="true") == codes(is_active="1") == {indicator.code}
    assert codes(is_active="False") == codes(is_active="0") == {"retired-indicator"}
    assert codes(is_active="") == codes() == {indicator.code, "retired-indicator"}


def test_an_export_in_a_format_not_offered_answers_a_documented_404(api_as, desk_officer, openapi):
    response = api_as(desk_officer).get("/api/v1/actions/export", {"format": "ø"})
    assert response.status_code == 404
    assert "404" in openapi["paths"]["/api/v1/actions/export"]["get"]["responses"]
