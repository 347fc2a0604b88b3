"""A sensible starting configuration, so a fresh world produces alerts on its own.

Not created by a data migration: which rules a deployment runs is a decision of its
managers, and a migration would impose them on every database — including each test
database, where unexpected rules would open alerts nobody asked for. The demo command
and `manage.py alert_defaults` call ensure_default_rules() instead.
"""
from django.db import transaction

from alerts.choices import Channel, Scope, Severity, StepTarget, Trigger
from alerts.models import EscalationPolicy, EscalationRule, EscalationStep

DEFAULT_POLICY = "Desk and partners, then managers"

DEFAULT_RULES = [
    ("Indicator over its threshold", Trigger.THRESHOLD_CROSSED, {"min_level": "warning"}, Severity.WARNING, 60),
    ("Indicator worsening fast", Trigger.RISE_WITHIN_WINDOW, {"amount": 10, "window_days": 7}, Severity.WARNING, 60),
    ("Action due within 3 days", Trigger.DEADLINE_SOON, {"days": 3}, Severity.INFO, 60),
    ("Action overdue", Trigger.DEADLINE_MISSED, {"grace_days": 0, "nag_days": 3}, Severity.WARNING, 60),
    ("Action stalled for 14 days", Trigger.ACTION_STALLED, {"days": 14}, Severity.WARNING, 60),
    ("Risk level high or worse", Trigger.RISK_RAISED, {"min_level": "high"}, Severity.CRITICAL, 24 * 60),
    ("Risk window open", Trigger.RISK_WINDOW, {}, Severity.INFO, 60),
    ("Partners' assessments diverge", Trigger.DIVERGENT_ASSESSMENT, {"levels": 2, "share": 0.5}, Severity.WARNING,
     60),
    ("Check-in missed", Trigger.CHECKIN_MISSED, {"grace_hours": 0, "nag_hours": 24}, Severity.WARNING, 60),
]


@transaction.atomic
def ensure_default_rules() -> EscalationPolicy:
    """Idempotent: creates what is missing by name, never changes what managers edited."""
    policy, created = EscalationPolicy.objects.get_or_create(
        name=DEFAULT_POLICY,
        defaults={"description": "Step 1: the lead desk officer and the liaisons of the assigned governments; "
                                 "after 30 minutes without acknowledgement, the managers, again every 30 minutes.",
                  "repeat_last_step": True},
    )
    if created:
        EscalationStep.objects.create(policy=policy, order=1, wait_minutes=30,
                                      targets=[StepTarget.DESK_OFFICERS, StepTarget.LIAISONS],
                                      channels=[Channel.EMAIL, Channel.IN_APP])
        EscalationStep.objects.create(policy=policy, order=2, wait_minutes=30, targets=[StepTarget.MANAGERS],
                                      channels=[Channel.EMAIL, Channel.IN_APP])
    for name, trigger, params, severity, cooldown in DEFAULT_RULES:
        EscalationRule.objects.get_or_create(name=name, defaults={
            "trigger": trigger, "params": params, "severity": severity, "policy": policy, "scope": Scope.ALL,
            "cooldown_minutes": cooldown})
    return policy
