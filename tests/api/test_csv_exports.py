"""CSV exports a spreadsheet opens as written (`?format=excel`: UTF-8 with a byte-order
mark), and the alerts' exports, which hold exactly what their lists show."""
import csv
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit import AuditEvent, AuditKind
from alerts.choices import AlertStatus
from testkit.factories import ActionFactory, ReadingFactory, SituationFactory, TrackedIndicatorFactory
from testkit.world import SHARING_ROLES, open_escalation, sharing_world

BOM = b"\xef\xbb\xbf"
NAME = "Côte d'Ivoire — Ñuñoa"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _rows(content: bytes, encoding: str = "utf-8"):
    return list(csv.DictReader(io.StringIO(content.decode(encoding))))


@pytest.fixture
def accented(desk_officer, home_government, indicator, rule):
    situation = SituationFactory(title=NAME)
    ActionFactory(situation=situation, owner_government=home_government, title=NAME)
    TrackedIndicatorFactory(situation=situation, indicator=indicator)
    ReadingFactory(situation=situation, indicator=indicator, source=NAME, recorded_by=desk_officer)
    open_escalation(rule, situation, NAME)
    return situation


def _exports(situation):
    # (path, column holding the accented name)
    return [("/api/v1/situations/export", "title"), ("/api/v1/actions/export", "title"),
            (f"/api/v1/situations/{situation.pk}/readings/export", "source"),
            ("/api/v1/alert-groups/export", "situation"), ("/api/v1/alerts/export", "title")]


def test_the_excel_variant_of_every_export_opens_accented_names_as_written(desk_officer, accented):
    api = _api(desk_officer)
    for path, column in _exports(accented):
        excel = api.get(path, {"format": "excel"})
        assert excel.status_code == 200, path
        assert excel["Content-Type"] == "text/csv; charset=utf-8"
        assert excel.content.startswith(BOM), path
        assert excel.content.decode("utf-8").startswith("\ufeffmarking,"), path
        rows = _rows(excel.content, "utf-8-sig")
        assert list(rows[0])[0] == "marking", path  # the mark is not glued to the first header
        assert NAME in {row[column] for row in rows}, path


def test_the_default_export_is_plain_utf8_without_a_mark(desk_officer, accented):
    api = _api(desk_officer)
    for path, column in _exports(accented):
        for params in ({}, {"format": "csv"}):
            plain = api.get(path, params)
            assert plain.status_code == 200 and not plain.content.startswith(BOM), (path, params)
            assert NAME in {row[column] for row in _rows(plain.content)}, path
    # Same rows either way: the variant changes the encoding, nothing else.
    path = "/api/v1/actions/export"
    assert api.get(path, {"format": "excel"}).content == BOM + api.get(path).content


def test_an_unknown_export_format_is_404(desk_officer, accented):
    assert _api(desk_officer).get("/api/v1/situations/export", {"format": "xlsx"}).status_code == 404


def test_the_schema_offers_the_excel_variant_on_every_export(desk_officer):
    schema = _api(desk_officer).get("/api/schema/", {"format": "json"}).json()
    exports = {path: ops["get"] for path, ops in schema["paths"].items() if path.endswith("/export")}
    assert {"/api/v1/alert-groups/export", "/api/v1/alerts/export", "/api/v1/situations/export",
            "/api/v1/actions/export"} <= set(exports)
    for path, operation in exports.items():
        [param] = [p for p in operation["parameters"] if p["name"] == "format"]
        assert param["schema"]["enum"] == ["csv", "excel"], path
        assert "text/csv" in operation["responses"]["200"]["content"], path


# --- The alerts' exports ---------------------------------------------------------------


@pytest.fixture
def world(rule):
    w = sharing_world()
    # A resolved escalation: off the queue, so off its export unless `status` asks.
    done = open_escalation(rule, w.situations["shared"], "Settled condition")
    done.status = AlertStatus.RESOLVED
    done.resolved_at = timezone.now()
    done.save()
    done.conditions.update(status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    w.resolved_group = done
    for key, situation in w.situations.items():
        open_escalation(rule, situation, f"Condition {w.marker(key)}")
    return w


@pytest.mark.parametrize("role", sorted(SHARING_ROLES))
@pytest.mark.parametrize("resource", ["alert-groups", "alerts"])
def test_an_alerts_export_holds_exactly_what_its_list_shows(world, role, resource):
    api = _api(world.users[role])
    for params in ({}, {"status": [AlertStatus.RESOLVED]}, {"severity": ["critical"]}):
        listed = api.get(f"/api/v1/{resource}", params).json()["results"]
        exported = api.get(f"/api/v1/{resource}/export", params)
        assert exported.status_code == 200
        rows = _rows(exported.content)
        assert [int(row["id"]) for row in rows] == [item["id"] for item in listed], params
        body = exported.content.decode()
        seen = {key for key, situation in world.situations.items() if situation.title in body}
        for key in set(world.situations) - seen:
            assert world.marker(key) not in body
        for row in rows:
            situation = next(s for s in world.situations.values() if s.pk == int(row["situation_id"]))
            assert row["marking"] == situation.tlp
    # The liaisons' scopes, stated: what each of them may see of the four situations.
    queue = {int(row["situation_id"]) for row in _rows(api.get(f"/api/v1/{resource}/export").content)}
    expected = {"desk_officer": {"shared", "foreign", "strict", "red"}, "manager": {"shared", "foreign", "strict", "red"},
                "admin": {"shared", "foreign", "strict", "red"}, "liaison_assigned": {"shared", "strict", "red"},
                "liaison_unassigned": set(), "liaison_observer_on_strict": {"shared"},
                "liaison_not_named_on_red": {"shared"}}[role]
    assert queue == {world.situations[key].pk for key in expected}


def test_the_resolved_escalation_is_exported_only_when_asked(world):
    api = _api(world.users["manager"])

    def ids(params):
        return {int(row["id"]) for row in _rows(api.get("/api/v1/alert-groups/export", params).content)}

    assert world.resolved_group.pk not in ids({})
    assert world.resolved_group.pk in ids({"status": [AlertStatus.RESOLVED]})


def test_an_alerts_export_is_audited(world):
    api = _api(world.users["manager"])
    api.get("/api/v1/alerts/export", {"severity": "critical"})
    api.get("/api/v1/alert-groups/export", {"format": "excel"})
    rows = {row.detail["file"]: row for row in AuditEvent.objects.filter(kind=AuditKind.EXPORT)}
    assert rows["alerts.csv"].object_type == "alerts.alert" and rows["alerts.csv"].detail["rows"] == 4
    assert rows["alerts.csv"].detail["filters"] == {"severity": ["critical"]}
    assert rows["escalations.csv"].object_type == "alerts.alertgroup"
    assert rows["escalations.csv"].detail["rows"] == 4
    assert rows["escalations.csv"].actor_id == world.users["manager"].pk
