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


class AlertGroup(models.Model):
    """An escalation: the open conditions of one situation, worked as one.

    One clock, one acknowledgement, one owner, one timeline; the severity and the policy
    of its most severe condition. People are notified per step of the group, with every
    condition listed, and later conditions reach them as batched updates. Only
    alerts/lifecycle/ changes its status and timers.
    """

    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="alert_groups")
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # The rule whose policy the group follows: its most severe condition's.
    policy_rule = models.ForeignKey("alerts.EscalationRule", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    policy_snapshot = models.JSONField(default=dict, blank=True)
    current_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="owned_alert_groups")
    # Resolved because its situation was closed: the situation's outcome.
    outcome = models.CharField(max_length=30, blank=True)
    # When the last condition cleared the group resolved itself, but kept what people had
    # decided, so that a condition returning within its cool-down rejoins silently: the
    # status it had, and how long its current step still had to wait.
    resume_status = models.CharField(max_length=15, choices=AlertStatus.choices, blank=True)
    resume_wait_seconds = models.FloatField(null=True, blank=True)
    flapping_since = models.DateTimeField(null=True, blank=True)
    # Batched updates (Alertmanager's group_interval): the last one sent, the next due.
    last_update_at = models.DateTimeField(null=True, blank=True)
    update_due_at = models.DateTimeField(null=True, blank=True)
    # An acknowledgement that sees no progress: when to look again, and whether the
    # acknowledger was already reminded.
    ack_review_at = models.DateTimeField(null=True, blank=True)
    ack_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One escalation per situation at a time, whatever races the workers run.
            models.UniqueConstraint(fields=["situation"], condition=UNRESOLVED_Q, name="group_one_unresolved_per_situation"),
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="group_status_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="group_severity_valid"),
            models.CheckConstraint(condition=~Q(status=AlertStatus.SNOOZED) | Q(snoozed_until__isnull=False),
                                   name="group_snoozed_has_until"),
        ]
        indexes = [
            # Each periodic scan reads only the groups whose time has come.
            models.Index(fields=["next_escalation_at"], condition=UNRESOLVED_Q & Q(next_escalation_at__isnull=False),
                         name="group_next_escalation_idx"),
            models.Index(fields=["snoozed_until"], condition=Q(status=AlertStatus.SNOOZED),
                         name="group_snoozed_until_idx"),
            models.Index(fields=["update_due_at"], condition=Q(update_due_at__isnull=False),
                         name="group_update_due_idx"),
            models.Index(fields=["ack_review_at"], condition=Q(status=AlertStatus.ACKNOWLEDGED),
                         name="group_ack_review_idx"),
            models.Index(fields=["situation", "status"], name="group_situation_status_idx"),
            # The escalation queue in its own order (alerts.selectors.group_list), unresolved
            # only: a page is read from the index instead of sorting every open group.
            models.Index(SEVERITY_ORDER.desc(), F("current_step").desc(), F("opened_at").asc(), F("id").asc(),
                         condition=UNRESOLVED_Q, name="group_queue_order_idx"),
        ]

    def __str__(self) -> str:
        return str(_("Escalation on %(situation)s") % {"situation": self.situation})

    @property
    def snapshot(self) -> PolicySnapshot:
        """The policy frozen when the group opened or rose in severity (alerts/snapshots.py)."""
        return PolicySnapshot.from_json(self.policy_snapshot)

    @property
    def step_number(self) -> int:
        """The current step as people count it: from 1."""
        return self.current_step + 1

    @property
    def is_flapping(self) -> bool:
        return self.flapping_since is not None


class Alert(models.Model):
    """A condition: one rule found true of one subject (an indicator, an action, the
    situation) of a situation. It lives inside an AlertGroup, which carries the clock,
    the acknowledgement and the owner; the condition itself is active or cleared."""

    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="conditions")
    rule = models.ForeignKey("alerts.EscalationRule", on_delete=models.PROTECT, related_name="alerts")
    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, related_name="alerts")
    action = models.ForeignKey("coordination.Action", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="alerts")
    # For a deadline of one government's part of a joint action: whose part it is.
    commitment = models.ForeignKey("coordination.Commitment", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="alerts")
    indicator = models.ForeignKey("coordination.Indicator", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="alerts")
    # The government this condition concerns (a missed check-in): its liaisons are nagged.
    government = models.ForeignKey("coordination.Government", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="alerts")
    # rule × situation × subject: the identity of "the same condition".
    dedup_key = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # open: active in its group; resolved: cleared, or resolved with its group.
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True, help_text=_("The facts that raised it (value, threshold…)."))
    # The last evidence seen (a reading id, a due date…): a refresh with the same
    # evidence is the same occurrence, a new one counts as another.
    evidence = models.CharField(max_length=200, blank=True)
    # When the evidence says the condition began: the crossing reading's observed_at,
    # the day a due date passed. The warning–response gap is measured from it, so a
    # backfilled reading does not read as a fresh warning.
    evidence_at = models.DateTimeField()
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # True while the condition holds. A person may resolve a group whose conditions still
    # hold; they then stay quiet until they clear, instead of opening anew.
    condition_active = models.BooleanField(default=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # For an overdue action or a missed check-in: when its owners (the action's, the
    # government's liaisons) are nagged next (the rule's nag_days or nag_hours).
    next_nag_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_seen", "-id"]
        verbose_name = _("condition")
        constraints = [
            # At most one unresolved condition per key, whatever races the workers run.
            models.UniqueConstraint(fields=["dedup_key"], condition=UNRESOLVED_Q, name="alert_one_unresolved_per_key"),
            models.CheckConstraint(condition=Q(status__in=[AlertStatus.OPEN, AlertStatus.RESOLVED]),
                                   name="condition_status_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="alert_severity_valid"),
        ]
        indexes = [
            models.Index(fields=["situation", "status"], name="alert_situation_status_idx"),
            models.Index(fields=["dedup_key", "-id"], name="alert_dedup_latest_idx"),
            models.Index(fields=["next_nag_at"], condition=Q(next_nag_at__isnull=False), name="alert_nag_due_idx"),
            # The warning–response gap reads each situation's earliest warning-or-worse evidence.
            models.Index(fields=["situation", "evidence_at"], condition=~Q(severity=Severity.INFO),
                         name="alert_situation_evidence_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class AlertEvent(models.Model):
    """The group's timeline. `alert` names the condition an event is about (opened,
    joined, cleared…), empty for what concerns the whole group."""

    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="events")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", help_text=_("Empty when the system acted."))
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["group", "created_at"], name="group_event_timeline_idx"),
            # Flap counting reads one condition's recent rejoins.
            models.Index(fields=["alert", "kind", "created_at"], name="alert_event_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.kind}"
