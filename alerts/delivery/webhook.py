"""Webhook delivery: a signed JSON POST.

Headers: X-Concert-Timestamp (Unix seconds), X-Concert-Signature
("sha256=" + hex HMAC-SHA256 with the endpoint's secret over "<timestamp>.<body>"),
Idempotency-Key (the same on every retry of one notification, so the receiver can
drop duplicates of an at-least-once delivery). Redirects are not followed: a signed
body must not travel to a URL nobody configured.
"""
from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.utils import timezone

from alerts.delivery.email import alert_link
from alerts.delivery.errors import DeliveryError, PermanentFailure

RETRYABLE_4XX = {408, 429}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(notification) -> dict:
    alert, event = notification.alert, notification.event
    return {
        "id": notification.idempotency_key,
        "event": event.kind if event else None,
        "alert": {
            "id": alert.pk, "title": alert.title, "severity": alert.severity, "status": alert.status,
            "rule": alert.rule.name, "trigger": alert.rule.trigger, "step": alert.current_step + 1,
            "occurrences": alert.occurrences, "first_seen": alert.first_seen.isoformat(),
            "last_seen": alert.last_seen.isoformat(), "url": alert_link(alert),
        },
        "situation": {"id": alert.situation_id, "title": alert.situation.title,
                      "country_code": alert.situation.country_code},
        "reason": notification.reason,
        "sent_at": timezone.now().isoformat(),
    }


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def send_webhook(notification) -> None:
    endpoint = notification.endpoint
    body = json.dumps(payload(notification), separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Concert-Webhook/1",
        "X-Concert-Timestamp": timestamp,
        "X-Concert-Signature": sign(endpoint.secret, timestamp, body),
        "Idempotency-Key": notification.idempotency_key,
    }
    try:
        response = requests.post(endpoint.url, data=body, headers=headers, allow_redirects=False,
                                 timeout=(settings.ALERTS_WEBHOOK_CONNECT_TIMEOUT, settings.ALERTS_WEBHOOK_READ_TIMEOUT))
    except requests.RequestException as exc:
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}"[:500]) from exc
    status = response.status_code
    if 200 <= status < 300:
        return
    text = f"HTTP {status}: {response.text[:200]}"
    if status >= 500 or status in RETRYABLE_4XX:
        raise DeliveryError(text, retry_after=_retry_after(response) if status == 429 else None)
    # 3xx (not followed) and other 4xx: the receiver refuses this request as it is.
    raise PermanentFailure(text)
