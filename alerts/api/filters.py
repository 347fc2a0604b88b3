"""Filters of the escalation queue. Situations and governments are plain ids (see
coordination/api/filters.py): an invisible situation filters to nothing, like a missing one."""
import django_filters
from django.db.models import Exists, OuterRef

from alerts.choices import AlertStatus, Severity
from alerts.models import Alert, AlertGroup
from coordination.models import PartnerAssignment


class _SituationScopedFilter(django_filters.FilterSet):
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    status = django_filters.MultipleChoiceFilter(
        choices=AlertStatus.choices, help_text="Default: every unresolved status (the queue).")
    situation = django_filters.NumberFilter(field_name="situation_id")
    government = django_filters.NumberFilter(method="filter_government", label="Assigned government (id)")

    def filter_government(self, queryset, name, value):
        return queryset.filter(Exists(PartnerAssignment.objects.filter(situation=OuterRef("situation_id"),
                                                                       government_id=value)))


class AlertGroupFilter(_SituationScopedFilter):
    class Meta:
        model = AlertGroup
        fields = ["severity", "status", "situation", "government"]


class ConditionFilter(_SituationScopedFilter):
    rule = django_filters.NumberFilter(field_name="rule_id")
    group = django_filters.NumberFilter(field_name="group_id")

    class Meta:
        model = Alert
        fields = ["severity", "status", "situation", "rule", "group", "government"]
