"""Found by fuzzing: GET /api/v1/webhook-endpoints/0.15 (an id the route does not match)
answered Django's HTML 404 page, outside the schema's application/json."""


def test_an_api_url_no_route_matches_answers_the_json_error_shape(api_as, manager):
    for url in ("/api/v1/webhook-endpoints/0.15", "/api/v1/actions/1e3/history", "/api/v1/no-such-resource"):
        response = api_as(manager).get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_a_page_url_no_route_matches_still_answers_html(client, manager):
    client.force_login(manager)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
