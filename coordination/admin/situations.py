"""Governments, situations and the assignments that decide who sees a situation."""
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role, User
from coordination import named, services
from coordination.admin.base import (
    ReadOnlyHistoryAdmin,
    ServiceAdmin,
    SituationScopedAdmin,
    VersionedForm,
    changed_values,
    copy_saved_state,
)
from coordination.models import (
    Government,
    PartnerAssignment,
    SignoffRequest,
    Situation,
    TrackedIndicator,
)
from coordination.readings import indicator_track


@admin.register(Government)
class GovernmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    ordering = ("name",)


class ExistingRowForm(forms.ModelForm):
    """An inline row whose identifying field is fixed once saved: the services can change
    an assignment's role and liaison, not which government it is (un-assign and assign
    instead), and track an indicator's thresholds, not swap the indicator."""

    fixed_field = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.fixed_field in self.fields:
            self.fields[self.fixed_field].disabled = True


class AssignmentForm(ExistingRowForm):
    fixed_field = "government"


class TrackedIndicatorForm(ExistingRowForm):
    fixed_field = "indicator"


def save_assignment_formset(request, formset) -> None:
    """Assignments decide visibility, so every change goes through the services: they
    refuse a duplicate, an inactive government and a liaison of another government, and
    record the un-assignment in history. The liaisons are many-to-many, which
    save(commit=False) leaves unwritten: each form's cleaned value goes to the service."""
    formset.save(commit=False)
    liaisons_of = {id(form.instance): form.cleaned_data.get("liaisons") for form in formset.forms
                   if getattr(form, "cleaned_data", None)}
    for assignment in formset.deleted_objects:
        services.assignment_delete(actor=request.user, assignment=assignment)
    for assignment, _changed in formset.changed_objects:
        services.assignment_update(actor=request.user, assignment=assignment, role=assignment.role,
                                   liaisons=liaisons_of.get(id(assignment)))
    for assignment in formset.new_objects:
        saved = services.assignment_create(actor=request.user, situation=formset.instance,
                                           government=assignment.government, role=assignment.role,
                                           liaisons=liaisons_of.get(id(assignment)) or ())
        assignment.pk = saved.pk


def save_tracked_indicator_formset(request, formset) -> None:
    formset.save(commit=False)
    # No service owns un-tracking and no rule guards it: readings already recorded stay.
    for tracked in formset.deleted_objects:
        tracked.delete()
    for tracked in [*formset.new_objects, *(obj for obj, _changed in formset.changed_objects)]:
        saved = indicator_track(actor=request.user, situation=formset.instance, indicator=tracked.indicator,
                                warning_threshold=tracked.warning_threshold,
                                critical_threshold=tracked.critical_threshold)
        tracked.pk = saved.pk


class PartnerAssignmentInline(admin.TabularInline):
    model = PartnerAssignment
    form = AssignmentForm
    fields = ("government", "role", "liaisons")
    autocomplete_fields = ("government", "liaisons")
    extra = 0


class TrackedIndicatorInline(admin.TabularInline):
    model = TrackedIndicator
    form = TrackedIndicatorForm
    fields = ("indicator", "warning_threshold", "critical_threshold")
    autocomplete_fields = ("indicator",)
    extra = 0


@admin.register(Situation)
class SituationAdmin(SituationScopedAdmin, ServiceAdmin, ReadOnlyHistoryAdmin):
    form = VersionedForm
    list_display = ("title", "country_code", "status", "outcome", "risk_level", "marking", "lead_officer",
                    "updated_at")
    list_filter = ("status", "outcome", "risk_level", "marking", "country_code")
    search_fields = ("title", "country_code", "area")
    list_select_related = ("lead_officer",)
    # Closing and reopening ask for an outcome and settle actions (coordination/closing.py,
    # on the situation page and the API): the admin shows the outcome, never edits it.
    readonly_fields = ("version", "created_at", "updated_at", "outcome", "outcome_note", "merged_into", "closed_at",
                       "closed_by")
    filter_horizontal = ("named_liaisons",)
    fieldsets = (
        (None, {"fields": ("title", "country_code", "area", "summary")}),
        (_("Assessment"), {"fields": ("status", "risk_level", "lead_officer")}),
        (_("Sharing"), {"fields": ("marking", "named_liaisons")}),
        (_("Closing"), {"fields": ("outcome", "outcome_note", "merged_into", "closed_at", "closed_by")}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at", "expected_version")}),
    )
    inlines = (PartnerAssignmentInline, TrackedIndicatorInline)
    history_list_display = ("status", "risk_level", "marking")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lead_officer":
            kwargs["queryset"] = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "named_liaisons":
            kwargs["queryset"] = User.objects.filter(role=Role.LIAISON, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "named_liaisons" in form.base_fields:
            # Offer only whom coordination/named.py would accept: nobody before any
            # government is assigned (the service refuses the rest anyway).
            form.base_fields["named_liaisons"].queryset = (
                named.nameable_liaisons(obj) if obj is not None else User.objects.none())
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.situation_open(
                actor=request.user, named_liaisons=data.get("named_liaisons") or (),
                **{name: data.get(name) for name in services.SITUATION_EDITABLE_FIELDS},
            )
        else:
            changes = changed_values(form, services.SITUATION_EDITABLE_FIELDS)
            named = data.get("named_liaisons") if "named_liaisons" in form.changed_data else None
            if not changes and named is None:
                return
            saved = services.situation_update(actor=request.user, situation=obj,
                                              expected_version=data.get("expected_version"),
                                              named_liaisons=named, **changes)
            if isinstance(saved, SignoffRequest):
                # Nothing of the edit is saved: it waits, whole, for a second person.
                self.message_user(request, _("Waiting for a second person's sign-off (request #%(id)s): nothing "
                                             "changes until it is approved.") % {"id": saved.pk}, messages.WARNING)
                return
        copy_saved_state(obj, saved)

    def save_related(self, request, form, formsets, change):
        # named_liaisons were written by the service in save_model; form.save_m2m()
        # would write them a second time behind its back.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is PartnerAssignment:
            save_assignment_formset(request, formset)
        elif formset.model is TrackedIndicator:
            save_tracked_indicator_formset(request, formset)
        else:  # pragma: no cover - every inline above is handled
            super().save_formset(request, form, formset, change)


@admin.register(PartnerAssignment)
class PartnerAssignmentAdmin(SituationScopedAdmin, ServiceAdmin, ReadOnlyHistoryAdmin):
    situation_path = "situation__"
    list_display = ("situation", "government", "role", "liaison_names", "created_at")
    list_filter = ("role", "government")
    search_fields = ("situation__title", "government__name", "government__code", "liaisons__username")
    list_select_related = ("situation", "government")
    autocomplete_fields = ("situation", "government", "liaisons")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("liaisons")

    @admin.display(description=_("Liaisons"))
    def liaison_names(self, obj):
        return ", ".join(str(u) for u in obj.liaisons.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "situation", "government") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        liaisons = form.cleaned_data.get("liaisons") or ()
        if change:
            services.assignment_update(actor=request.user, assignment=obj, role=obj.role, liaisons=liaisons)
            return
        saved = services.assignment_create(actor=request.user, situation=obj.situation, government=obj.government,
                                           role=obj.role, liaisons=liaisons)
        obj.pk, obj.created_at = saved.pk, saved.created_at
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The service wrote the liaisons in save_model; form.save_m2m() would write them
        # again behind its back.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.assignment_delete(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        # All or none: a refusal half-way must not leave some governments un-assigned.
        with transaction.atomic():
            for assignment in queryset.select_related("government"):
                services.assignment_delete(actor=request.user, assignment=assignment)


@admin.register(TrackedIndicator)
class TrackedIndicatorAdmin(SituationScopedAdmin, ServiceAdmin):
    situation_path = "situation__"
    form = TrackedIndicatorForm
    list_display = ("situation", "indicator", "warning_threshold", "critical_threshold")
    list_filter = ("indicator__risk_factor",)
    search_fields = ("situation__title", "indicator__code", "indicator__name")
    list_select_related = ("situation", "indicator")
    autocomplete_fields = ("situation", "indicator")

    def get_readonly_fields(self, request, obj=None):
        return ("situation",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        saved = indicator_track(actor=request.user, situation=obj.situation, indicator=obj.indicator,
                                warning_threshold=obj.warning_threshold,
                                critical_threshold=obj.critical_threshold)
        obj.pk = saved.pk
        obj._state.adding = False
