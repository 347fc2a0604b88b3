from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from alerts.choices import SEVERITY_RANK, AlertStatus, EventKind, Severity
from alerts.snapshots import PolicySnapshot

UNRESOLVED_Q = ~Q(status=AlertStatus.RESOLVED)
# The queue's first key. Defined here because an index is built on it: the queue's
# ORDER BY must be this very expression for PostgreSQL to read the index in order.
SEVERITY_ORDER = Case(*[When(severity=s, then=Value(r)) for s, r in SEVERITY_RANK.items()],
                      output_field=IntegerField())


class Alert(models.Model):
    rule = models.ForeignKey("alerts.EscalationRule", on_delete=models.PROTECT, related_name="alerts")
    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="alerts")
    action = models.ForeignKey("coordination.Action", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="alerts")
    indicator = models.ForeignKey("coordination.Indicator", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="alerts")
    # rule × situation × subject: the identity of "the same condition".
    dedup_key = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True, help_text=_("The facts that raised it (value, threshold…)."))
    # The last evidence seen (a reading id, a due date…): a refresh with the same
    # evidence is the same occurrence, a new one counts as another.
    evidence = models.CharField(max_length=200, blank=True)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    current_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # True while the condition holds. A person may resolve an alert whose condition still
    # holds; it then stays quiet until the condition clears, instead of opening anew.
    condition_active = models.BooleanField(default=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_alerts")

    class Meta:
        ordering = ["-first_seen", "-id"]
        constraints = [
            # At most one unresolved alert per condition, whatever races the workers run.
            models.UniqueConstraint(fields=["dedup_key"], condition=UNRESOLVED_Q, name="alert_one_unresolved_per_key"),
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="alert_severity_valid"),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.SNOOZED) | Q(snoozed_until__isnull=False),
                name="alert_snoozed_has_until",
            ),
        ]
        indexes = [
            # The escalation scan reads only unresolved alerts that have a next step due.
            models.Index(fields=["next_escalation_at"], condition=UNRESOLVED_Q & Q(next_escalation_at__isnull=False),
                         name="alert_next_escalation_idx"),
            models.Index(fields=["snoozed_until"], condition=Q(status=AlertStatus.SNOOZED),
                         name="alert_snoozed_until_idx"),
            models.Index(fields=["situation", "status"], name="alert_situation_status_idx"),
            models.Index(fields=["dedup_key", "-id"], name="alert_dedup_latest_idx"),
            # The escalation queue in its own order (alerts.selectors.alert_list), unresolved
            # only: a page is read from the index instead of sorting every unresolved alert.
            models.Index(SEVERITY_ORDER.desc(), F("current_step").desc(), F("first_seen").asc(), F("id").asc(),
                         condition=UNRESOLVED_Q, name="alert_queue_order_idx"),
            # The warning–response gap reads each situation's first warning-or-worse alert.
            models.Index(fields=["situation", "first_seen"],
                         condition=~Q(severity=Severity.INFO),
                         name="alert_situation_warning_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def snapshot(self) -> PolicySnapshot:
        """The policy frozen when the alert opened (alerts/snapshots.py)."""
        return PolicySnapshot.from_json(self.policy_snapshot)


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", help_text=_("Empty when the system acted."))
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["alert", "created_at"], name="alert_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.alert_id}: {self.kind}"
