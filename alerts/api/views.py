"""The escalation queue (groups) and their actions, conditions, in-app notifications and alerting configuration.
Reads go through alerts.selectors (scoped), writes through alerts.services."""
import datetime as dt

from django.contrib.auth import get_user_model
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts import selectors, services
from alerts.api import serializers as s
from alerts.api.filters import AlertGroupFilter, ConditionFilter
from alerts.models import Alert, AlertGroup
from coordination.api.signoffs import SignoffSerializer, signoff_response
from coordination.models import Government, SignoffRequest, Situation
from core.api.base import CsvExportMixin, ScopedViewSetMixin
from core.errors import DomainError

User = get_user_model()

# The routes that show the queue as it stands: unresolved unless `status` asks for more.
# The export is one of them, so a spreadsheet holds exactly what the list shows.
_QUEUE_ACTIONS = ("list", "export")


def _when(value) -> str:
    return value.isoformat() if value else ""


def _username(user) -> str:
    return user.username if user else ""


class AlertGroupViewSet(ScopedViewSetMixin, CsvExportMixin, viewsets.ReadOnlyModelViewSet):
    """The escalation queue: unresolved escalations (one per situation), most severe
    first, then the furthest escalated, then the oldest; `severity_counts` counts the
    filtered queue. Partner liaisons see the escalations of the situations they may see,
    and nothing else."""

    serializer_class = s.AlertGroupSerializer
    filterset_class = AlertGroupFilter
    filter_backends = [DjangoFilterBackend]
    # The service decides who may act (managers; addressed people acknowledge).
    permission_classes = [permissions.IsAuthenticated]
    csv_filename = "escalations.csv"
    csv_marking = staticmethod(lambda g: g.situation.tlp)
    csv_columns = [
        ("id", lambda g: g.pk),
        ("situation_id", lambda g: g.situation_id),
        ("situation", lambda g: g.situation.title),
        ("severity", lambda g: g.severity),
        ("status", lambda g: g.status),
        ("current_step", lambda g: g.current_step),
        ("open_conditions", lambda g: g.open_conditions),
        ("owner", lambda g: _username(g.owner)),
        ("opened_at", lambda g: _when(g.opened_at)),
        ("last_seen", lambda g: _when(g.last_seen)),
        ("next_escalation_at", lambda g: _when(g.next_escalation_at)),
        ("acknowledged_by", lambda g: _username(g.acknowledged_by)),
        ("acknowledged_at", lambda g: _when(g.acknowledged_at)),
        ("resolved_by", lambda g: _username(g.resolved_by)),
        ("resolved_at", lambda g: _when(g.resolved_at)),
    ]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AlertGroup.objects.none()
        include_resolved = self.action not in _QUEUE_ACTIONS or bool(self.request.query_params.getlist("status"))
        return selectors.group_list(user=self.request.user, include_resolved=include_resolved)

    def get_serializer_class(self):
        return s.AlertGroupDetailSerializer if self.action != "list" else s.AlertGroupSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        gaps = selectors.warning_response_gaps({g.situation_id for g in page})
        data = s.AlertGroupSerializer(page, many=True, context={**self.get_serializer_context(), "gaps": gaps}).data
        response = self.get_paginated_response(data)
        response.data["severity_counts"] = selectors.severity_counts(queryset)
        return response

    def _detail(self, group_id: int, http_status=status.HTTP_200_OK) -> Response:
        group = selectors.group_get(user=self.request.user, group_id=group_id)
        gaps = selectors.warning_response_gaps([group.situation_id])
        data = s.AlertGroupDetailSerializer(group, context={**self.get_serializer_context(), "gaps": gaps}).data
        return Response(data, status=http_status)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object().pk)

    def _act(self, request, serializer_class, service, **extra):
        group = self.get_object()  # scoped: a group out of scope is 404 here
        services.check_may_act(actor=request.user, group=group, what=self.action)  # 403 before any 400
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        result = service(actor=request.user, group=group, **body.validated_data, **extra)
        if isinstance(result, SignoffRequest):
            return signoff_response(result, request, status=status.HTTP_202_ACCEPTED)
        return self._detail(group.pk)

    @extend_schema(request=s.NoteSerializer, responses=s.AlertGroupDetailSerializer,
                   summary="Acknowledge: stop the clock")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        return self._act(request, s.NoteSerializer, services.group_acknowledge)

    @extend_schema(request=s.SnoozeSerializer, summary="Snooze until a time",
                   responses={200: s.AlertGroupDetailSerializer, 202: OpenApiResponse(SignoffSerializer, description=(
                       "More than 7 days: waits for a second person's sign-off; nothing is snoozed yet."))})
    @action(detail=True, methods=["post"])
    def snooze(self, request, *args, **kwargs):
        return self._act(request, s.SnoozeSerializer, services.group_snooze)

    @extend_schema(request=s.ResolveSerializer, summary="Resolve with a note",
                   responses={200: s.AlertGroupDetailSerializer, 202: OpenApiResponse(SignoffSerializer, description=(
                       "Critical, and a condition still holds: waits for a second person's sign-off."))})
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        return self._act(request, s.ResolveSerializer, services.group_resolve)

    @extend_schema(request=s.NoteSerializer, responses=s.AlertGroupDetailSerializer,
                   summary="Escalate to the next step now")
    @action(detail=True, methods=["post"])
    def escalate(self, request, *args, **kwargs):
        return self._act(request, s.NoteSerializer, services.group_escalate_now)

    @extend_schema(request=s.RequiredNoteSerializer, responses=s.AlertGroupDetailSerializer,
                   summary="Add a note to the timeline (counts as progress)")
    @action(detail=True, methods=["post"])
    def note(self, request, *args, **kwargs):
        return self._act(request, s.RequiredNoteSerializer, services.group_add_note)

    @extend_schema(request=s.ReassignSerializer, responses=s.AlertGroupDetailSerializer, summary="Change the owner")
    @action(detail=True, methods=["post"])
    def reassign(self, request, *args, **kwargs):
        group = self.get_object()
        services.check_may_act(actor=request.user, group=group, what="reassign")
        body = s.ReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner_id = body.validated_data["owner"]
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id is not None else None
        if owner_id is not None and owner is None:
            raise DomainError("No such user can take this escalation.", field="owner")
        services.group_reassign(actor=request.user, group=group, owner=owner, note=body.validated_data["note"])
        return self._detail(group.pk)

    @extend_schema(request=s.BulkSerializer, summary="Acknowledge or resolve several escalations at once",
                   responses=inline_serializer("BulkDone", {"done": drf_serializers.ListField(
                       child=drf_serializers.IntegerField(), help_text="The escalations changed.")}))
    @action(detail=False, methods=["post"])
    def bulk(self, request, *args, **kwargs):
        body = s.BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        done = services.groups_bulk(actor=request.user, verb=data["verb"], group_ids=data["groups"], note=data["note"])
        return Response({"done": [g.pk for g in done]})


class ConditionViewSet(ScopedViewSetMixin, CsvExportMixin, viewsets.ReadOnlyModelViewSet):
    """Conditions, each inside its escalation (`group`): unresolved by default, the most
    severe first. Act on them through their escalation."""

    serializer_class = s.ConditionSerializer
    filterset_class = ConditionFilter
    filter_backends = [DjangoFilterBackend]
    permission_classes = [permissions.IsAuthenticated]
    csv_filename = "alerts.csv"
    csv_marking = staticmethod(lambda a: a.situation.tlp)
    csv_columns = [
        ("id", lambda a: a.pk),
        ("group_id", lambda a: a.group_id),
        ("situation_id", lambda a: a.situation_id),
        ("situation", lambda a: a.situation.title),
        ("severity", lambda a: a.severity),
        ("status", lambda a: a.status),
        ("title", lambda a: a.title),
        ("rule", lambda a: a.rule.name),
        ("action_id", lambda a: a.action_id or ""),
        ("indicator_code", lambda a: a.indicator.code if a.indicator else ""),
        ("occurrences", lambda a: a.occurrences),
        ("first_seen", lambda a: _when(a.first_seen)),
        ("last_seen", lambda a: _when(a.last_seen)),
        ("resolved_at", lambda a: _when(a.resolved_at)),
    ]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        include_resolved = self.action not in _QUEUE_ACTIONS or bool(self.request.query_params.getlist("status"))
        return selectors.condition_list(user=self.request.user, include_resolved=include_resolved)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """My in-app notifications, newest first; `unread` counts the unread ones."""

    serializer_class = s.InboxSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Notification.objects.none()
        return selectors.inbox(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = self.get_queryset().filter(read_at__isnull=True).count()
        return response

    @extend_schema(request=None, summary="Count of unread notifications",
                   responses=inline_serializer("UnreadCount", {"unread": drf_serializers.IntegerField()}))
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request, *args, **kwargs):
        return Response({"unread": self.get_queryset().filter(read_at__isnull=True).count()})

    @extend_schema(request=None, summary="Mark one notification read")
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
        return Response(self.get_serializer(self.get_queryset().get(pk=notification.pk)).data)

    @extend_schema(request=None, summary="Mark all my notifications read",
                   responses=inline_serializer("MarkedRead", {"marked": drf_serializers.IntegerField(
                       help_text="How many were unread and are now read.")}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        count = services.notification_mark_read(user=request.user)
        return Response({"marked": count})


class ManagerWritesPermission(permissions.BasePermission):
    """Writes of alerting configuration are for managers. On a detail route the scoped
    lookup runs first, so what a user may not see answers 404, not 403."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "detail", False):
            return True
        return request.user.is_manager

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or request.user.is_manager


class ConfigViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Staff read alerting configuration; managers change it (the services enforce it)."""

    permission_classes = [permissions.IsAuthenticated, ManagerWritesPermission]
    filter_backends = []
    write_serializer_class = None

    def create(self, request, *args, **kwargs):
        body = self.write_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        obj = self.create_with(request.user, dict(body.validated_data))
        return Response(self.created_serializer_class(obj).data if hasattr(self, "created_serializer_class")
                        else self.get_serializer(self.get_queryset().get(pk=obj.pk)).data,
                        status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        body = self.write_serializer_class(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        self.update_with(request.user, obj, dict(body.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


def _situation(situation_id):
    if situation_id is None:
        return None
    situation = Situation.objects.filter(pk=situation_id).first()
    if situation is None:
        raise DomainError("No such situation.", field="situation")
    return situation


class RuleViewSet(ConfigViewSet):
    selector = staticmethod(selectors.rule_list)
    serializer_class = s.RuleSerializer
    write_serializer_class = s.RuleWriteSerializer

    def create_with(self, user, data):
        data["situation"] = _situation(data.get("situation"))
        return services.rule_create(actor=user, **data)

    def update_with(self, user, rule, data):
        if "situation" in data:
            data["situation"] = _situation(data["situation"])
        return services.rule_update(actor=user, rule=rule, **data)

    def perform_destroy(self, instance):
        services.rule_delete(actor=self.request.user, rule=instance)


class PolicyViewSet(ConfigViewSet):
    selector = staticmethod(selectors.policy_list)
    serializer_class = s.PolicySerializer
    write_serializer_class = s.PolicyWriteSerializer

    def create_with(self, user, data):
        return services.policy_create(actor=user, **data)

    def update_with(self, user, policy, data):
        return services.policy_update(actor=user, policy=policy, **data)

    def perform_destroy(self, instance):
        services.policy_delete(actor=self.request.user, policy=instance)


class WebhookViewSet(ConfigViewSet):
    selector = staticmethod(selectors.webhook_endpoint_list)
    serializer_class = s.WebhookSerializer
    created_serializer_class = s.WebhookCreatedSerializer
    write_serializer_class = s.WebhookWriteSerializer

    @staticmethod
    def _government(data):
        if data.get("owner_government") is not None:
            government = Government.objects.filter(pk=data["owner_government"]).first()
            if government is None:
                raise DomainError("No such government.", field="owner_government")
            data["owner_government"] = government
        return data

    def create_with(self, user, data):
        return services.webhook_endpoint_create(actor=user, **self._government(data))

    def update_with(self, user, endpoint, data):
        return services.webhook_endpoint_update(actor=user, endpoint=endpoint, **self._government(data))

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(actor=self.request.user, endpoint=instance)

    @extend_schema(request=s.WebhookRotateSerializer, responses=s.WebhookRotatedSerializer,
                   summary="Rotate the signing secret, the old one signing too for an overlap")
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        endpoint = self.get_object()
        body = s.WebhookRotateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_rotate_secret(
            actor=request.user, endpoint=endpoint, overlap=dt.timedelta(hours=body.validated_data["overlap_hours"]),
            secret=body.validated_data.get("secret"))
        return Response(s.WebhookRotatedSerializer(endpoint).data)
