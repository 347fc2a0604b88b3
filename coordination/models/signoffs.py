"""A decision that can silence a warning, held until a second person signs it off
(docs/DESIGN.md, "Two-person sign-off"). Written by coordination/signoffs.py only."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SignoffKind(models.TextChoices):
    LONG_SNOOZE = "long_snooze", _("Snooze an escalation for more than 7 days")
    RESOLVE_HOLDING = "resolve_holding", _("Resolve a critical escalation whose condition still holds")
    LOWER_MARKING = "lower_marking", _("Lower the marking from TLP:RED or TLP:AMBER+STRICT")
    LOWER_RISK = "lower_risk", _("Lower the risk level by two steps or more")
    CLOSE = "close", _("Close the situation")


# The kinds that act on the situation's escalation (an alert group): the alerts app
# carries them out.
GROUP_KINDS = (SignoffKind.LONG_SNOOZE, SignoffKind.RESOLVE_HOLDING)


class SignoffStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for sign-off")
    APPROVED = "approved", _("Approved and carried out")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired unapproved")
    CANCELLED = "cancelled", _("Cancelled by the requester")


class SignoffRequest(models.Model):
    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="signoffs")
    kind = models.CharField(max_length=20, choices=SignoffKind.choices)
    # What is asked, as the service that carries it out will take it: the snooze's end,
    # the changed fields of an edit, the closing's outcome and note, the group's id.
    payload = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="signoffs_requested")
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SignoffStatus.choices, default=SignoffStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="signoffs_decided")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SignoffKind.values), name="signoff_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SignoffStatus.values), name="signoff_status_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("requested_at")),
                                   name="signoff_expires_after_request"),
            # Pending: nobody decided yet. Approved or rejected: a second person did, when.
            # Expired: nobody did, only the time is kept. Cancelled: the requester did.
            models.CheckConstraint(
                condition=(Q(status=SignoffStatus.PENDING) & Q(decided_by__isnull=True, decided_at__isnull=True))
                | (Q(status__in=[SignoffStatus.APPROVED, SignoffStatus.REJECTED]) & Q(decided_by__isnull=False)
                   & Q(decided_at__isnull=False) & ~Q(decided_by=models.F("requested_by")))
                | (Q(status=SignoffStatus.EXPIRED) & Q(decided_by__isnull=True, decided_at__isnull=False))
                | (Q(status=SignoffStatus.CANCELLED) & Q(decided_by=models.F("requested_by"))
                   & Q(decided_at__isnull=False)),
                name="signoff_decision_matches_status",
                violation_error_message=_("A pending request is undecided; an approval or rejection names a second "
                                          "person; an expiry names nobody; a cancellation names the requester."),
            ),
            models.CheckConstraint(condition=~Q(status=SignoffStatus.REJECTED) | ~Q(decision_note=""),
                                   name="signoff_rejection_has_note"),
            # One waiting request per decision on a situation: a second attempt is told
            # about the first instead of queueing behind it.
            models.UniqueConstraint(fields=["situation", "kind"], condition=Q(status=SignoffStatus.PENDING),
                                    name="signoff_one_pending_per_kind"),
        ]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(status=SignoffStatus.PENDING),
                         name="signoff_pending_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.situation_id} ({self.status})"

    def is_due_to_expire(self, now) -> bool:
        return self.status == SignoffStatus.PENDING and self.expires_at <= now

    def status_at(self, now) -> str:
        """The status as a reader sees it: a pending request past its time is expired,
        whether or not the sweep has written so yet."""
        return SignoffStatus.EXPIRED if self.is_due_to_expire(now) else self.status

    @property
    def group_id(self) -> int | None:
        return self.payload.get("group_id")
