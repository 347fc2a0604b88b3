from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.choices import Channel, Scope, Severity, Trigger


def default_channels() -> list[str]:
    return [Channel.EMAIL, Channel.IN_APP]


class EscalationPolicy(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    repeat_last_step = models.BooleanField(
        default=False, help_text=_("Keep notifying the last step's people, every wait, until someone acknowledges.")
    )
    # An acknowledgement is a promise to act: with no progress on the situation (an
    # action agreed or updated, a note on the group) for this long, whoever acknowledged
    # is reminded; after the second period the acknowledgement lapses and escalation
    # resumes. Empty: an acknowledgement stands for as long as the group is open.
    ack_reminder_hours = models.PositiveIntegerField(
        null=True, blank=True, default=24,
        help_text=_("Hours an acknowledgement may see no progress before its author is reminded."))
    ack_lapse_hours = models.PositiveIntegerField(
        null=True, blank=True, default=24,
        help_text=_("Hours after that reminder before the acknowledgement lapses and escalation resumes."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    targets = models.JSONField(default=list, help_text=_("Who is notified: a list of step target kinds."))
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    channels = models.JSONField(default=default_channels)
    wait_minutes = models.PositiveIntegerField(
        default=30, help_text=_("How long to wait for an acknowledgement before the next step.")
    )

    class Meta:
        ordering = ["policy_id", "order"]
        constraints = [models.UniqueConstraint(fields=["policy", "order"], name="escalation_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.policy} · step {self.order}"


class EscalationRule(models.Model):
    name = models.CharField(max_length=120, unique=True)
    trigger = models.CharField(max_length=30, choices=Trigger.choices)
    params = models.JSONField(default=dict, blank=True, help_text=_("Validated per trigger (alerts/params.py)."))
    severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.WARNING,
        help_text=_("For threshold rules the severity follows the threshold reached."),
    )
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="rules")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    country_code = models.CharField(max_length=2, blank=True)
    situation = models.ForeignKey("coordination.Situation", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="alert_rules")
    cooldown_minutes = models.PositiveIntegerField(
        default=60, help_text=_("A condition returning this soon after clearing reopens the same alert."),
    )
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(trigger__in=Trigger.values), name="rule_trigger_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="rule_severity_valid"),
            models.CheckConstraint(
                condition=(Q(scope=Scope.ALL) & Q(country_code="") & Q(situation__isnull=True))
                | (Q(scope=Scope.COUNTRY) & ~Q(country_code="") & Q(situation__isnull=True))
                | (Q(scope=Scope.SITUATION) & Q(country_code="") & Q(situation__isnull=False)),
                name="rule_scope_consistent",
                violation_error_message=_("A rule's scope names a country, a situation, or neither for all."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, situation) -> bool:
        if self.scope == Scope.COUNTRY:
            return situation.country_code == self.country_code
        if self.scope == Scope.SITUATION:
            return situation.pk == self.situation_id
        return True
