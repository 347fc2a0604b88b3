"""API tokens: created with a password (throttled), listed without their secret,
revocable, expiring, and never stored in clear."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from testkit.cast import PASSWORD


def _login(username, password=PASSWORD):
    return APIClient().post("/api/v1/auth/tokens", {"username": username, "password": password}, format="json")


def _client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_created_with_a_password_opens_the_api(liaison):
    created = _login("liaison")
    assert created.status_code == 201, created.json()
    token = created.json()["token"]
    me = _client_with(token).get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.json()["username"] == "liaison"


def test_a_token_is_never_stored_in_clear(liaison):
    token = _login("liaison").json()["token"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        rows = cursor.fetchall()
    assert rows
    assert all(token not in str(value) for row in rows for value in row)


def test_listing_tokens_shows_no_secret(liaison):
    token = _login("liaison").json()["token"]
    listed = _client_with(token).get("/api/v1/auth/tokens")
    assert listed.status_code == 200
    [entry] = listed.json()
    assert entry["current"] is True
    assert token not in listed.content.decode()


def test_a_revoked_token_gets_401(liaison):
    first = _login("liaison").json()
    second = _login("liaison").json()
    client = _client_with(second["token"])
    assert client.delete(f"/api/v1/auth/tokens/{first['token_key']}").status_code == 204
    assert _client_with(first["token"]).get("/api/v1/users/me").status_code == 401
    assert client.delete("/api/v1/auth/tokens").status_code == 204
    assert client.get("/api/v1/users/me").status_code == 401


def test_an_expired_token_gets_401(liaison, settings):
    token = _login("liaison").json()["token"]
    with time_machine.travel(timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + dt.timedelta(minutes=1)):
        assert _client_with(token).get("/api/v1/users/me").status_code == 401


def test_nobody_revokes_somebody_elses_token(liaison, other_liaison):
    mine = _login("liaison").json()
    theirs = _login("other-liaison").json()
    assert _client_with(mine["token"]).delete(f"/api/v1/auth/tokens/{theirs['token_key']}").status_code == 404
    assert _client_with(theirs["token"]).get("/api/v1/users/me").status_code == 200


def test_a_wrong_password_is_400_and_repeated_failures_lock_the_login_out(liaison, settings):
    assert _login("liaison", "wrong password").status_code == 400
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("liaison", "wrong password")
    locked = _login("liaison")
    assert locked.status_code == 429
    assert "token" not in locked.content.decode()


@pytest.mark.parametrize("body", [{}, {"username": "liaison"}, {"username": "liaison", "password": PASSWORD,
                                                                  "scope": "all"}])
def test_a_malformed_login_is_400(liaison, body):
    assert APIClient().post("/api/v1/auth/tokens", body, format="json").status_code == 400


def test_a_session_write_without_the_csrf_token_is_refused(desk_officer, situation):
    # The pages use the session; a forged cross-site form must not ride on it.
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(desk_officer)
    response = browser.patch(f"/api/v1/situations/{situation.pk}", {"title": "Forged"}, format="json",
                             HTTP_IF_MATCH=f'"situation-{situation.pk}-v1"')
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    situation.refresh_from_db()
    assert situation.title == "Lowland displacement"


def test_a_token_request_needs_no_csrf_token(desk_officer, situation):
    token = _login("desk").json()["token"]
    script = APIClient(enforce_csrf_checks=True)
    script.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = script.patch(f"/api/v1/situations/{situation.pk}", {"title": "Renamed by script"}, format="json",
                            HTTP_IF_MATCH=f'"situation-{situation.pk}-v1"')
    assert response.status_code == 200
