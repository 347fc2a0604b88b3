"""The real path: PostgreSQL, Redis and a Celery worker (no eager mode), webhooks to a
real HTTP server on loopback."""
import datetime as dt
import hashlib
import hmac
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from alerts import periodic, services
from alerts.choices import AlertStatus, Channel, EventKind, NotificationStatus
from alerts.delivery import deliver_notification
from alerts.models import Alert, AlertGroup, Notification
from coordination.models import SituationChange
from testkit.polling import wait_for
from testkit.receiver import SECRET, status
from testkit.world import webhook_endpoint

pytestmark = [pytest.mark.worker]


@pytest.fixture
def hook(start_receiver, manager):
    def make(*answers, owner_government=None):
        r = start_receiver(*answers)
        webhook_endpoint(manager, r.url, owner_government=owner_government)
        return r
    return make


def post_reading(user, situation, indicator, value):
    client = APIClient()
    client.force_login(user)
    return client.post(f"/api/v1/situations/{situation.pk}/readings", {
        "indicator": indicator.pk, "value": value,
        "observed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()}, format="json")


def webhook_of(group):
    return Notification.objects.get(group=group, channel=Channel.WEBHOOK)


def test_a_critical_reading_posted_over_the_api_reaches_a_signed_webhook_within_seconds(
        celery_worker_thread, situation, tracked, indicator, threshold_rule, desk_officer, hook, other_government,
        mailoutbox):
    ours = hook()
    theirs = hook(owner_government=other_government)  # not assigned to the situation
    started = time.monotonic()
    response = post_reading(desk_officer, situation, indicator, 30)
    assert response.status_code == 201, response.content
    [request] = wait_for(lambda: ours.requests, timeout=5)
    assert request["received"] - started < 5
    alert = Alert.objects.get()
    assert alert.severity == "critical" and alert.situation == situation
    group = alert.group
    headers, body = request["headers"], request["body"]
    expected = hmac.new(SECRET.encode(), headers["X-Concert-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Concert-Signature"] == f"sha256={expected}"
    assert headers["Idempotency-Key"] == webhook_of(group).idempotency_key
    body = ours.bodies()[0]["escalation"]
    assert body["id"] == group.pk and [c["id"] for c in body["conditions"]] == [alert.pk]
    wait_for(lambda: webhook_of(group).status == NotificationStatus.SENT)
    wait_for(lambda: len(mailoutbox) == 2)  # desk officer and liaison
    assert {m.to[0] for m in mailoutbox} == {"desk@example.org", "liaison@example.org"}
    assert f"/alerts/{group.pk}/" in mailoutbox[0].body and mailoutbox[0].alternatives
    assert not theirs.requests
    assert Alert.objects.count() == 1


def test_the_same_condition_evaluated_in_parallel_leaves_one_alert(transactional_db, situation, tracked, indicator,
                                                                   record, threshold_rule):
    record(situation, indicator, 30)
    AlertGroup.objects.all().delete()  # whatever the on-commit wake-up did: start from none
    barrier, errors = threading.Barrier(6), []

    def evaluate():
        try:
            barrier.wait()
            services.evaluate_situation(situation_id=situation.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    alert = Alert.objects.get()
    assert alert.occurrences == 1 and AlertGroup.objects.count() == 1
    assert alert.group.events.filter(kind=EventKind.OPENED).count() == 1


def test_a_receiver_failing_twice_then_succeeding_gets_it_once_marked_sent(
        celery_worker_thread, fast_retries, situation, tracked, indicator, record, threshold_rule, hook):
    flaky = hook(500, 503, 200)
    record(situation, indicator, 30)
    alert = wait_for(lambda: AlertGroup.objects.first())
    wait_for(lambda: webhook_of(alert).status == NotificationStatus.SENT)
    notification = webhook_of(alert)
    assert notification.attempts == 3
    assert len(flaky.requests) == 3
    assert len({r["headers"]["Idempotency-Key"] for r in flaky.requests}) == 1
    # A re-run of the delivery of a sent notification sends nothing.
    assert deliver_notification(notification_id=notification.pk) == "skipped"
    assert len(flaky.requests) == 3


def test_a_receiver_that_always_fails_ends_dead_with_the_timeline_saying_so(
        celery_worker_thread, fast_retries, situation, tracked, indicator, record, threshold_rule, hook):
    broken = hook(500)
    record(situation, indicator, 30)
    alert = wait_for(lambda: AlertGroup.objects.first())
    wait_for(lambda: webhook_of(alert).status == NotificationStatus.DEAD)
    assert webhook_of(alert).attempts == 4 and len(broken.requests) == 4
    event = alert.events.get(kind=EventKind.DELIVERY_DEAD)
    assert "4 attempt(s)" in event.note and "HTTP 500" in event.note


def test_a_refusal_is_not_retried_but_too_many_requests_is(
        celery_worker_thread, fast_retries, situation, tracked, indicator, record, threshold_rule, hook):
    refusing, busy = hook(404), hook(status(429, retry_after=0), 200)
    record(situation, indicator, 30)
    alert = wait_for(lambda: AlertGroup.objects.first())
    wait_for(lambda: not Notification.objects.filter(channel=Channel.WEBHOOK, status="pending").exists())
    statuses = {n.endpoint.url: (n.status, n.attempts) for n in alert.notifications.filter(channel=Channel.WEBHOOK)}
    assert statuses == {refusing.url: ("failed", 1), busy.url: ("sent", 2)}
    assert alert.events.filter(kind=EventKind.DELIVERY_FAILED).count() == 1


@contextmanager
def broker_at(url):
    from config.celery import app

    good = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = good
        app._pool = None
        app.amqp._producer_pool = None


def test_a_reading_is_accepted_with_the_broker_away_and_the_sweep_delivers_once_it_is_back(
        transactional_db, situation, tracked, indicator, threshold_rule, desk_officer, hook):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    ours = hook()
    with broker_at("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = post_reading(desk_officer, situation, indicator, 30)
    assert response.status_code == 201
    assert not Alert.objects.exists()
    assert SituationChange.objects.filter(situation=situation).exists(), "the request waits in PostgreSQL"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert periodic.sweep_unevaluated(grace_seconds=0) == 1
        wait_for(lambda: ours.requests, timeout=5)
    assert Alert.objects.get().status == AlertStatus.OPEN
    assert not SituationChange.objects.exists()


def test_a_pending_notification_whose_wake_up_was_lost_is_delivered_by_the_sweep(
        celery_worker_thread, situation, tracked, indicator, record, threshold_rule, hook):
    ours = hook()
    with broker_at("redis://127.0.0.1:1/0"):
        services.evaluate_situation(situation_id=record(situation, indicator, 30).situation_id)
    notification = webhook_of(AlertGroup.objects.get())
    assert notification.status == NotificationStatus.PENDING
    assert periodic.sweep_pending_notifications(grace_seconds=0) >= 1
    wait_for(lambda: ours.requests, timeout=5)
    wait_for(lambda: webhook_of(AlertGroup.objects.get()).status == NotificationStatus.SENT)
