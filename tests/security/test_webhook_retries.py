"""A receiver that says "slow down" (429 + Retry-After) is not called again before the
time it named; one that refuses the request (4xx other than 408/429) is not called
again at all. Real receivers on loopback; the clock is passed to the delivery."""
import datetime as dt
import email.utils

import pytest
from django.utils import timezone

from alerts.choices import NotificationStatus
from alerts.delivery import deliver_notification
from testkit.receiver import status


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ALERTS_RETRY_BASE_SECONDS = 0.05  # backoff alone would come back at once
    settings.ALERTS_RETRY_MAX_SECONDS = 0.2


def test_429_with_retry_after_seconds_is_not_retried_sooner(start_receiver, notification_to):
    receiver = start_receiver(status(429, retry_after=120), status(200))
    notification = notification_to(receiver.url)
    now = timezone.now()
    assert deliver_notification(notification_id=notification.pk, now=now) == NotificationStatus.PENDING
    notification.refresh_from_db()
    assert notification.next_attempt_at >= now + dt.timedelta(seconds=120)

    # Woken early (a duplicate message, a sweep): nothing is sent.
    early = now + dt.timedelta(seconds=119)
    assert deliver_notification(notification_id=notification.pk, now=early) == "skipped"
    assert len(receiver.requests) == 1
    assert deliver_notification(notification_id=notification.pk,
                                now=notification.next_attempt_at) == NotificationStatus.SENT
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["Idempotency-Key"] == receiver.requests[1]["headers"]["Idempotency-Key"]


def test_429_with_retry_after_as_a_date_is_honoured(start_receiver, notification_to):
    when = timezone.now() + dt.timedelta(minutes=10)
    receiver = start_receiver(status(429, retry_after=email.utils.format_datetime(when, usegmt=True)))
    notification = notification_to(receiver.url)
    deliver_notification(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.next_attempt_at >= when - dt.timedelta(seconds=1)


def test_503_with_retry_after_is_honoured_too(start_receiver, notification_to):
    receiver = start_receiver(status(503, retry_after=300))
    notification = notification_to(receiver.url)
    now = timezone.now()
    deliver_notification(notification_id=notification.pk, now=now)
    notification.refresh_from_db()
    assert notification.next_attempt_at >= now + dt.timedelta(seconds=300)


def test_a_garbled_retry_after_falls_back_to_backoff_not_an_error(start_receiver, notification_to):
    receiver = start_receiver(status(429, retry_after="soon-ish"))
    notification = notification_to(receiver.url)
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.PENDING
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.last_error.startswith("HTTP 429")


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 301, 302, 307, 308])
def test_a_refusal_other_than_408_and_429_fails_at_once_and_is_not_retried(start_receiver, notification_to, code):
    receiver = start_receiver(status(code, headers=[("Location", "http://127.0.0.1:9/elsewhere")]))
    notification = notification_to(receiver.url)
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert (notification.attempts, notification.next_attempt_at) == (1, None)
    assert notification.group.events.filter(kind="delivery_failed").count() == 1
    # Any later wake-up finds nothing to do.
    assert deliver_notification(notification_id=notification.pk,
                                now=timezone.now() + dt.timedelta(days=1)) == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
def test_408_429_and_5xx_are_retried(start_receiver, notification_to, code):
    receiver = start_receiver(status(code), status(200))
    notification = notification_to(receiver.url)
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.PENDING
    notification.refresh_from_db()
    assert deliver_notification(notification_id=notification.pk,
                                now=notification.next_attempt_at) == NotificationStatus.SENT
    assert len(receiver.requests) == 2
