"""Webhook delivery: a signed JSON POST.

Signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) and,
for receivers written before, X-Concert-Timestamp/X-Concert-Signature: all made in
alerts/delivery/signing.py. Idempotency-Key and webhook-id are the same on every retry
of one notification, so the receiver can drop duplicates of an at-least-once delivery. Redirects are not followed: a signed
body must not travel to a URL nobody configured. Only public addresses are reached
(alerts/delivery/addresses.py), and the answer is read within bounds (post_pinned).
"""
from __future__ import annotations

import email.utils
import json
import time
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils import timezone

from alerts.delivery import signing
from alerts.delivery.addresses import ForbiddenAddress, resolve_checked
from alerts.delivery.email import alert_link, message_context
from alerts.delivery.errors import DeliveryError, PermanentFailure

RETRYABLE_4XX = {408, 429}


def payload(notification) -> dict:
    group, event = notification.group, notification.event
    conditions = message_context(notification)["conditions"]
    return {
        "id": notification.idempotency_key,
        # TLP 2.0 label of the situation: the receiver must keep the sharing it says.
        "marking": group.situation.tlp,
        "event": event.kind if event else None,
        "escalation": {
            "id": group.pk, "severity": group.severity, "status": group.status, "step": group.current_step + 1,
            "policy": group.snapshot.name, "opened_at": group.opened_at.isoformat(),
            "last_seen": group.last_seen.isoformat(), "flapping": group.is_flapping, "url": alert_link(group),
            "conditions": [{"id": c.pk, "title": c.title, "severity": c.severity, "rule": c.rule.name,
                            "trigger": c.rule.trigger, "occurrences": c.occurrences,
                            "evidence_at": c.evidence_at.isoformat(), "first_seen": c.first_seen.isoformat()}
                           for c in conditions],
        },
        "situation": {"id": group.situation_id, "title": group.situation.title,
                      "country_code": group.situation.country_code, "marking": group.situation.tlp},
        "reason": notification.reason,
        "sent_at": timezone.now().isoformat(),
    }


def _retry_after(headers) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):  # neither seconds nor a date: ordinary backoff
            return None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def post_pinned(url: str, body: bytes, headers: dict) -> tuple[int, dict, bytes]:
    """POST to the address `resolve_checked` approved — not to a second lookup of the
    name — with the name kept for the Host header, TLS SNI and certificate check.
    Redirects are not followed; connect and each read are timed out, and at most
    ALERTS_WEBHOOK_MAX_RESPONSE_BYTES of the answer are read, within the read timeout
    overall (a receiver trickling bytes cannot hold a worker)."""
    scheme, host, port, address = resolve_checked(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default_port = 443 if scheme == "https" else 80
    host_header = (f"[{host}]" if ":" in host else host) + ("" if port == default_port else f":{port}")
    timeout = urllib3.Timeout(connect=settings.ALERTS_WEBHOOK_CONNECT_TIMEOUT,
                              read=settings.ALERTS_WEBHOOK_READ_TIMEOUT)
    common = {"host": str(address), "port": port, "timeout": timeout, "retries": False, "maxsize": 1}
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(**common, server_hostname=host, assert_hostname=host,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
    else:
        pool = urllib3.HTTPConnectionPool(**common)
    try:
        response = pool.urlopen("POST", target, body=body, headers={**headers, "Host": host_header},
                                redirect=False, retries=False, preload_content=False, decode_content=False)
        try:
            limit = settings.ALERTS_WEBHOOK_MAX_RESPONSE_BYTES
            deadline = time.monotonic() + settings.ALERTS_WEBHOOK_READ_TIMEOUT
            received = bytearray()
            while len(received) < limit and time.monotonic() < deadline:
                chunk = response.read1(min(8192, limit - len(received)))  # what has arrived, no waiting for more
                if not chunk:
                    break
                received += chunk
            return response.status, dict(response.headers), bytes(received)
        finally:
            response.release_conn()
    finally:
        pool.close()


def send_webhook(notification) -> None:
    endpoint = notification.endpoint
    body = json.dumps(payload(notification), separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Concert-Webhook/1",
        "Idempotency-Key": notification.idempotency_key,
        **signing.headers(endpoint, notification.idempotency_key, timestamp, body),
    }
    try:
        status, response_headers, first_bytes = post_pinned(endpoint.url, body, headers)
    except ForbiddenAddress as exc:
        # The name now leads to an address webhooks may not reach (DNS rebinding, or an
        # endpoint saved before the rule): no retry will make it acceptable.
        raise PermanentFailure(str(exc)) from exc
    except (urllib3.exceptions.HTTPError, OSError, UnicodeError) as exc:
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}"[:500]) from exc
    if 200 <= status < 300:
        return
    text = f"HTTP {status}: {first_bytes[:200].decode('utf-8', 'replace')}"
    if status >= 500 or status in RETRYABLE_4XX:
        # 429 and 503 may say when to come back (RFC 9110 Retry-After); we come no sooner.
        raise DeliveryError(text, retry_after=_retry_after(response_headers) if status in (429, 503) else None)
    # 3xx (not followed) and other 4xx: the receiver refuses this request as it is.
    raise PermanentFailure(text)
