"""The one place webhook signatures are made: Standard Webhooks (standardwebhooks.com).

webhook-id is the notification's idempotency key (the same on every retry, so a
receiver can drop duplicates), webhook-timestamp Unix seconds, webhook-signature
"v1,<base64 HMAC-SHA256>" over "<id>.<timestamp>.<body>". During a rotation's overlap
the previous secret signs too, both signatures space-separated, so a receiver can
switch its secret at any moment of the overlap.

Secrets are "whsec_<base64>" and the key is the decoded bytes. Secrets saved before
this scheme (any other string) keep working: their UTF-8 bytes are the key, which a
receiver gives the reference library as bytes (Webhook(secret.encode())).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from django.utils import timezone

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _decoded(secret: str) -> bytes | None:
    """The bytes of a whsec_ secret, padding optional as the reference library allows;
    None when what follows the prefix is not base64."""
    text = secret[len(PREFIX):].rstrip("=")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def key_of(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        decoded = _decoded(secret)
        if decoded is not None:
            return decoded
    return secret.encode()  # a secret saved before whsec_: its UTF-8 bytes


def is_valid_secret(secret: str) -> bool:
    """A whsec_ secret must decode to at least 16 bytes; a legacy one be 16 characters."""
    if secret.startswith(PREFIX):
        return len(_decoded(secret) or b"") >= 16
    return len(secret) >= 16


def signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(key_of(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(endpoint, now=None) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    now = now or timezone.now()
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and now < endpoint.previous_secret_expires_at:
        found.append(endpoint.previous_secret)
    return found


def legacy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Concert-Signature, kept for receivers written before Standard Webhooks."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers(endpoint, msg_id: str, timestamp: str, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in signing_secrets(endpoint)),
        "X-Concert-Timestamp": timestamp,
        "X-Concert-Signature": legacy_signature(endpoint.secret, timestamp, body),
    }
