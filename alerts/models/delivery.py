from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.choices import WEBHOOK_EVENT_KINDS, Channel, NotificationStatus, Severity


def default_webhook_events() -> list[str]:
    return list(WEBHOOK_EVENT_KINDS)


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, help_text=_(
        "Key of the Standard Webhooks signature of every request: whsec_ and base64 (older secrets: their UTF-8 "
        "bytes)."))
    # After a rotation the previous secret signs too until the overlap ends, so the
    # receiver can switch at any moment of it (alerts/delivery/signing.py).
    previous_secret = models.CharField(max_length=128, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="webhook_endpoints")
    owner_government = models.ForeignKey("coordination.Government", on_delete=models.CASCADE, null=True,
                                         blank=True, related_name="webhook_endpoints")
    min_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    events = models.JSONField(default=default_webhook_events, help_text=_("Alert event kinds sent to it."))
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # The owner decides what it may receive: a user's visibility, or the
            # government's; an endpoint owned by nobody would receive by nobody's rule.
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False, owner_government__isnull=True)
                | Q(owner_user__isnull=True, owner_government__isnull=False),
                name="webhook_has_one_owner",
                violation_error_message=_("A webhook endpoint belongs to a user or to a government."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """The outbox: one row per (group event, recipient, channel). PostgreSQL is the
    ledger; the broker only wakes a worker up to deliver the row."""

    group = models.ForeignKey("alerts.AlertGroup", on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey("alerts.AlertEvent", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="notifications")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    reason = models.CharField(max_length=300, help_text=_("Why this recipient gets it: rule, step, role."))
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(channel=Channel.WEBHOOK) & Q(endpoint__isnull=False) & Q(recipient__isnull=True))
                | (~Q(channel=Channel.WEBHOOK) & Q(endpoint__isnull=True) & Q(recipient__isnull=False)),
                name="notification_recipient_matches_channel",
            ),
            models.CheckConstraint(condition=Q(status__in=NotificationStatus.values), name="notification_status_valid"),
        ]
        indexes = [
            # The sweep reads only pending rows whose time has come.
            models.Index(fields=["next_attempt_at"], condition=Q(status=NotificationStatus.PENDING),
                         name="notification_pending_due_idx"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for escalation {self.group_id}"


class DigestSent(models.Model):
    """One row per user and day: a re-run of the daily digest sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_day")]
