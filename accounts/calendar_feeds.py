"""A user's secret calendar-feed URL: the model and the only services that write it.

The token in the URL is the feed's authentication (calendar clients cannot send a
session or a header), so only its SHA-256 digest is stored: a database read does not
hand out working URLs. Regenerating replaces the digest, so the old URL stops at once.
"""
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"


def calendar_feed_issue(*, user) -> str:
    """Create or regenerate the user's feed; answers the token, which is never stored."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user, defaults={"token_digest": _digest(token), "created_at": timezone.now(), "revoked": False})
    return token


def calendar_feed_revoke(*, user) -> bool:
    return CalendarFeed.objects.filter(user=user, revoked=False).update(revoked=True) > 0


def calendar_feed_user(token: str):
    """The active user a live token belongs to, or None (unknown, replaced, revoked, deactivated)."""
    digest = _digest(token)
    feed = CalendarFeed.objects.select_related("user").filter(token_digest=digest).first()
    # The lookup is by digest; comparing again in constant time keeps the check itself
    # from depending on how a database index compares strings.
    if feed is None or not hmac.compare_digest(feed.token_digest, digest):
        return None
    if feed.revoked or not feed.user.is_active:
        return None
    return feed.user
