"""Coordination resources: short declarations over core.api.base. Each view reads
through a selector (scope) and writes through a service (rules)."""
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination import assessments, checkins, closing, commitments, notes, risk_windows, selectors, services
from coordination.api import commitments as commitment_api
from coordination.api import serializers as s
from coordination.api.filters import (
    ActionFilter,
    AssignmentFilter,
    GovernmentFilter,
    IndicatorFilter,
    ReadingFilter,
    SituationFilter,
)
from coordination.api.signoffs import SignoffSerializer, signoff_response
from coordination.models import CheckIn, IndicatorReading, RiskWindow, SignoffRequest, SituationNote, TrackedIndicator
from coordination.readings import ReadingInput, indicator_track, readings_record
from core.api.base import (
    IF_MATCH_PARAMETER,
    ConditionalWriteMixin,
    CsvExportMixin,
    HistoryMixin,
    ScopedViewSetMixin,
)
from core.api.pagination import CursorByCreationPagination, CursorByTimePagination
from core.roles import has_staff_role


class GovernmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Partner governments and organisations of the coalition."""

    selector = staticmethod(selectors.government_list)
    serializer_class = s.GovernmentSerializer
    filterset_class = GovernmentFilter
    search_fields = ["code", "name"]
    ordering_fields = ["name", "code"]


class IndicatorViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue of risk indicators (UN Framework of Analysis, 2014)."""

    selector = staticmethod(selectors.indicator_list)
    serializer_class = s.IndicatorSerializer
    filterset_class = IndicatorFilter
    search_fields = ["code", "name", "framework_ref"]
    ordering_fields = ["risk_factor", "code", "name"]


_EDIT_HELD = {200: s.SituationSerializer, 202: OpenApiResponse(SignoffSerializer, description=(
    "The edit lowers a TLP:RED or TLP:AMBER+STRICT marking or the risk level by two steps: it waits for a second "
    "person's sign-off, and nothing changed yet."))}


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH_PARAMETER], request=s.SituationWriteSerializer, responses=_EDIT_HELD),
    partial_update=extend_schema(parameters=[IF_MATCH_PARAMETER], request=s.SituationWriteSerializer,
                                 responses=_EDIT_HELD),
    create=extend_schema(request=s.SituationWriteSerializer),
)
class SituationViewSet(ScopedViewSetMixin, ConditionalWriteMixin, HistoryMixin, CsvExportMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Situations of concern, with their partner assignments embedded."""

    selector = staticmethod(selectors.situation_list)
    serializer_class = s.SituationSerializer
    filterset_class = SituationFilter
    search_fields = ["title", "area", "summary"]
    ordering_fields = ["title", "updated_at", "created_at", "risk_level", "status"]
    etag_prefix = "situation"
    conditional_actions = ("close_situation", "reopen_situation")
    csv_filename = "situations.csv"
    csv_marking = staticmethod(lambda o: o.tlp)
    csv_columns = [
        ("id", lambda o: o.pk),
        ("title", lambda o: o.title),
        ("country_code", lambda o: o.country_code),
        ("area", lambda o: o.area),
        ("status", lambda o: o.status),
        ("risk_level", lambda o: o.risk_level),
        ("lead_officer", lambda o: o.lead_officer.username if o.lead_officer else ""),
        ("governments", lambda o: " ".join(f"{a.government.code}:{a.role}" for a in o.assignments.all())),
        ("updated_at", lambda o: o.updated_at.isoformat()),
    ]

    def create(self, request, *args, **kwargs):
        write = s.SituationWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        situation = services.situation_open(actor=request.user, **write.validated_data)
        return self.detail_response(situation, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        situation = self.get_object()
        version = self.expected_version(request, situation)
        write = s.SituationWriteSerializer(situation, data=request.data, partial=kwargs.get("partial", False),
                                           context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        updated = services.situation_update(actor=request.user, situation=situation, expected_version=version,
                                            **write.validated_data)
        if isinstance(updated, SignoffRequest):
            return signoff_response(updated, request, status=status.HTTP_202_ACCEPTED)
        return self.detail_response(updated)

    @extend_schema(request=s.SituationCloseSerializer,
                   responses={200: s.SituationSerializer, 202: OpenApiResponse(SignoffSerializer, description=(
                       "Closing waits for a second person's sign-off: the request, nothing changed yet."))},
                   parameters=[IF_MATCH_PARAMETER], summary="Ask to close the situation with its outcome",
                   description="Open actions are cancelled (each logged with `cancel_reason`) or kept open. "
                               "The status cannot be set to `closed` by an edit; this is the way. Closing "
                               "needs a second person: the answer is the sign-off request (202), and the "
                               "closing happens when it is approved (/api/v1/sign-offs).")
    @action(detail=True, methods=["post"], url_path="close", url_name="close", filter_backends=[])
    def close_situation(self, request, *args, **kwargs):
        situation = self.get_object()
        version = self.expected_version(request, situation)
        write = s.SituationCloseSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        closed = closing.situation_close(actor=request.user, situation=situation, expected_version=version,
                                         **write.validated_data)
        if isinstance(closed, SignoffRequest):
            return signoff_response(closed, request, status=status.HTTP_202_ACCEPTED)
        return self.detail_response(closed)

    @extend_schema(request=s.SituationReopenSerializer, responses={200: s.SituationSerializer},
                   parameters=[IF_MATCH_PARAMETER], summary="Reopen a closed situation, saying why",
                   description="The outcome is cleared; the history keeps it, and the reason.")
    @action(detail=True, methods=["post"], url_path="reopen", url_name="reopen", filter_backends=[])
    def reopen_situation(self, request, *args, **kwargs):
        situation = self.get_object()
        version = self.expected_version(request, situation)
        write = s.SituationReopenSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        reopened = closing.situation_reopen(actor=request.user, situation=situation, expected_version=version,
                                            **write.validated_data)
        return self.detail_response(reopened)


class SituationChildMixin:
    """Nested under /situations/{situation_pk}/: the parent is fetched through the
    scoped selector first, so an invisible situation answers 404, not an empty list."""

    checks_parent_permission = True

    def get_situation(self):
        if not hasattr(self, "_situation"):
            self._situation = get_object_or_404(
                selectors.situation_list(user=self.request.user), pk=self.kwargs["situation_pk"]
            )
            self.check_object_permissions(self.request, self._situation)
        return self._situation


class AssignmentViewSet(ScopedViewSetMixin, HistoryMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """Which partner governments work on which situation, in which role, with which of
    their liaisons. PATCH changes the role or the liaisons; to change the government,
    delete the assignment and create it anew (all of it is in the history)."""

    selector = staticmethod(selectors.assignment_list)
    serializer_class = s.AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["created_at", "situation", "government"]

    @extend_schema(request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        write = s.AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        assignment = services.assignment_create(actor=request.user, **write.validated_data)
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignmentUpdateSerializer, responses={200: s.AssignmentSerializer},
                   summary="Change the role or the liaisons of an assignment")
    def partial_update(self, request, *args, **kwargs):
        assignment = self.get_object()
        write = s.AssignmentUpdateSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        services.assignment_update(actor=request.user, assignment=assignment, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)

    def perform_destroy(self, instance):
        services.assignment_delete(actor=self.request.user, assignment=instance)


@extend_schema_view(
    list=extend_schema(summary="The indicators tracked on this situation"),
    create=extend_schema(request=s.TrackIndicatorSerializer, responses={201: s.TrackedIndicatorSerializer},
                         summary="Track an indicator on this situation (or change its thresholds)"),
)
class TrackedIndicatorViewSet(SituationChildMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                              mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.TrackedIndicatorSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no situation
            return TrackedIndicator.objects.none()
        return selectors.tracked_indicator_list(user=self.request.user, situation_id=self.get_situation().pk)

    def create(self, request, *args, **kwargs):
        situation = self.get_situation()
        write = s.TrackIndicatorSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        tracked = indicator_track(actor=request.user, situation=situation, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=tracked.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Readings of this situation, newest observation first"),
    create=extend_schema(
        request=s.ReadingWriteSerializer,
        responses={201: s.ReadingSerializer, 200: OpenApiResponse(s.ReadingSerializer, description=(
            "Every reading was already stored (same client_id): nothing was created."))},
        summary="Record one reading, or a list of up to 1,000 (all or nothing)",
        description="Send one object or a JSON list of objects. A list is refused whole if any row is invalid; "
                    "`fields` then names the row and field (\"3.value\"). Readings whose `client_id` was seen "
                    "before are returned as stored and not created again: 201 if anything was created, 200 if "
                    "nothing was. A list is answered with a list in the order sent. Staff and the liaisons of "
                    "assigned governments may record; a liaison's reading is their government's assessment.",
    ),
)
class ReadingViewSet(SituationChildMixin, ScopedViewSetMixin, CsvExportMixin, mixins.CreateModelMixin,
                     mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ReadingSerializer
    filterset_class = ReadingFilter
    pagination_class = CursorByTimePagination
    csv_filename = "readings.csv"
    csv_marking = staticmethod(lambda o: o.situation.tlp)
    csv_columns = [
        ("id", lambda o: o.pk),
        ("situation_id", lambda o: o.situation_id),
        ("indicator_code", lambda o: o.indicator.code),
        ("value", lambda o: o.value),
        ("observed_at", lambda o: o.observed_at.isoformat()),
        ("assessing_government", lambda o: o.assessing_government.code if o.assessing_government else ""),
        ("source", lambda o: o.source),
        ("recorded_by", lambda o: o.recorded_by.username if o.recorded_by else ""),
        ("recorded_at", lambda o: o.recorded_at.isoformat()),
        ("supersedes", lambda o: o.supersedes_id or ""),
    ]

    def may_change(self, user, situation):
        return assessments.may_assess(user, situation.pk)

    @property
    def filter_backends(self):
        # Cursor pagination owns the ordering; a client ordering would break its cursor.
        return [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IndicatorReading.objects.none()
        return selectors.reading_list(user=self.request.user, situation_id=self.get_situation().pk)

    def create(self, request, *args, **kwargs):
        situation = self.get_situation()
        many = isinstance(request.data, list)
        write = s.ReadingWriteSerializer(data=request.data, many=many, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        rows = write.validated_data if many else [write.validated_data]
        results = readings_record(
            actor=request.user, situation=situation,
            readings=[ReadingInput(**row) for row in rows],
        )
        stored = {r.pk: r for r in self.get_queryset().filter(pk__in=[reading.pk for reading, _ in results])}
        # One list serializer for the batch: a serializer per row rebuilds its fields
        # each time, which cost two thirds of a 1,000-reading request.
        data = self.get_serializer([stored[reading.pk] for reading, _created in results], many=True).data
        created = any(was_created for _reading, was_created in results)
        return Response(data if many else data[0], status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="The notes on this situation's timeline, newest first"),
    create=extend_schema(request=s.NoteWriteSerializer, responses={201: s.NoteSerializer},
                         summary="Add a note to the situation's timeline (append-only)",
                         description="Staff and the liaisons of assigned governments may write. `reconciles` "
                                     "with `indicator` records that the partners' diverging assessments of it "
                                     "were reconciled (staff and the lead government's liaisons)."),
)
class SituationNoteViewSet(SituationChildMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                           mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NoteSerializer
    filter_backends = []
    pagination_class = CursorByCreationPagination

    def may_change(self, user, situation):
        return assessments.may_assess(user, situation.pk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SituationNote.objects.none()
        return selectors.note_list(user=self.request.user, situation_id=self.get_situation().pk)

    def create(self, request, *args, **kwargs):
        situation = self.get_situation()
        write = s.NoteWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        note = notes.note_add(actor=request.user, situation=situation, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=note.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="The risk windows of this situation, in event order"),
    create=extend_schema(request=s.RiskWindowWriteSerializer, responses={201: s.RiskWindowSerializer},
                         summary="Set a risk window around a dated triggering factor"),
)
class SituationRiskWindowViewSet(SituationChildMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                                 mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RiskWindowSerializer
    filter_backends = []
    pagination_class = None  # a handful per situation, like its tracked indicators

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskWindow.objects.none()
        return selectors.risk_window_list(user=self.request.user, situation_id=self.get_situation().pk)

    def create(self, request, *args, **kwargs):
        situation = self.get_situation()
        write = s.RiskWindowWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        window = risk_windows.risk_window_create(actor=request.user, situation=situation, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=window.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    update=extend_schema(request=s.RiskWindowWriteSerializer),
    partial_update=extend_schema(request=s.RiskWindowWriteSerializer),
)
class RiskWindowViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                        mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """One risk window. Reading it follows its situation's scope; changing it is staff work."""

    selector = staticmethod(selectors.risk_window_list)
    serializer_class = s.RiskWindowSerializer

    def update(self, request, *args, **kwargs):
        window = self.get_object()
        write = s.RiskWindowWriteSerializer(data=request.data, partial=kwargs.get("partial", False),
                                            context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        updated = risk_windows.risk_window_update(actor=request.user, window=window, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=updated.pk)).data)

    def perform_destroy(self, instance):
        risk_windows.risk_window_delete(actor=self.request.user, window=instance)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH_PARAMETER], request=s.ActionEditSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH_PARAMETER], request=s.ActionEditSerializer),
    create=extend_schema(request=s.ActionCreateSerializer),
)
class ActionViewSet(ScopedViewSetMixin, ConditionalWriteMixin, HistoryMixin, CsvExportMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Agreed actions. A liaison may move the status and write the progress note of the
    actions their government owns; everything else is for staff."""

    selector = staticmethod(selectors.action_list)
    serializer_class = s.ActionSerializer
    filterset_class = ActionFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_date", "priority", "status", "updated_at", "last_activity_at"]
    etag_prefix = "action"
    # A liaison proposes for their government (the service checks it) and may invite
    # partners to their government's action; agreeing stays staff work.
    liaison_actions = ("create", "update", "partial_update", "transition", "commitments")
    conditional_actions = ("transition",)
    conflict_actions = ("transition",)
    csv_filename = "actions.csv"
    csv_marking = staticmethod(lambda o: o.situation.tlp)
    csv_columns = [
        ("id", lambda o: o.pk),
        ("situation_id", lambda o: o.situation_id),
        ("situation", lambda o: o.situation.title),
        ("title", lambda o: o.title),
        ("kind", lambda o: o.kind),
        ("owner_government", lambda o: o.owner_government.code),
        ("assignee", lambda o: o.assignee.username if o.assignee else ""),
        ("due_date", lambda o: o.due_date.isoformat()),
        ("status", lambda o: o.status),
        ("priority", lambda o: o.priority),
        ("progress_note", lambda o: o.progress_note),
        ("last_activity_at", lambda o: o.last_activity_at.isoformat()),
    ]

    def may_change(self, user, action):
        if self.action == "commitments":
            return commitments.may_invite(user, action)
        if self.action in self.liaison_actions:
            return services.may_work_on_action(user, action)
        return has_staff_role(user)

    @extend_schema(description="With `partners` (government ids), a joint action: the owner government leads "
                               "it and each partner is invited to commit. A partner liaison proposes for their "
                               "own government; a desk officer or manager agrees it.")
    def create(self, request, *args, **kwargs):
        write = s.ActionCreateSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        partners = data.pop("partners", [])
        if partners:
            action_ = commitments.joint_action_propose(actor=request.user, partners=partners, **data)
        else:
            action_ = services.action_propose(actor=request.user, **data)
        return self.detail_response(action_, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=commitment_api.CommitmentSerializer(many=True), filters=False,
                   summary="The action's commitments: each government's part of a joint action")
    @extend_schema(methods=["POST"], request=commitment_api.CommitmentInviteSerializer,
                   responses={201: commitment_api.CommitmentSerializer},
                   summary="Invite a partner government (the action becomes joint)")
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def commitments(self, request, *args, **kwargs):
        action_ = self.get_object()
        if request.method == "POST":
            write = commitment_api.CommitmentInviteSerializer(data=request.data)
            write.is_valid(raise_exception=True)
            made = commitments.commitment_invite(actor=request.user, action=action_, **write.validated_data)
            fresh = selectors.commitment_list(user=request.user).get(pk=made.pk)
            return Response(commitment_api.CommitmentSerializer(fresh).data, status=status.HTTP_201_CREATED)
        rows = selectors.commitment_list(user=request.user, action_id=action_.pk).order_by("government__name", "id")
        return Response(commitment_api.CommitmentSerializer(rows, many=True).data)

    def update(self, request, *args, **kwargs):
        action_ = self.get_object()
        version = self.expected_version(request, action_)
        write = s.ActionEditSerializer(action_, data=request.data, partial=kwargs.get("partial", False),
                                       context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        updated = services.action_update(actor=request.user, action=action_, expected_version=version,
                                         **write.validated_data)
        return self.detail_response(updated)

    @extend_schema(request=s.TransitionSerializer, responses={200: s.ActionSerializer},
                   parameters=[IF_MATCH_PARAMETER], summary="Move the action to another status, with a note")
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, *args, **kwargs):
        action_ = self.get_object()
        version = self.expected_version(request, action_)
        write = s.TransitionSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        updated = services.action_transition(actor=request.user, action=action_, expected_version=version,
                                             to_status=write.validated_data["status"],
                                             note=write.validated_data["note"])
        return self.detail_response(updated)

    @extend_schema(responses=s.ActionUpdateSerializer(many=True), filters=False,
                   summary="The action's progress log, newest first")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=CursorByCreationPagination)
    def updates(self, request, *args, **kwargs):
        action_ = self.get_object()
        entries = selectors.action_update_list(user=request.user, action_id=action_.pk)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.ActionUpdateSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Check-ins of this situation by its assigned governments, newest first"),
    create=extend_schema(request=s.CheckInWriteSerializer, responses={201: s.CheckInSerializer},
                         summary="Check in for your government: still accurate, or changed with a note"),
)
class SituationCheckInViewSet(SituationChildMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                              mixins.ListModelMixin, viewsets.GenericViewSet):
    """Read by whoever sees the situation; written only by the liaisons of an assigned
    government (coordination/checkins.py): staff answer 403, out of scope 404."""

    serializer_class = s.CheckInSerializer
    filter_backends = []

    def may_change(self, user, situation):
        return checkins.may_check_in(user, situation)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        return checkins.checkin_list(user=self.request.user, situation_id=self.get_situation().pk).order_by(
            "-checked_in_at", "-id")

    def create(self, request, *args, **kwargs):
        situation = self.get_situation()
        write = s.CheckInWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        checkin = checkins.check_in(actor=request.user, situation=situation, **write.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=checkin.pk)).data,
                        status=status.HTTP_201_CREATED)
