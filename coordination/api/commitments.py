"""Joint actions over the API: /actions/{id}/commitments (list, invite) and
/commitments/{id} (read, PATCH with If-Match, and the accept/decline/deliver/withdraw
steps). Reads follow the situation's scope (404 outside it); writes go through
coordination/commitments.py, which decides who may."""
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination import commitments, selectors
from coordination.api.serializers import CommitmentBriefSerializer
from coordination.choices import COMMITMENT_TRANSITIONS
from coordination.models import CommitmentUpdate, Government
from core.api.base import (
    IF_MATCH_PARAMETER,
    ConditionalWriteMixin,
    ScopedViewSetMixin,
    StrictSerializer,
    UserBriefSerializer,
)

User = get_user_model()


class CommitmentUpdateSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = CommitmentUpdate
        fields = ["id", "author", "old_status", "new_status", "note", "created_at"]
        read_only_fields = fields


class CommitmentSerializer(CommitmentBriefSerializer):
    action = serializers.SerializerMethodField()
    situation = serializers.SerializerMethodField()
    is_lead = serializers.SerializerMethodField()
    allowed_steps = serializers.SerializerMethodField()
    invited_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta(CommitmentBriefSerializer.Meta):
        fields = ["id", "action", "situation", "government", "is_lead", "status", "allowed_steps", "decline_reason",
                  "due_date", "liaison", "progress_note", "version", "invited_by", "created_at", "updated_at",
                  "accepted_at", "delivered_at", "last_activity_at"]
        read_only_fields = fields

    def get_action(self, c) -> dict:
        return {"id": c.action_id, "title": c.action.title, "status": c.action.status}

    def get_situation(self, c) -> dict:
        return {"id": c.action.situation_id, "title": c.action.situation.title}

    def get_is_lead(self, c) -> bool:
        return c.government_id == c.action.owner_government_id

    def get_allowed_steps(self, c) -> list[str]:
        return list(COMMITMENT_TRANSITIONS[c.status])


class CommitmentInviteSerializer(StrictSerializer):
    government = serializers.PrimaryKeyRelatedField(queryset=Government.objects.all())
    due_date = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="Defaults to the action's due date.")
    liaison = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                 allow_null=True, default=None)


class CommitmentEditSerializer(StrictSerializer):
    progress_note = serializers.CharField(max_length=5000, required=False)
    due_date = serializers.DateField(required=False, help_text="Staff only.")
    liaison = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                 allow_null=True)


class CommitmentStepSerializer(StrictSerializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CommitmentDeclineSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=5000, help_text="Required: why the government declines.")


class CommitmentViewSet(ScopedViewSetMixin, ConditionalWriteMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """One government's part of a joint action."""

    selector = staticmethod(selectors.commitment_list)
    serializer_class = CommitmentSerializer
    etag_prefix = "commitment"
    liaison_actions = ("partial_update", "accept", "decline", "deliver", "withdraw")

    def may_change(self, user, commitment):
        return commitments.may_act_on_commitment(user, commitment)

    @extend_schema(request=CommitmentEditSerializer, parameters=[IF_MATCH_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        commitment = self.get_object()
        version = self.expected_version(request, commitment)
        write = CommitmentEditSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        updated = commitments.commitment_update(actor=request.user, commitment=commitment,
                                                expected_version=version, **write.validated_data)
        return self.detail_response(updated)

    def _step(self, request, service, serializer_class):
        commitment = self.get_object()
        version = self.expected_version(request, commitment)
        write = serializer_class(data=request.data)
        write.is_valid(raise_exception=True)
        updated = service(actor=request.user, commitment=commitment, expected_version=version,
                          **write.validated_data)
        return self.detail_response(updated)

    @extend_schema(request=CommitmentStepSerializer, parameters=[IF_MATCH_PARAMETER],
                   summary="The government takes part (invited → accepted)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, *args, **kwargs):
        return self._step(request, commitments.commitment_accept, CommitmentStepSerializer)

    @extend_schema(request=CommitmentDeclineSerializer, parameters=[IF_MATCH_PARAMETER],
                   summary="The government declines, saying why (invited → declined)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def decline(self, request, *args, **kwargs):
        return self._step(request, commitments.commitment_decline, CommitmentDeclineSerializer)

    @extend_schema(request=CommitmentStepSerializer, parameters=[IF_MATCH_PARAMETER],
                   summary="The government has done its part (accepted → delivered); the last one completes "
                           "the action")
    @action(detail=True, methods=["post"], filter_backends=[])
    def deliver(self, request, *args, **kwargs):
        return self._step(request, commitments.commitment_deliver, CommitmentStepSerializer)

    @extend_schema(request=CommitmentStepSerializer, parameters=[IF_MATCH_PARAMETER],
                   summary="The government withdraws (from invited or accepted)")
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, *args, **kwargs):
        return self._step(request, commitments.commitment_withdraw, CommitmentStepSerializer)

    @extend_schema(responses=CommitmentUpdateSerializer(many=True), filters=False,
                   summary="The commitment's log, newest first")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def updates(self, request, *args, **kwargs):
        commitment = self.get_object()
        entries = selectors.commitment_update_list(user=request.user, commitment_id=commitment.pk)
        return Response(CommitmentUpdateSerializer(entries.order_by("-created_at", "-id"), many=True).data)
