"""Shapes of alert resources. Writes validate types only and hand the values to
alerts.services, where the rules (and their 400s naming the field) live."""
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts.choices import Severity
from alerts.models import (
    Alert,
    AlertEvent,
    EscalationPolicy,
    EscalationRule,
    Notification,
    WebhookEndpoint,
)
from coordination.api.serializers import GapSerializer, gap_data
from coordination.models import Situation
from core.api.base import StrictSerializer, UserBriefSerializer

User = get_user_model()


class AlertSituationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Situation
        fields = ["id", "title", "country_code"]


class AlertRuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = ["id", "name", "trigger"]


class AlertSerializer(serializers.ModelSerializer):
    situation = AlertSituationSerializer(read_only=True)
    rule = AlertRuleBriefSerializer(read_only=True)
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    acknowledged_by = UserBriefSerializer(read_only=True, allow_null=True)
    resolved_by = UserBriefSerializer(read_only=True, allow_null=True)
    step = serializers.SerializerMethodField()
    steps_total = serializers.SerializerMethodField()
    warning_response_gap = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "title", "severity", "status", "situation", "rule", "action", "indicator", "dedup_key",
                  "detail", "occurrences", "first_seen", "last_seen", "step", "steps_total", "next_escalation_at",
                  "snoozed_until", "owner", "acknowledged_by", "acknowledged_at", "resolved_by", "resolved_at",
                  "resolution_note", "warning_response_gap"]
        read_only_fields = fields

    def get_step(self, alert) -> int:
        return alert.current_step + 1

    def get_steps_total(self, alert) -> int:
        return len(alert.snapshot.steps)

    @extend_schema_field(GapSerializer(allow_null=True))
    def get_warning_response_gap(self, alert):
        gap = self.context.get("gaps", {}).get(alert.situation_id)
        return gap_data(gap) if gap is not None else None


class AlertEventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AlertEvent
        fields = ["id", "kind", "actor", "step", "note", "data", "created_at"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """A notification's delivery status, as the alert's detail shows it."""

    recipient = UserBriefSerializer(read_only=True, allow_null=True)
    endpoint = serializers.CharField(source="endpoint.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "channel", "recipient", "endpoint", "status", "attempts", "next_attempt_at", "last_error",
                  "reason", "step", "created_at", "sent_at"]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)
    notifications = DeliverySerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = AlertSerializer.Meta.fields + ["events", "notifications"]
        read_only_fields = fields


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ResolveSerializer(StrictSerializer):
    note = serializers.CharField(allow_blank=True, max_length=5000)


class SnoozeSerializer(StrictSerializer):
    until = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReassignSerializer(StrictSerializer):
    owner = serializers.IntegerField(allow_null=True, help_text="A user id, or null to leave it unowned.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = ["id", "name", "trigger", "params", "severity", "policy", "scope", "country_code", "situation",
                  "cooldown_minutes", "enabled", "created_at", "updated_at"]
        read_only_fields = fields


class RuleWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    trigger = serializers.CharField(max_length=30)
    params = serializers.JSONField(required=False, default=dict)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.WARNING)
    policy = serializers.PrimaryKeyRelatedField(queryset=EscalationPolicy.objects.all(), allow_null=True,
                                                required=False, default=None)
    scope = serializers.CharField(max_length=10, required=False, default="all")
    country_code = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    situation = serializers.IntegerField(required=False, allow_null=True, default=None)
    cooldown_minutes = serializers.IntegerField(required=False, default=60)
    enabled = serializers.BooleanField(required=False, default=True)


class StepSerializer(serializers.Serializer):
    targets = serializers.ListField(child=serializers.CharField())
    user_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    channels = serializers.ListField(child=serializers.CharField(), required=False)
    wait_minutes = serializers.IntegerField(required=False, default=30)


class PolicyStepReadSerializer(serializers.Serializer):
    """One step of a policy as read back (the schema of PolicySerializer.steps)."""

    order = serializers.IntegerField()
    targets = serializers.ListField(child=serializers.CharField())
    user_ids = serializers.ListField(child=serializers.IntegerField())
    channels = serializers.ListField(child=serializers.CharField())
    wait_minutes = serializers.IntegerField()


class PolicySerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()

    class Meta:
        model = EscalationPolicy
        fields = ["id", "name", "description", "repeat_last_step", "steps", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(PolicyStepReadSerializer(many=True))
    def get_steps(self, policy) -> list:
        return [{"order": s.order, "targets": s.targets, "user_ids": [u.pk for u in s.users.all()],
                 "channels": s.channels, "wait_minutes": s.wait_minutes} for s in policy.steps.all()]


class PolicyWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    repeat_last_step = serializers.BooleanField(required=False, default=False)
    steps = StepSerializer(many=True)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "owner_user", "owner_government", "min_severity", "events", "active",
                  "created_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    """Shown once, at creation: the receiver needs the secret to check signatures."""

    class Meta(WebhookSerializer.Meta):
        fields = WebhookSerializer.Meta.fields + ["secret"]
        read_only_fields = fields


class WebhookWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    url = serializers.CharField(max_length=500)
    secret = serializers.CharField(max_length=128, required=False)
    owner_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                    required=False, default=None)
    owner_government = serializers.IntegerField(allow_null=True, required=False, default=None)
    min_severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.WARNING)
    events = serializers.ListField(child=serializers.CharField(), required=False)
    active = serializers.BooleanField(required=False, default=True)


class InboxSerializer(serializers.ModelSerializer):
    alert = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "alert", "reason", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_alert(self, notification) -> dict:
        alert = notification.alert
        return {"id": alert.pk, "title": alert.title, "severity": alert.severity, "status": alert.status,
                "situation": {"id": alert.situation_id, "title": alert.situation.title}}
