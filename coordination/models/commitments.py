from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.choices import PENDING_COMMITMENT_STATUSES, CommitmentStatus


class Commitment(models.Model):
    """One government's part in a joint action: an action with commitments is joint.
    The lead (the action's owner government) has one too. The workflow is in
    coordination.choices.COMMITMENT_TRANSITIONS, the done rule in coordination/joint.py."""

    action = models.ForeignKey("coordination.Action", on_delete=models.CASCADE, related_name="commitments")
    government = models.ForeignKey("coordination.Government", on_delete=models.PROTECT, related_name="commitments")
    status = models.CharField(max_length=15, choices=CommitmentStatus.choices, default=CommitmentStatus.INVITED)
    decline_reason = models.TextField(blank=True)
    due_date = models.DateField()
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="liaison_commitments")
    progress_note = models.TextField(blank=True, help_text=_("The government's latest word on its part."))
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every write; guards concurrent edits."))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Time of the last CommitmentUpdate: a nag stops once the government has written since.
    last_activity_at = models.DateTimeField()

    class Meta:
        ordering = ["action_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "government"], name="commitment_one_per_government"),
            models.CheckConstraint(condition=Q(status__in=CommitmentStatus.values), name="commitment_status_valid"),
            models.CheckConstraint(condition=~Q(status=CommitmentStatus.DECLINED) | ~Q(decline_reason=""),
                                   name="commitment_declined_has_reason"),
            models.CheckConstraint(condition=Q(status=CommitmentStatus.DELIVERED, delivered_at__isnull=False)
                                   | (~Q(status=CommitmentStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                                   name="commitment_delivered_iff_delivered_at"),
        ]
        indexes = [
            # The deadline scan reads accepted commitments by due date only.
            models.Index(fields=["due_date"], condition=Q(status=CommitmentStatus.ACCEPTED),
                         name="commitment_accepted_due_idx"),
            models.Index(fields=["government", "status"], name="commitment_government_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.government_id} on action {self.action_id}: {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_COMMITMENT_STATUSES


class CommitmentUpdate(models.Model):
    """The log of a commitment: every status change writes one, progress notes too."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commitment_updates")
    old_status = models.CharField(max_length=15, choices=CommitmentStatus.choices)
    new_status = models.CharField(max_length=15, choices=CommitmentStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["commitment", "created_at"], name="commitment_update_log_idx")]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.old_status} → {self.new_status}"
