"""Guessing passwords: the sign-in page and the API token login both lock a username and
address out after AXES_FAILURE_LIMIT failures, log it, and then refuse even the right
password until the cool-off ends."""
import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.audit import AuditKind
from testkit.cast import PASSWORD

AXES_LOGGERS = ("axes", "axes.handlers.database", "axes.signals")


def _page_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _api_login(client, username, password):
    return client.post("/api/v1/auth/tokens", {"username": username, "password": password}, format="json")


ENTRIES = [pytest.param(_page_login, id="login page"), pytest.param(_api_login, id="api token")]


def _client_for(login):
    return APIClient() if login is _api_login else __import__("django.test").test.Client()


@pytest.mark.parametrize("login", ENTRIES)
def test_guessing_locks_the_account_out_logs_it_and_the_right_password_is_then_refused(
        login, liaison, settings, caplog, audit_kinds):
    client = _client_for(login)
    caplog.set_level(logging.INFO)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "liaison", f"guess-{attempt}")
        assert response.status_code in (200, 400, 429), response.status_code
    assert any("Locking out" in record.getMessage() and record.name.startswith("axes")
               for record in caplog.records), "the lock-out was not logged by axes"

    response = login(client, "liaison", PASSWORD)
    assert response.status_code == 429
    if login is _api_login:
        assert "token" not in response.content.decode()
    else:
        assert "_auth_user_id" not in client.session
    assert [e.username for e in audit_kinds(AuditKind.LOCKED_OUT)][:1] == ["liaison"]
    failures = audit_kinds(AuditKind.LOGIN_FAILED)
    assert len(failures) >= settings.AXES_FAILURE_LIMIT
    assert all(e.username == "liaison" and e.ip_address == "127.0.0.1" for e in failures)
    assert not audit_kinds(AuditKind.LOGIN_SUCCEEDED)


@pytest.mark.parametrize("login", ENTRIES)
def test_one_failure_short_of_the_limit_the_right_password_still_works(login, liaison, settings, audit_kinds):
    client = _client_for(login)
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "liaison", f"guess-{attempt}")
    response = login(client, "liaison", PASSWORD)
    assert response.status_code in (201, 302)
    succeeded = audit_kinds(AuditKind.LOGIN_SUCCEEDED)
    assert [(e.actor_id, e.detail["via"]) for e in succeeded] == [
        (liaison.pk, "api_token" if login is _api_login else "session")]


def test_a_lock_out_on_the_page_also_closes_the_api_for_that_username_and_address(liaison, settings):
    page = __import__("django.test").test.Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _page_login(page, "liaison", f"guess-{attempt}")
    assert _api_login(APIClient(), "liaison", PASSWORD).status_code == 429


def test_another_user_from_the_same_address_is_not_locked_out(liaison, other_liaison, settings):
    client = APIClient()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _api_login(client, "liaison", f"guess-{attempt}")
    assert _api_login(client, "other-liaison", PASSWORD).status_code == 201
