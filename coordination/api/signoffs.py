"""/api/v1/sign-offs: requests waiting for a second person's sign-off, and what became
of them. Scoped by their situation (out of scope: 404); decided through
coordination/signoffs.py, which also says who may decide."""
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination import signoffs
from coordination.models import SignoffKind, SignoffRequest, SignoffStatus
from core.api.base import StrictSerializer, UserBriefSerializer
from core.roles import has_staff_role


class SignoffSerializer(serializers.ModelSerializer):
    situation = serializers.IntegerField(source="situation_id", read_only=True)
    situation_title = serializers.CharField(source="situation.title", read_only=True)
    kind = serializers.ChoiceField(choices=SignoffKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.SerializerMethodField(help_text="`expired` as soon as `expires_at` passes unapproved.")
    group = serializers.SerializerMethodField(help_text="The escalation concerned, for a snooze or a resolution.")
    requested_by = UserBriefSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    may_decide = serializers.SerializerMethodField(help_text="Whether you may approve or reject it now.")
    payload = serializers.SerializerMethodField(help_text="What is asked, as the service carrying it out takes it.")

    class Meta:
        model = SignoffRequest
        fields = ["id", "situation", "situation_title", "kind", "kind_label", "payload", "group", "status",
                  "requested_by", "requested_at", "expires_at", "decided_by", "decided_at", "decision_note",
                  "may_decide"]
        read_only_fields = fields

    def _now(self):
        return self.context.setdefault("now", timezone.now())

    def get_status(self, obj) -> str:
        return obj.status_at(self._now())

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, obj) -> dict:
        payload = dict(obj.payload)
        request = self.context.get("request")
        if not has_staff_role(getattr(request, "user", None)):
            # Where a situation is merged into is not a liaison's to learn (it may be one
            # they cannot see), as on the situation itself.
            payload.pop("merged_into_id", None)
        return payload

    def get_group(self, obj) -> int | None:
        return obj.group_id

    def get_may_decide(self, obj) -> bool:
        if hasattr(obj, "may_decide"):
            return bool(obj.may_decide)
        request = self.context.get("request")
        return bool(request and obj.status_at(self._now()) == SignoffStatus.PENDING
                    and signoffs.may_decide(request.user, obj))


class DecisionNoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RejectionSerializer(StrictSerializer):
    note = serializers.CharField(max_length=5000, help_text="Why it is not signed off.")


def signoff_response(request_obj: SignoffRequest, request, status: int = 200) -> Response:
    """A request as every route answers it (202 where an attempt became one)."""
    return Response(SignoffSerializer(request_obj, context={"request": request}).data, status=status)


@extend_schema_view(
    list=extend_schema(
        summary="Sign-off requests on the situations you may see",
        parameters=[OpenApiParameter("waiting", bool, description="Only what waits for you: the requests you may "
                                                                  "decide and your own still pending.")]),
)
class SignoffViewSet(viewsets.ReadOnlyModelViewSet):
    """Decisions that can silence a warning, held for a second person: approve (the change
    is carried out), reject with a note, or cancel your own."""

    serializer_class = SignoffSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SignoffRequest.objects.none()
        user = self.request.user
        if self.action == "list" and self.request.query_params.get("waiting") in ("true", "1"):
            return signoffs.waiting_for(user=user)
        return signoffs.signoff_list(user=user).order_by("-requested_at", "-id")

    def _decide(self, request, body_class, check, service):
        signoff = self.get_object()  # scoped: out of scope is 404 here
        check(actor=request.user, request=signoff)  # 403 before any 400
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        decided = service(actor=request.user, request=signoff, note=body.validated_data["note"])
        return signoff_response(self.get_queryset().get(pk=decided.pk), request)

    @extend_schema(request=DecisionNoteSerializer, responses=SignoffSerializer,
                   summary="Approve: the change asked for is carried out now")
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._decide(request, DecisionNoteSerializer, signoffs.check_may_decide, signoffs.signoff_approve)

    @extend_schema(request=RejectionSerializer, responses=SignoffSerializer, summary="Reject, saying why")
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        return self._decide(request, RejectionSerializer, signoffs.check_may_decide, signoffs.signoff_reject)

    @extend_schema(request=DecisionNoteSerializer, responses=SignoffSerializer,
                   summary="Cancel your own request")
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        return self._decide(request, DecisionNoteSerializer, signoffs.check_may_cancel, signoffs.signoff_cancel)
