"""The audit log: every kind is written by the hook that owns it, nobody but an admin
reads it, and nobody — through the ORM, the admin or raw SQL — changes or removes it."""
import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit import AppendOnlyError, AuditEvent, AuditKind
from accounts.models import Role
from testkit.cast import PASSWORD
from testkit.factories import UserFactory
from testkit.signoffs import second_person


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_a_page_sign_in_and_an_api_token_sign_in_are_recorded_with_address(client, liaison, audit_kinds):
    client.post(reverse("accounts:login"), {"username": "liaison", "password": PASSWORD})
    APIClient().post("/api/v1/auth/tokens", {"username": "liaison", "password": PASSWORD}, format="json")
    rows = audit_kinds(AuditKind.LOGIN_SUCCEEDED)
    assert [(r.actor_id, r.detail["via"], r.ip_address) for r in rows] == [
        (liaison.pk, "session", "127.0.0.1"), (liaison.pk, "api_token", "127.0.0.1")]


def test_a_refused_password_is_recorded_without_the_password(client, liaison, audit_kinds):
    client.post(reverse("accounts:login"), {"username": "liaison", "password": "hunter2-wrong"})
    [row] = audit_kinds(AuditKind.LOGIN_FAILED)
    assert row.username == "liaison" and row.actor_id is None
    assert "hunter2" not in str(row.detail) and "hunter2" not in row.path


def test_a_403_on_the_api_and_on_a_page_is_recorded_as_a_denial(client, liaison, situation, audit_kinds):
    refused = api(liaison).patch(f"/api/v1/situations/{situation.pk}", {"title": "x"}, format="json",
                                 HTTP_IF_MATCH=f'"situation-{situation.pk}-v{situation.version}"')
    assert refused.status_code == 403
    client.force_login(liaison)
    assert client.get(reverse("pages:situation-create")).status_code == 403
    rows = audit_kinds(AuditKind.PERMISSION_DENIED)
    assert [(r.actor_id, r.detail["method"], r.path) for r in rows] == [
        (liaison.pk, "PATCH", f"/api/v1/situations/{situation.pk}"),
        (liaison.pk, "GET", reverse("pages:situation-create"))]


def test_an_export_records_who_took_which_rows(desk_officer, action, foreign_action, audit_kinds):
    response = api(desk_officer).get("/api/v1/actions/export?status=proposed")
    assert response.status_code == 200
    [row] = audit_kinds(AuditKind.EXPORT)
    assert row.actor_id == desk_officer.pk and row.object_type == "coordination.action"
    assert row.detail["rows"] == 2 and row.detail["filters"] == {"status": ["proposed"]}


def test_a_liaisons_export_records_only_the_rows_they_received(liaison, action, foreign_action, audit_kinds):
    body = api(liaison).get("/api/v1/actions/export").content.decode()
    [row] = audit_kinds(AuditKind.EXPORT)
    assert row.detail["rows"] == len(body.strip().splitlines()) - 1 == 1


def test_every_alert_action_is_recorded_with_its_actor(manager, alert, desk_officer, audit_kinds):
    client = api(manager)
    base = f"/api/v1/alert-groups/{alert.pk}"
    until = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    for verb, body in (("acknowledge", {}), ("escalate", {}), ("snooze", {"until": until}),
                       ("reassign", {"owner": desk_officer.pk})):
        response = client.post(f"{base}/{verb}", body, format="json")
        assert response.status_code == 200, (verb, response.content)
    # Critical and still holding: the resolution is asked, then signed off by a second manager.
    asked = client.post(f"{base}/resolve", {"note": "Envoys agreed."}, format="json")
    assert asked.status_code == 202, asked.content
    assert api(second_person(manager)).post(f"/api/v1/sign-offs/{asked.json()['id']}/approve", {},
                                            format="json").status_code == 200
    assert [r.kind for r in audit_kinds() if r.kind.startswith("signoff_")] == [
        AuditKind.SIGNOFF_REQUESTED, AuditKind.SIGNOFF_APPROVED]
    rows = [r for r in audit_kinds() if r.kind.startswith("alert_")]
    assert [r.kind for r in rows] == [AuditKind.ALERT_ACKNOWLEDGED, AuditKind.ALERT_ESCALATED,
                                      AuditKind.ALERT_SNOOZED, AuditKind.ALERT_REASSIGNED,
                                      AuditKind.ALERT_RESOLVED]
    assert {(r.actor_id, r.object_type, r.object_id) for r in rows} == {(manager.pk, "alerts.alertgroup", str(alert.pk))}
    assert rows[-1].detail["note"] == "Envoys agreed."


def test_a_refused_alert_action_leaves_no_audit_of_an_action(liaison, foreign_alert, audit_kinds):
    assert api(liaison).post(f"/api/v1/alert-groups/{foreign_alert.pk}/resolve", {"note": "x"},
                             format="json").status_code == 404
    assert not [r for r in audit_kinds() if r.kind.startswith("alert_")]


# --- Who reads it ------------------------------------------------------------------------


@pytest.fixture
def some_events(liaison):
    event = AuditEvent.objects.create(kind=AuditKind.LOGIN_FAILED, username="SECRET-AUDIT-NAME")
    return AuditEvent.objects.filter(pk=event.pk)


def test_only_an_admin_sees_the_log_in_the_admin(client, admin_user, some_events):
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_auditevent_changelist")
    response = client.get(changelist + "?kind__exact=login_failed")
    assert response.status_code == 200 and "SECRET-AUDIT-NAME" in response.content.decode()


@pytest.mark.parametrize("role", [Role.LIAISON, Role.DESK_OFFICER, Role.MANAGER])
def test_no_other_role_sees_the_log_even_with_admin_access(client, role, home_government, some_events):
    # Even someone given the admin (is_staff) and every permission is refused: the log
    # is for admins.
    user = UserFactory(role=role, is_staff=True, government=home_government if role == Role.LIAISON else None)
    user.user_permissions.set(__import__("django.contrib.auth.models").contrib.auth.models.Permission.objects.all())
    client.force_login(user)
    event = some_events.first()
    for url in (reverse("admin:accounts_auditevent_changelist"),
                reverse("admin:accounts_auditevent_change", args=[event.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "SECRET-AUDIT-NAME" not in response.content.decode()
    assert "SECRET-AUDIT-NAME" not in client.get(reverse("admin:index")).content.decode()


def test_no_route_but_the_admin_serves_the_log():
    def walk(patterns, prefix=""):
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern), entry

    audit_routes = [path for path, entry in walk(get_resolver().url_patterns)
                    if "audit" in path.lower() or "audit" in (entry.name or "")]
    assert audit_routes and all(path.startswith("admin/") for path in audit_routes), audit_routes
    assert "audit" not in str(sorted(p for p, _ in walk(get_resolver().url_patterns) if p.startswith("api/")))


def test_a_liaison_signed_in_cannot_reach_the_admins_log(client, liaison, some_events):
    client.force_login(liaison)
    response = client.get(reverse("admin:accounts_auditevent_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- Append-only -------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_a_record(some_events):
    event = some_events.first()
    event.username = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "SECRET-AUDIT-NAME"


def test_the_database_refuses_raw_update_and_delete(some_events):
    event = some_events.first()
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET username = 'rewritten' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == "SECRET-AUDIT-NAME"


def test_the_admin_offers_no_add_change_or_delete(client, admin_user, some_events):
    client.force_login(admin_user)
    event = some_events.first()
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]),
                       {"username": "rewritten"}).status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).username == "SECRET-AUDIT-NAME"


def test_deleting_a_user_keeps_their_records(liaison, client, audit_kinds):
    client.post(reverse("accounts:login"), {"username": "liaison", "password": PASSWORD})
    liaison_id = liaison.pk
    liaison.delete()
    [row] = audit_kinds(AuditKind.LOGIN_SUCCEEDED)
    assert row.username == "liaison" and row.actor_id == liaison_id
