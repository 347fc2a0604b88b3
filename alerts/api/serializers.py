"""Shapes of the escalation resources (groups and their conditions). Writes validate types only and hand the values to
alerts.services, where the rules (and their 400s naming the field) live."""
from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts.choices import Severity
from alerts.models import (
    Alert,
    AlertEvent,
    AlertGroup,
    EscalationPolicy,
    EscalationRule,
    Notification,
    WebhookEndpoint,
)
from alerts.services import BULK_VERBS
from coordination.api.serializers import GapSerializer, gap_data
from coordination.models import Situation
from core.api.base import StrictSerializer, UserBriefSerializer

User = get_user_model()


class AlertSituationSerializer(serializers.ModelSerializer):
    marking = serializers.CharField(source="tlp", read_only=True, help_text="TLP 2.0 label, e.g. TLP:RED.")

    class Meta:
        model = Situation
        fields = ["id", "title", "country_code", "marking"]


class AlertRuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = ["id", "name", "trigger"]


class ConditionSerializer(serializers.ModelSerializer):
    """A condition: one rule found true of one subject, inside its escalation (`group`)."""

    situation = AlertSituationSerializer(read_only=True)
    rule = AlertRuleBriefSerializer(read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "group", "title", "severity", "status", "situation", "rule", "action", "commitment",
                  "indicator", "dedup_key", "detail", "occurrences", "evidence_at", "first_seen", "last_seen",
                  "condition_active", "cleared_at", "resolved_at"]
        read_only_fields = fields


class GroupConditionSerializer(ConditionSerializer):
    """A condition as its escalation lists it: the situation is the group's."""

    class Meta(ConditionSerializer.Meta):
        fields = [f for f in ConditionSerializer.Meta.fields if f not in ("situation", "group")]
        read_only_fields = fields


class AlertGroupSerializer(serializers.ModelSerializer):
    """An escalation: a situation's open conditions worked as one — one clock, one
    acknowledgement, one owner. `step` counts from 1."""

    situation = AlertSituationSerializer(read_only=True)
    policy_rule = AlertRuleBriefSerializer(read_only=True, allow_null=True)
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    acknowledged_by = UserBriefSerializer(read_only=True, allow_null=True)
    resolved_by = UserBriefSerializer(read_only=True, allow_null=True)
    step = serializers.SerializerMethodField()
    steps_total = serializers.SerializerMethodField()
    open_conditions = serializers.IntegerField(read_only=True)
    flapping = serializers.BooleanField(source="is_flapping", read_only=True)
    warning_response_gap = serializers.SerializerMethodField()

    class Meta:
        model = AlertGroup
        fields = ["id", "situation", "severity", "status", "policy_rule", "step", "steps_total", "open_conditions",
                  "opened_at", "last_seen", "next_escalation_at", "snoozed_until", "owner", "acknowledged_by",
                  "acknowledged_at", "resolved_by", "resolved_at", "resolution_note", "outcome", "flapping",
                  "update_due_at", "warning_response_gap"]
        read_only_fields = fields

    def get_step(self, group) -> int:
        return group.current_step + 1

    def get_steps_total(self, group) -> int:
        return len(group.snapshot.steps)

    @extend_schema_field(GapSerializer(allow_null=True))
    def get_warning_response_gap(self, group):
        gap = self.context.get("gaps", {}).get(group.situation_id)
        return gap_data(gap) if gap is not None else None


class AlertEventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    condition = serializers.PrimaryKeyRelatedField(source="alert", read_only=True, allow_null=True)

    class Meta:
        model = AlertEvent
        fields = ["id", "kind", "condition", "actor", "step", "note", "data", "created_at"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """A notification's delivery status, as the escalation's detail shows it."""

    recipient = UserBriefSerializer(read_only=True, allow_null=True)
    endpoint = serializers.CharField(source="endpoint.name", read_only=True, allow_null=True, default=None)
    about = serializers.CharField(source="event.kind", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "channel", "recipient", "endpoint", "about", "status", "attempts", "next_attempt_at",
                  "last_error", "reason", "step", "created_at", "sent_at"]
        read_only_fields = fields


class AlertGroupDetailSerializer(AlertGroupSerializer):
    conditions = GroupConditionSerializer(many=True, read_only=True)
    events = AlertEventSerializer(many=True, read_only=True)
    notifications = DeliverySerializer(many=True, read_only=True)

    class Meta(AlertGroupSerializer.Meta):
        fields = AlertGroupSerializer.Meta.fields + ["conditions", "events", "notifications"]
        read_only_fields = fields


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ResolveSerializer(StrictSerializer):
    note = serializers.CharField(allow_blank=True, max_length=5000)


class SnoozeSerializer(StrictSerializer):
    until = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RequiredNoteSerializer(StrictSerializer):
    note = serializers.CharField(max_length=5000)


class BulkSerializer(StrictSerializer):
    verb = serializers.ChoiceField(choices=list(BULK_VERBS))
    groups = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=100)
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
        fields = ["id", "name", "description", "repeat_last_step", "ack_reminder_hours", "ack_lapse_hours", "steps",
                  "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(PolicyStepReadSerializer(many=True))
    def get_steps(self, policy) -> list:
        return [{"order": s.order, "targets": s.targets, "user_ids": [u.pk for u in s.users.all()],
                 "channels": s.channels, "wait_minutes": s.wait_minutes} for s in policy.steps.all()]


class PolicyWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    repeat_last_step = serializers.BooleanField(required=False, default=False)
    ack_reminder_hours = serializers.IntegerField(
        required=False, allow_null=True, default=24,
        help_text="Hours an acknowledgement may see no progress before its author is reminded; null: never.")
    ack_lapse_hours = serializers.IntegerField(
        required=False, allow_null=True, default=24,
        help_text="Hours after the reminder before the acknowledgement lapses and escalation resumes; null: never.")
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


class WebhookRotateSerializer(StrictSerializer):
    overlap_hours = serializers.IntegerField(
        min_value=0, max_value=720, required=False, default=24,
        help_text="Hours the current secret keeps signing beside the new one; 0: it stops now.")
    secret = serializers.CharField(max_length=128, required=False,
                                   help_text="The new secret (whsec_ and base64); generated when absent.")


class WebhookRotatedSerializer(WebhookSerializer):
    """Shown once, at rotation: the new secret, and until when the previous one signs."""

    class Meta(WebhookSerializer.Meta):
        fields = WebhookSerializer.Meta.fields + ["secret", "previous_secret_expires_at"]
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
    escalation = serializers.SerializerMethodField()
    about = serializers.CharField(source="event.kind", read_only=True, allow_null=True, default=None)
    marking = serializers.CharField(source="group.situation.tlp", read_only=True,
                                    help_text="TLP 2.0 label of the situation, e.g. TLP:RED.")

    class Meta:
        model = Notification
        fields = ["id", "marking", "escalation", "about", "reason", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_escalation(self, notification) -> dict:
        group = notification.group
        return {"id": group.pk, "severity": group.severity, "status": group.status,
                "situation": {"id": group.situation_id, "title": group.situation.title,
                              "marking": group.situation.tlp}}
