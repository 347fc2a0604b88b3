"""Script written into Concert by one user must reach every other reader as text: in
pages (escaped HTML), e-mails (escaped HTML part), CSV exports (no cell a spreadsheet
would run as a formula) and webhook bodies (JSON strings, not markup). The payloads go
in the way an attacker would put them: through the API, as the users allowed to write
them (a liaison writes their action's notes)."""
import csv
import io
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.choices import Channel
from alerts.delivery import deliver_notification
from alerts.models import Notification, WebhookEndpoint
from coordination.models import SignoffRequest
from testkit.signoffs import signed_off
from testkit.world import open_escalation
from testkit.receiver import status

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'
PAYLOAD = f"{SCRIPT}{BREAKOUT}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW_MARKUP = ("<script>alert(1)", "<img src=x", "onerror=alert(2)>")
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def etag(response):
    return response["ETag"]


@pytest.fixture
def planted(desk_officer, liaison, manager, situation, action, indicator, tracked, rule):
    """Payloads in a situation title, an action note, a reading source and an alert's
    resolution note."""
    url = f"/api/v1/situations/{situation.pk}"
    current = api(desk_officer).get(url)
    assert api(desk_officer).patch(url, {"title": PAYLOAD}, format="json",
                                   HTTP_IF_MATCH=etag(current)).status_code == 200
    action_url = f"/api/v1/actions/{action.pk}"
    # The desk agrees (a liaison may not); the liaison's note carries the payload.
    assert api(desk_officer).post(f"{action_url}/transition", {"status": "agreed"}, format="json",
                                  HTTP_IF_MATCH=etag(api(desk_officer).get(action_url))).status_code == 200
    moved = api(liaison).post(f"{action_url}/transition", {"status": "in_progress", "note": PAYLOAD}, format="json",
                              HTTP_IF_MATCH=etag(api(liaison).get(action_url)))
    assert moved.status_code == 200, moved.content
    reading = api(desk_officer).post(f"{url}/readings", {
        "indicator": indicator.pk, "value": 3, "observed_at": timezone.now().isoformat(), "source": PAYLOAD},
        format="json")
    assert reading.status_code == 201, reading.content

    alert = open_escalation(rule, situation, PAYLOAD, policy_frozen=True)
    asked = api(manager).post(f"/api/v1/alert-groups/{alert.pk}/resolve", {"note": PAYLOAD}, format="json")
    assert asked.status_code == 202  # critical and holding: a second manager signs it off
    signed_off(SignoffRequest.objects.get(pk=asked.json()["id"]))
    situation.refresh_from_db()
    return {"situation": situation, "action": action, "alert": alert}


def _assert_escaped(body: str, where: str):
    for raw in RAW_MARKUP:
        assert raw not in body, f"{raw!r} unescaped in {where}"
    assert ESCAPED_SCRIPT in body, f"the payload is not shown (escaped) in {where}"


@pytest.mark.parametrize("reader", ["manager", "liaison"])
def test_pages_show_the_payloads_as_text(client, request, planted, reader):
    client.force_login(request.getfixturevalue(reader))
    pages = [reverse("pages:situation-detail", args=[planted["situation"].pk]),
             reverse("pages:action-detail", args=[planted["action"].pk]),
             reverse("alert-pages:alert-detail", args=[planted["alert"].pk]),
             reverse("pages:situation-list"), reverse("pages:dashboard"), reverse("pages:my-actions")]
    if reader == "manager":
        pages += [reverse("alert-pages:queue")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for raw in RAW_MARKUP:
            assert raw not in body, f"{raw!r} unescaped in {page}"
    detail = client.get(reverse("pages:situation-detail", args=[planted["situation"].pk])).content.decode()
    _assert_escaped(detail, "the situation page")
    assert detail.count(ESCAPED_SCRIPT) >= 3  # title, the action's note, the reading's source
    _assert_escaped(client.get(reverse("alert-pages:alert-detail", args=[planted["alert"].pk])).content.decode(),
                    "the alert page (title, resolution note)")


def test_the_alert_e_mail_escapes_its_html_part(planted, desk_officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alert = planted["alert"]
    notification = Notification.objects.create(group=alert, recipient=desk_officer, channel=Channel.EMAIL,
                                               idempotency_key="xss-mail", reason="test", created_at=timezone.now())
    assert deliver_notification(notification_id=notification.pk) == "sent"
    [message] = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    _assert_escaped(html, "the e-mail's HTML part")
    assert "\n" not in message.subject and "\r" not in message.subject


def test_a_webhook_carries_the_payload_as_a_json_string(planted, manager, start_receiver, settings):
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    receiver = start_receiver(status(200))
    endpoint = WebhookEndpoint.objects.create(name="Receiver", url=receiver.url, secret="s" * 32, owner_user=manager)
    alert = planted["alert"]
    notification = Notification.objects.create(group=alert, endpoint=endpoint, channel=Channel.WEBHOOK,
                                               event=alert.events.get(kind="resolved"), idempotency_key="xss-hook",
                                               reason="test", created_at=timezone.now())
    assert deliver_notification(notification_id=notification.pk) == "sent"
    [received] = receiver.requests
    assert received["headers"]["Content-Type"] == "application/json"
    body = json.loads(received["body"])
    [condition] = body["escalation"]["conditions"]
    assert condition["title"] == PAYLOAD and body["situation"]["title"] == PAYLOAD
    assert isinstance(condition["title"], str)


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_exports_neutralise_formula_cells(desk_officer, liaison, situation, action, formula):
    url = f"/api/v1/situations/{situation.pk}"
    api(desk_officer).patch(url, {"title": formula, "area": formula}, format="json",
                            HTTP_IF_MATCH=etag(api(desk_officer).get(url)))
    action_url = f"/api/v1/actions/{action.pk}"
    api(liaison).post(f"{action_url}/transition", {"status": "agreed", "note": formula}, format="json",
                      HTTP_IF_MATCH=etag(api(liaison).get(action_url)))
    api(liaison).patch(action_url, {"progress_note": formula}, format="json",
                       HTTP_IF_MATCH=etag(api(liaison).get(action_url)))
    cells = []
    for export in ("/api/v1/situations/export", "/api/v1/actions/export"):
        response = api(liaison).get(export)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"].startswith("attachment;")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        cells += [cell for row in rows[1:] for cell in row]
    planted = [cell for cell in cells if formula.lstrip("\t\r") in cell]
    assert len(planted) >= 3, cells  # situation title, area, and the action's situation title
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    # The API trims surrounding whitespace, so "\t=1+1" is stored as "=1+1": either way
    # the cell reaches the spreadsheet behind an apostrophe.
    assert all(cell in ("'" + formula, "'" + formula.strip()) for cell in planted), planted


def test_csv_export_keeps_ordinary_text_untouched(desk_officer, situation):
    response = api(desk_officer).get("/api/v1/situations/export")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["title"] == situation.title
