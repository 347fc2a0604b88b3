"""CSV exports are scoped like the lists and safe to open in a spreadsheet; un-assigning
a government cuts its liaisons off on their next request."""
import csv
import io

from testkit.factories import ActionFactory


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_situation_export_holds_only_what_the_liaison_sees(client_for, liaison, situation, foreign_situation):
    response = client_for(liaison).get("/api/v1/situations/export")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert [row["title"] for row in _rows(response)] == ["Lowland displacement"]
    assert "Secret highland crisis" not in response.content.decode()


def test_the_action_export_follows_the_list_filters(client_for, desk_officer, action, foreign_action):
    response = client_for(desk_officer).get("/api/v1/actions/export", {"owner_government": action.owner_government_id})
    assert [int(row["id"]) for row in _rows(response)] == [action.pk]


def test_cells_that_a_spreadsheet_would_run_are_neutralised(client_for, desk_officer, situation, home_government):
    for title in ("=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)"):
        ActionFactory(situation=situation, owner_government=home_government, title=title)
    titles = {row["title"] for row in _rows(client_for(desk_officer).get("/api/v1/actions/export"))}
    assert titles == {"'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2", "'@SUM(A1)"}


def test_unassigning_a_government_cuts_its_liaison_off_on_the_next_request(client_for, liaison, desk_officer,
                                                                         situation, action):
    reader = client_for(liaison)
    assert reader.get(f"/api/v1/situations/{situation.pk}").status_code == 200
    assignment = situation.assignments.get()
    assert client_for(desk_officer).delete(f"/api/v1/assignments/{assignment.pk}").status_code == 204
    assert reader.get(f"/api/v1/situations/{situation.pk}").status_code == 404
    assert reader.get(f"/api/v1/actions/{action.pk}").status_code == 404
    assert reader.get(f"/api/v1/situations/{situation.pk}/readings").status_code == 404
    assert reader.get("/api/v1/situations").json()["count"] == 0


def test_history_names_who_changed_what(client_for, desk_officer, situation):
    client = client_for(desk_officer)
    client.patch(f"/api/v1/situations/{situation.pk}", {"risk_level": "high"}, format="json",
                 HTTP_IF_MATCH=f'"situation-{situation.pk}-v1"')
    newest, oldest = client.get(f"/api/v1/situations/{situation.pk}/history").json()["results"]
    assert (newest["change"], newest["user"]["username"], newest["snapshot"]["risk_level"]) == ("changed", "desk",
                                                                                               "high")
    assert (oldest["change"], oldest["snapshot"]["risk_level"]) == ("created", "moderate")
