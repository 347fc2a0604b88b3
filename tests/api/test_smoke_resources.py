"""The resources answer in the shapes the docs promise."""
import datetime as dt

from django.utils import timezone

from coordination.choices import ActionStatus


def test_a_desk_officer_opens_a_situation_and_reads_it_back_with_an_etag(client_for, desk_officer):
    client = client_for(desk_officer)
    created = client.post("/api/v1/situations", {"title": "Delta floods", "country_code": "XC"}, format="json")
    assert created.status_code == 201, created.json()
    assert created["ETag"] == f'"situation-{created.json()["id"]}-v1"'
    read = client.get(f"/api/v1/situations/{created.json()['id']}")
    assert read.status_code == 200
    assert read.json()["title"] == "Delta floods"
    assert read["ETag"] == created["ETag"]


def test_me_tells_role_government_and_time_zone(client_for, liaison):
    body = client_for(liaison).get("/api/v1/users/me").json()
    assert body["role"] == "liaison"
    assert body["government"]["code"] == "XHA"
    assert body["time_zone"] == "UTC"


def test_times_are_iso_8601_in_utc(client_for, desk_officer, situation):
    body = client_for(desk_officer).get(f"/api/v1/situations/{situation.pk}").json()
    assert body["created_at"].endswith("Z")


def test_situations_embed_their_assignments(client_for, desk_officer, situation):
    body = client_for(desk_officer).get("/api/v1/situations").json()
    [row] = body["results"]
    assert [a["government"]["code"] for a in row["assignments"]] == ["XHA"]


def test_actions_filter_by_overdue_and_due_dates(client_for, desk_officer, action, situation, home_government):
    from testkit.factories import ActionFactory

    late = ActionFactory(situation=situation, owner_government=home_government, title="Late statement",
                         due_date=timezone.now().date() - dt.timedelta(days=3), status=ActionStatus.AGREED,
                         agreed_at=timezone.now())
    client = client_for(desk_officer)
    overdue = client.get("/api/v1/actions", {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [late.pk]
    due_soon = client.get("/api/v1/actions", {"due_after": timezone.now().date().isoformat()}).json()["results"]
    assert [row["id"] for row in due_soon] == [action.pk]


def test_the_docs_page_and_the_schema_are_served_without_a_cdn(client_for, desk_officer, settings):
    client = client_for(desk_officer)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert client.get("/api/schema/").status_code == 200
