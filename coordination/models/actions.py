from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordination.choices import (
    OPEN_ACTION_STATUSES,
    ActionKind,
    ActionStatus,
    Priority,
)

OPEN_STATUS_Q = Q(status__in=OPEN_ACTION_STATUSES)


class Action(models.Model):
    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ActionKind.choices)
    description = models.TextField(blank=True)
    owner_government = models.ForeignKey(
        "coordination.Government", on_delete=models.PROTECT, related_name="owned_actions"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PROPOSED)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    progress_note = models.TextField(blank=True, help_text=_("The owner's latest word on progress."))
    version = models.PositiveIntegerField(default=1, help_text=_("Raised by every write; guards concurrent edits."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="actions_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Time of the last ActionUpdate: the "stalled" trigger reads this column, not the log.
    last_activity_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.COMPLETED) & Q(completed_at__isnull=False))
                | (~Q(status=ActionStatus.COMPLETED) & Q(completed_at__isnull=True)),
                name="action_completed_iff_completed_at",
                violation_error_message=_("A completed action has a completion time, and only a completed one."),
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.PROPOSED) | Q(status=ActionStatus.CANCELLED) | Q(agreed_at__isnull=False),
                name="action_past_proposal_has_agreed_at",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=ActionKind.values), name="action_kind_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="action_priority_valid"),
        ]
        indexes = [
            # Deadline and stall scans read open actions only, so their cost follows
            # what is open, not the size of the table (docs/DESIGN.md, "How data flows").
            models.Index(fields=["due_date"], condition=OPEN_STATUS_Q, name="action_open_due_idx"),
            models.Index(fields=["last_activity_at"], condition=OPEN_STATUS_Q, name="action_open_activity_idx"),
            models.Index(fields=["owner_government", "status"], name="action_owner_status_idx"),
            models.Index(fields=["situation", "status"], name="action_situation_status_idx"),
            # The warning–response gap reads each situation's first action agreed after its
            # first warning; without it the estimate over many actions turned JIT on (10 ms).
            models.Index(fields=["situation", "agreed_at"], condition=Q(agreed_at__isnull=False),
                         name="action_situation_agreed_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class ActionUpdate(models.Model):
    """The progress log of an action: every status change writes one, notes may too."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_updates")
    old_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    new_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["action", "created_at"], name="action_update_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.old_status} → {self.new_status}"
