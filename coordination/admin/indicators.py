"""Indicator definitions and the append-only series of readings."""
from django.contrib import admin

from coordination.admin.base import ServiceAdmin, SituationScopedAdmin
from coordination.models import Indicator, IndicatorReading
from coordination.readings import reading_record


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    # Definitions have no service: the database refuses thresholds out of order and a
    # risk factor outside 1–14, and the form shows that refusal on the field.
    list_display = ("code", "name", "risk_factor", "value_kind", "direction", "warning_threshold",
                    "critical_threshold", "is_active")
    list_filter = ("risk_factor", "value_kind", "direction", "is_active")
    search_fields = ("code", "name", "framework_ref")


@admin.register(IndicatorReading)
class IndicatorReadingAdmin(SituationScopedAdmin, ServiceAdmin):
    """Append-only, as the series is evidence: a reading is never edited or deleted
    here; a correction is a new reading that names the one it supersedes."""

    situation_path = "situation__"
    list_display = ("observed_at", "situation", "indicator", "value", "assessing_government", "source", "recorded_by",
                    "supersedes")
    list_filter = ("indicator__risk_factor", "indicator", "assessing_government")
    search_fields = ("situation__title", "indicator__code", "indicator__name", "source")
    list_select_related = ("situation", "indicator", "recorded_by", "supersedes", "assessing_government")
    date_hierarchy = "observed_at"
    fields = ("situation", "indicator", "value", "observed_at", "source", "note", "supersedes",
              "assessing_government", "recorded_by", "recorded_at", "client_id")
    readonly_fields = ("recorded_by", "recorded_at", "client_id")
    autocomplete_fields = ("situation", "indicator", "supersedes")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        reading, _created = reading_record(
            actor=request.user, situation=obj.situation, indicator=obj.indicator, value=obj.value,
            observed_at=obj.observed_at, source=obj.source, note=obj.note, supersedes=obj.supersedes,
            assessing_government=obj.assessing_government,
        )
        obj.pk, obj.recorded_at, obj.recorded_by = reading.pk, reading.recorded_at, reading.recorded_by
        obj._state.adding = False
