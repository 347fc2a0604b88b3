"""Shapes of coordination resources. Reads are plain; writes only validate types and
ranges and hand the values to coordination.services, where the rules live."""
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coordination import extensions, selectors
from coordination import windows
from coordination.choices import ActionStatus, PartnerRole, RiskWindowKind, SituationOutcome, SituationStatus
from coordination.closing import OpenActions
from coordination.models import (
    Action,
    ActionUpdate,
    CheckIn,
    CheckInAnswer,
    Commitment,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    RiskWindow,
    Situation,
    SituationNote,
    TrackedIndicator,
)
from coordination.models.indicators import READING_VALUE_LIMIT
from coordination.models.windows import MAX_SHIFT_PERCENT, MAX_WAIT_FACTOR, MAX_WINDOW_DAYS, MIN_WAIT_FACTOR
from coordination.readings import BULK_READINGS_LIMIT
from coordination.services import transitions_for
from coordination.sharing import visible_situation_q
from core.roles import has_staff_role
from core.api.base import (
    CachedPrimaryKeyRelatedField,
    FiniteFloatField,
    GovernmentBriefSerializer,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
    UserBriefSerializer,
)

User = get_user_model()


class GovernmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Government
        fields = ["id", "code", "name", "kind", "is_active"]


def _page_of(field, obj) -> list:
    """The objects serialised with `obj` (the page of a list), or just `obj`."""
    owner = field.parent.parent if field.parent is not None else None
    return owner.instance if isinstance(owner, serializers.ListSerializer) and owner.instance is not None else [obj]


class GapSerializer(serializers.Serializer):
    first_warning_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    open = serializers.BooleanField(help_text="True while no action has been agreed since the first warning.")
    seconds = serializers.FloatField(allow_null=True, help_text="The gap, or for how long it has been open.")


_GAP = GapSerializer()


def gap_data(gap) -> dict:
    """One gap as JSON, through a single GapSerializer: building one per row (its fields
    are deep-copied each time) cost more than the query that computed the gaps."""
    return _GAP.to_representation(gap.as_dict())


@extend_schema_field(GapSerializer(allow_null=True))
class WarningResponseGapField(serializers.Field):
    """A situation's warning–response gap, for the situation resources. Computed once for
    the whole page being serialised (one query, whatever its length)."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, situation):
        cache = self.context.setdefault("_warning_response_gaps", {}) if isinstance(self.context, dict) else {}
        if situation.pk not in cache:
            page = _page_of(self, situation)
            cache.update(extensions.alert_reads().warning_response_gaps([s.pk for s in page] + [situation.pk]))
        gap = cache.get(situation.pk)
        return gap_data(gap) if gap is not None else None


class SituationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Situation
        fields = ["id", "title"]


# --- Assignments ------------------------------------------------------------------------

class AssignmentSerializer(serializers.ModelSerializer):
    government = GovernmentBriefSerializer(read_only=True)
    liaisons = UserBriefSerializer(many=True, read_only=True)

    class Meta:
        model = PartnerAssignment
        fields = ["id", "situation", "government", "role", "liaisons", "created_at"]
        read_only_fields = fields


class AssignmentCreateSerializer(StrictModelSerializer):
    situation = ScopedPrimaryKeyRelatedField(selector=selectors.situation_list, queryset=Situation.objects.all())
    government = serializers.PrimaryKeyRelatedField(queryset=Government.objects.all())
    liaisons = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                  required=False,
                                                  help_text="Liaisons of this government who speak for it here.")

    class Meta:
        model = PartnerAssignment
        fields = ["situation", "government", "role", "liaisons"]
        validators = []  # uniqueness is the service's rule (one assignment per government)


class AssignmentUpdateSerializer(StrictSerializer):
    """Change the role or the liaisons of an assignment (the government stays: un-assign
    and assign to change it). A field left out stays as it is."""

    role = serializers.ChoiceField(choices=PartnerRole.choices, required=False)
    liaisons = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                  required=False,
                                                  help_text="The whole list: liaisons of this government.")


# --- Situations -------------------------------------------------------------------------

@extend_schema_field(SituationBriefSerializer(allow_null=True))
class MergedIntoField(serializers.Field):
    """The situation this one was merged into, if the reader may see it. A liaison may
    see a situation that went into one of another government's: to them it reads null,
    as if it named nothing. One query for the whole page, and none for staff."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, situation):
        target = situation.merged_into
        if target is None:
            return None
        user = getattr(self.context.get("request"), "user", None)
        if has_staff_role(user):
            return {"id": target.pk, "title": target.title}
        cache = self.context.setdefault("_visible_merge_targets", {}) if isinstance(self.context, dict) else {}
        if target.pk not in cache:
            ids = {s.merged_into_id for s in _page_of(self, situation) if s.merged_into_id} | {target.pk}
            visible = set(Situation.objects.filter(visible_situation_q(user), pk__in=ids).values_list("pk", flat=True))
            cache.update({pk: pk in visible for pk in ids})
        return {"id": target.pk, "title": target.title} if cache[target.pk] else None


class SituationSerializer(serializers.ModelSerializer):
    lead_officer = UserBriefSerializer(read_only=True, allow_null=True)
    named_liaisons = UserBriefSerializer(many=True, read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)
    # From the escalation engine: time from the first warning to the first agreed action.
    warning_response_gap = WarningResponseGapField()
    # Declared, not derived: DRF drops allow_blank from read-only model fields, and the
    # schema would then refuse the "" of every open situation.
    outcome = serializers.ChoiceField(choices=SituationOutcome.choices, allow_blank=True, read_only=True,
                                      help_text="Empty while the situation is open.")
    merged_into = MergedIntoField()
    closed_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Situation
        fields = ["id", "title", "country_code", "area", "summary", "status", "risk_level", "marking",
                  "lead_officer", "named_liaisons", "assignments", "outcome", "outcome_note", "merged_into",
                  "closed_at", "closed_by", "version", "created_at", "updated_at", "warning_response_gap"]
        read_only_fields = fields


class SituationCloseSerializer(StrictSerializer):
    """Close the situation: what became of it, and what to do with its open actions."""

    outcome = serializers.ChoiceField(choices=SituationOutcome.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="",
                                 help_text="What became of the situation; required for the outcome `other`.")
    open_actions = serializers.ChoiceField(
        choices=OpenActions.CHOICES, required=False, default=OpenActions.CANCEL,
        help_text="`cancel` each open action (with `cancel_reason`, logged on each) or `keep` them open.")
    cancel_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    merged_into = ScopedPrimaryKeyRelatedField(
        selector=selectors.situation_list, queryset=Situation.objects.all(), required=False, allow_null=True,
        default=None, help_text="For the outcome `merged`: the (open) situation this one continues in.")


class SituationReopenSerializer(StrictSerializer):
    """Reopen a closed situation: why, and with which status."""

    note = serializers.CharField(max_length=5000, help_text="Why the situation is reopened (kept in its history).")
    status = serializers.ChoiceField(choices=SituationStatus.choices, required=False,
                                     default=SituationStatus.MONITORING,
                                     help_text="The status it reopens with; not `closed`.")


class SituationWriteSerializer(StrictModelSerializer):
    lead_officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                      required=False)
    named_liaisons = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                        required=False)

    class Meta:
        model = Situation
        fields = ["title", "country_code", "area", "summary", "status", "risk_level", "marking", "lead_officer",
                  "named_liaisons"]


# --- Indicators and readings --------------------------------------------------------------

class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "framework_ref", "risk_factor", "description", "value_kind", "unit",
                  "direction", "warning_threshold", "critical_threshold", "is_active"]
        read_only_fields = fields


class TrackedIndicatorSerializer(serializers.ModelSerializer):
    indicator = IndicatorSerializer(read_only=True)
    effective_warning = serializers.FloatField(read_only=True, allow_null=True)
    effective_critical = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = TrackedIndicator
        fields = ["id", "indicator", "warning_threshold", "critical_threshold", "effective_warning",
                  "effective_critical"]
        read_only_fields = fields


class TrackIndicatorSerializer(StrictSerializer):
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.filter(is_active=True))
    warning_threshold = FiniteFloatField(required=False, allow_null=True, min_value=-READING_VALUE_LIMIT,
                                         max_value=READING_VALUE_LIMIT)
    critical_threshold = FiniteFloatField(required=False, allow_null=True, min_value=-READING_VALUE_LIMIT,
                                          max_value=READING_VALUE_LIMIT)


class ReadingSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    recorded_by = UserBriefSerializer(read_only=True, allow_null=True)
    assessing_government = GovernmentBriefSerializer(
        read_only=True, allow_null=True,
        help_text="The partner whose assessment this is; null: the secretariat's own reading.")

    class Meta:
        model = IndicatorReading
        fields = ["id", "situation", "indicator", "indicator_code", "value", "observed_at", "source", "note",
                  "assessing_government", "recorded_by", "recorded_at", "client_id", "supersedes"]
        read_only_fields = fields


class ReadingListSerializer(serializers.ListSerializer):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", BULK_READINGS_LIMIT)
        kwargs.setdefault("allow_empty", False)
        super().__init__(*args, **kwargs)


class ReadingWriteSerializer(StrictSerializer):
    """One reading as sent. `client_id` is the sender's own id for it: sending the same
    reading again returns the stored one and creates nothing."""

    indicator = CachedPrimaryKeyRelatedField(queryset=Indicator.objects.all())
    value = FiniteFloatField(min_value=-READING_VALUE_LIMIT, max_value=READING_VALUE_LIMIT)
    observed_at = serializers.DateTimeField()
    source = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    supersedes = ScopedPrimaryKeyRelatedField(selector=selectors.reading_list, queryset=IndicatorReading.objects.all(),
                                              required=False, allow_null=True, default=None)
    assessing_government = CachedPrimaryKeyRelatedField(
        queryset=Government.objects.all(), required=False, allow_null=True, default=None,
        help_text="Whose assessment it is. A liaison's reading is always their own government's (omit it, or "
                  "name it); staff may name a government assigned to the situation, or omit it for the "
                  "secretariat's own reading.")

    class Meta:
        list_serializer_class = ReadingListSerializer


class NoteSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)
    government = GovernmentBriefSerializer(read_only=True, allow_null=True,
                                           help_text="The author's government, for a liaison's note.")
    indicator_code = serializers.CharField(source="indicator.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SituationNote
        fields = ["id", "situation", "author", "government", "body", "indicator", "indicator_code", "reconciles",
                  "created_at"]
        read_only_fields = fields


class NoteWriteSerializer(StrictSerializer):
    """A note on the situation's timeline; `reconciles` (with `indicator`) says the
    partners' diverging assessments of that indicator were reconciled."""

    body = serializers.CharField(max_length=5000)
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.all(), required=False,
                                                   allow_null=True, default=None)
    reconciles = serializers.BooleanField(required=False, default=False)


# --- Risk windows --------------------------------------------------------------------------

class IndicatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name"]
        read_only_fields = fields


class RiskWindowSerializer(serializers.ModelSerializer):
    indicators = IndicatorBriefSerializer(many=True, read_only=True,
                                          help_text="On heightened watch; empty: every tracked indicator.")
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)
    active_now = serializers.SerializerMethodField(help_text="Open today (UTC).")
    created_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RiskWindow
        fields = ["id", "situation", "kind", "title", "event_date", "days_before", "days_after", "starts_on",
                  "ends_on", "active_now", "threshold_shift_percent", "wait_factor", "indicators", "created_by",
                  "created_at"]
        read_only_fields = fields

    def get_active_now(self, window) -> bool:
        if "_today" not in self.context:
            self.context["_today"] = windows.today_utc()
        return window.is_active_on(self.context["_today"])


class RiskWindowWriteSerializer(StrictSerializer):
    """A window around a dated triggering factor. The service checks the ranges again and
    that the indicators are tracked on the situation."""

    kind = serializers.ChoiceField(choices=RiskWindowKind.choices)
    title = serializers.CharField(max_length=200)
    event_date = serializers.DateField()
    days_before = serializers.IntegerField(min_value=0, max_value=MAX_WINDOW_DAYS)
    days_after = serializers.IntegerField(min_value=0, max_value=MAX_WINDOW_DAYS)
    threshold_shift_percent = FiniteFloatField(min_value=0, max_value=MAX_SHIFT_PERCENT, required=False)
    wait_factor = FiniteFloatField(min_value=MIN_WAIT_FACTOR, max_value=MAX_WAIT_FACTOR, required=False)
    indicators = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.all(), many=True, required=False,
                                                    help_text="Empty or absent: every tracked indicator.")


# --- Actions ----------------------------------------------------------------------------

class CommitmentBriefSerializer(serializers.ModelSerializer):
    """A partner's part as its action shows it; the whole of it is /commitments/{id}."""

    government = GovernmentBriefSerializer(read_only=True)
    liaison = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Commitment
        fields = ["id", "government", "status", "due_date", "liaison", "decline_reason", "delivered_at"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    situation = SituationBriefSerializer(read_only=True)
    owner_government = GovernmentBriefSerializer(read_only=True)
    assignee = UserBriefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    is_joint = serializers.SerializerMethodField()
    commitments = CommitmentBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Action
        fields = ["id", "situation", "title", "kind", "description", "owner_government", "assignee", "due_date",
                  "status", "allowed_transitions", "is_overdue", "priority", "progress_note", "version",
                  "created_at", "updated_at", "agreed_at", "completed_at", "last_activity_at", "is_joint",
                  "commitments"]
        read_only_fields = fields

    def get_is_joint(self, action) -> bool:
        return bool(action.commitments.all())

    def get_is_overdue(self, action) -> bool:
        return action.is_open and action.due_date < timezone.now().date()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ActionStatus.choices)))
    def get_allowed_transitions(self, action) -> list[str]:
        """What the requesting user may do with it now (the service's own rule); the
        action came through the sharing-scoped selector, with its commitments."""
        request = self.context.get("request")
        return list(transitions_for(getattr(request, "user", None), action, visible=True))


class ActionCreateSerializer(StrictModelSerializer):
    situation = ScopedPrimaryKeyRelatedField(selector=selectors.situation_list, queryset=Situation.objects.all())
    owner_government = serializers.PrimaryKeyRelatedField(queryset=Government.objects.all())
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                  required=False)
    partners = serializers.PrimaryKeyRelatedField(
        queryset=Government.objects.all(), many=True, required=False,
        help_text="Governments invited to a joint action (each must be assigned to the situation); "
                  "the owner government leads it.")

    class Meta:
        model = Action
        fields = ["situation", "title", "kind", "description", "owner_government", "assignee", "due_date",
                  "priority", "partners"]


class ActionEditSerializer(StrictModelSerializer):
    """Staff edit the planning fields; a liaison may send `progress_note` only (the
    service refuses anything else from them with 403). Status moves by /transition."""

    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                  required=False)
    progress_note = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    class Meta:
        model = Action
        fields = ["title", "kind", "description", "due_date", "priority", "assignee", "progress_note"]


class TransitionSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ActionUpdateSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "author", "old_status", "new_status", "note", "created_at"]
        read_only_fields = fields


# --- Check-ins --------------------------------------------------------------------------

class CheckInSerializer(serializers.ModelSerializer):
    government = GovernmentBriefSerializer(read_only=True)
    checked_in_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "situation", "government", "checked_in_by", "checked_in_at", "answer", "note"]
        read_only_fields = fields


class CheckInWriteSerializer(StrictSerializer):
    """One click: "still_accurate", or "changed" with a note (the service refuses a
    "changed" without one, naming `note`)."""

    answer = serializers.ChoiceField(choices=CheckInAnswer.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
