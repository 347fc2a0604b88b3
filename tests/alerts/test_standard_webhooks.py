"""Webhooks a receiver verifies with the Standard Webhooks reference library
(`standardwebhooks`, written by others), before, during and after a secret rotation;
deliveries go over real HTTP to a receiver on loopback."""
import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from alerts import services
from alerts.choices import Channel, NotificationStatus
from alerts.delivery import deliver_notification
from alerts.models import Notification, WebhookEndpoint
from testkit.polling import wait_for
from testkit.receiver import SECRET
from testkit.world import open_escalation


def verify(secret, request):
    return Webhook(secret).verify(request["body"], request["headers"])


@pytest.fixture
def group(db, threshold_rule, situation):
    return open_escalation(threshold_rule, situation, "Attacks on civilians above critical", policy_frozen=True)


@pytest.fixture
def deliver(group):
    """One delivery of a fresh notification to `endpoint`, over HTTP; the request received."""
    def send(endpoint, receiver, key=None):
        notification = Notification.objects.create(
            group=group, endpoint=endpoint, channel=Channel.WEBHOOK, reason="test", created_at=timezone.now(),
            idempotency_key=key or f"std-{endpoint.pk}-{len(receiver.requests)}")
        assert deliver_notification(notification_id=notification.pk) == NotificationStatus.SENT
        return receiver.requests[-1]
    return send


@pytest.fixture
def endpoint_for(manager):
    def make(receiver, secret=None):
        return services.webhook_endpoint_create(actor=manager, name="Partner desk", url=receiver.url,
                                                owner_user=manager, secret=secret)
    return make


def rotate(manager, endpoint, hours):
    client = APIClient()
    client.force_login(manager)
    response = client.post(f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret", {"overlap_hours": hours},
                           format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.worker
def test_a_webhook_sent_by_the_worker_verifies_with_the_reference_library(
        celery_worker_thread, situation, tracked, indicator, threshold_rule, desk_officer, manager, start_receiver):
    receiver = start_receiver(200)
    client = APIClient()
    client.force_login(manager)
    created = client.post("/api/v1/webhook-endpoints", {"name": "Partner desk", "url": receiver.url,
                                                        "owner_user": manager.pk}, format="json").json()
    assert created["secret"].startswith("whsec_")  # generated in the standard's form
    client.force_login(desk_officer)
    assert client.post(f"/api/v1/situations/{situation.pk}/readings", {
        "indicator": indicator.pk, "value": 30,
        "observed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()}, format="json").status_code == 201
    [request] = wait_for(lambda: receiver.requests, timeout=5)
    payload = verify(created["secret"], request)
    notification = Notification.objects.get(channel=Channel.WEBHOOK)
    assert payload["id"] == request["headers"]["webhook-id"] == notification.idempotency_key
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 10
    assert request["headers"]["webhook-signature"].count("v1,") == 1


def test_every_retry_of_one_notification_carries_the_same_webhook_id(start_receiver, endpoint_for, group):
    receiver = start_receiver(500, 200)
    endpoint = endpoint_for(receiver)
    notification = Notification.objects.create(group=group, endpoint=endpoint, channel=Channel.WEBHOOK,
                                               reason="test", created_at=timezone.now(), idempotency_key="once-7")
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.PENDING
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.SENT
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == "once-7"
    verify(endpoint.secret, second)


def test_during_an_overlap_old_and_new_secret_both_verify_and_after_it_only_the_new(
        start_receiver, endpoint_for, deliver, manager):
    receiver = start_receiver(200)
    endpoint = endpoint_for(receiver)
    old = endpoint.secret
    verify(old, deliver(endpoint, receiver))  # before the rotation

    rotated = rotate(manager, endpoint, hours=24)
    new = rotated["secret"]
    assert new.startswith("whsec_") and new != old
    during = deliver(endpoint, receiver)
    assert during["headers"]["webhook-signature"].count("v1,") == 2
    assert verify(old, during)["id"] == verify(new, during)["id"] == during["headers"]["webhook-id"]

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    after = deliver(endpoint, receiver)
    verify(new, after)
    with pytest.raises(WebhookVerificationError):
        verify(old, after)


def test_a_rotation_without_overlap_stops_the_old_secret_at_once(start_receiver, endpoint_for, deliver, manager):
    receiver = start_receiver(200)
    endpoint = endpoint_for(receiver)
    old = endpoint.secret
    new = rotate(manager, endpoint, hours=0)["secret"]
    request = deliver(endpoint, receiver)
    verify(new, request)
    with pytest.raises(WebhookVerificationError):
        verify(old, request)


def test_a_tampered_body_or_an_old_timestamp_does_not_verify(start_receiver, endpoint_for, deliver):
    receiver = start_receiver(200)
    endpoint = endpoint_for(receiver)
    request = deliver(endpoint, receiver)
    verify(endpoint.secret, request)
    body = json.loads(request["body"])
    body["escalation"]["severity"] = "info"
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(json.dumps(body).encode(), request["headers"])
    replayed = {**request["headers"], "webhook-timestamp": str(int(time.time()) - 600)}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request["body"], replayed)


def test_an_endpoint_saved_before_whsec_keeps_verifying_with_its_secrets_bytes(
        start_receiver, endpoint_for, deliver):
    receiver = start_receiver(200, secret=SECRET)
    endpoint = endpoint_for(receiver, secret=SECRET)  # a plain string, as every secret was before
    request = deliver(endpoint, receiver)
    verify(SECRET.encode(), request)
    assert request["signature_valid"] is True  # the receiver's own, independent check
    assert request["headers"]["X-Concert-Signature"].startswith("sha256=")  # older receivers still served


def test_only_a_manager_rotates_and_a_bad_overlap_is_refused_naming_it(endpoint_for, start_receiver, manager,
                                                                       desk_officer):
    endpoint = endpoint_for(start_receiver(200))
    client = APIClient()
    client.force_login(desk_officer)
    url = f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret"
    assert client.post(url, {"overlap_hours": 1}, format="json").status_code == 403
    client.force_login(manager)
    response = client.post(url, {"overlap_hours": -1}, format="json")
    assert response.status_code == 400 and "overlap_hours" in response.json()["fields"]
    response = client.post(url, {"secret": "whsec_short"}, format="json")
    assert response.status_code == 400 and "secret" in response.json()["fields"]
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "" and endpoint.previous_secret_expires_at is None
