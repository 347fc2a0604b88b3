"""Filters of the coordination lists. Filters on objects that are scoped (situations)
take plain ids, never a model choice: a choice field would answer "not a valid choice"
for an existing but invisible situation and "no results" for a missing one."""
import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Marking,
    RiskLevel,
    SituationStatus,
)
from coordination.models import (
    Action,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    Situation,
)


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); absent or empty means "not filtered". Anything else is refused:
    django-filter's own widget would read "yes" or "1e308" as absent and answer the
    unfiltered list, which the client would take for the filtered one."""

    widget = forms.TextInput
    TRUE, FALSE = ("true", "1"), ("false", "0")

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text == "":
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class GovernmentFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()

    class Meta:
        model = Government
        fields = ["is_active", "kind"]


class IndicatorFilter(django_filters.FilterSet):
    is_active = StrictBooleanFilter()

    class Meta:
        model = Indicator
        fields = ["risk_factor", "value_kind", "is_active"]


class SituationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=SituationStatus.choices)
    risk_level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices)
    marking = django_filters.MultipleChoiceFilter(choices=Marking.choices)
    country = django_filters.CharFilter(field_name="country_code", lookup_expr="iexact", max_length=2)
    government = django_filters.NumberFilter(method="filter_government", label="Assigned government (id)")

    class Meta:
        model = Situation
        fields = ["status", "risk_level", "marking", "country", "government"]

    def filter_government(self, queryset, name, value):
        # Exists rather than a join: no duplicate rows and no DISTINCT over the page.
        return queryset.filter(
            Exists(PartnerAssignment.objects.filter(situation=OuterRef("pk"), government_id=value))
        )


class AssignmentFilter(django_filters.FilterSet):
    situation = django_filters.NumberFilter(field_name="situation_id")
    government = django_filters.NumberFilter(field_name="government_id")

    class Meta:
        model = PartnerAssignment
        fields = ["situation", "government", "role"]


class ActionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices)
    situation = django_filters.NumberFilter(field_name="situation_id")
    owner_government = django_filters.NumberFilter(field_name="owner_government_id")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    overdue = StrictBooleanFilter(method="filter_overdue",
                                  label="Open and past its due date (derived, not a status)")

    class Meta:
        model = Action
        fields = ["status", "situation", "owner_government", "due_before", "due_after", "overdue", "kind",
                  "priority"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": OPEN_ACTION_STATUSES, "due_date__lt": timezone.now().date()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ReadingFilter(django_filters.FilterSet):
    indicator = django_filters.NumberFilter(field_name="indicator_id")
    indicator_code = django_filters.CharFilter(field_name="indicator__code", max_length=40)
    observed_after = django_filters.IsoDateTimeFilter(field_name="observed_at", lookup_expr="gte")
    observed_before = django_filters.IsoDateTimeFilter(field_name="observed_at", lookup_expr="lt")
    assessing_government = django_filters.NumberFilter(field_name="assessing_government_id")

    class Meta:
        model = IndicatorReading
        fields = ["indicator", "indicator_code", "observed_after", "observed_before", "assessing_government"]
