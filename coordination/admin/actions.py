"""Actions and their progress log. An action's status moves only through
services.action_transition, from a small page of its own (target status and note)."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coordination import services
from coordination.admin.base import (
    ReadOnlyHistoryAdmin,
    ServiceAdmin,
    SituationScopedAdmin,
    VersionedForm,
    changed_values,
    copy_saved_state,
)
from coordination.choices import ActionStatus
from coordination.models import Action, ActionUpdate, Commitment
from core.admin import ViewOnlyMixin
from core.errors import DomainError


class ActionTransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                           help_text=_("Why the status changes; shown in the action's progress log."))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: Action, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = action.version
        # The menu offers only the workflow's next steps, but any status is accepted
        # here so that a stale page reaches the service and gets its precise refusal.
        labels = dict(ActionStatus.choices)
        self.fields["to_status"].widget.choices = [
            (status, labels[status]) for status in services.transitions_for(user, action)
        ]


class ActionUpdateInline(ViewOnlyMixin, admin.TabularInline):
    model = ActionUpdate
    fields = ("created_at", "author", "old_status", "new_status", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class CommitmentInline(ViewOnlyMixin, admin.TabularInline):
    """A joint action's partners, read only: their steps go through coordination/commitments.py
    (the action page and the API), where who may answer for a government is decided."""

    model = Commitment
    fields = ("government", "status", "decline_reason", "due_date", "liaison", "progress_note", "delivered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("government", "liaison")


@admin.register(Action)
class ActionAdmin(SituationScopedAdmin, ServiceAdmin, ReadOnlyHistoryAdmin):
    situation_path = "situation__"
    form = VersionedForm
    list_display = ("title", "situation", "owner_government", "status", "priority", "due_date", "assignee",
                    "last_activity_at")
    list_filter = ("status", "priority", "kind", "owner_government")
    search_fields = ("title", "situation__title", "owner_government__name", "owner_government__code")
    list_select_related = ("situation", "owner_government", "assignee")
    autocomplete_fields = ("situation", "owner_government", "assignee")
    inlines = (CommitmentInline, ActionUpdateInline)
    history_list_display = ("status", "version")

    def get_fieldsets(self, request, obj=None):
        planning = ("title", "kind", "description", "due_date", "priority", "assignee")
        if obj is None:
            return ((None, {"fields": ("situation", "owner_government", *planning)}),)
        return (
            (None, {"fields": ("situation", "owner_government", *planning)}),
            (_("Progress"), {"fields": ("status_with_change_link", "progress_note", "last_activity_at",
                                        "agreed_at", "completed_at")}),
            (_("Record"), {"fields": ("version", "created_by", "created_at", "updated_at", "expected_version")}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The status is shown, never edited here: it changes through the transition page.
        return ("situation", "owner_government", "status_with_change_link", "last_activity_at", "agreed_at",
                "completed_at", "version", "created_by", "created_at", "updated_at")

    def has_delete_permission(self, request, obj=None):
        # An action nobody will take is cancelled through the workflow; deleting it
        # would also erase its progress log, the record of who agreed to what and when.
        return False

    @admin.display(description=_("Status"))
    def status_with_change_link(self, obj):
        if not services.allowed_transitions(obj.status):
            return obj.get_status_display()
        url = reverse("admin:coordination_action_transition", args=[obj.pk])
        return format_html('{} &nbsp; <a class="button" href="{}">{}</a>', obj.get_status_display(), url,
                           _("Change status…"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.action_propose(
                actor=request.user, situation=data["situation"], title=data["title"], kind=data["kind"],
                owner_government=data["owner_government"], due_date=data["due_date"], assignee=data.get("assignee"),
                priority=data.get("priority") or None, description=data.get("description", ""),
            )
        else:
            changes = changed_values(form, services.ACTION_EDITABLE_FIELDS)
            progress_note = data["progress_note"] if "progress_note" in form.changed_data else None
            if not changes and progress_note is None:
                return
            saved = services.action_update(actor=request.user, action=obj, expected_version=data.get("expected_version"),
                                           progress_note=progress_note, **changes)
        copy_saved_state(obj, saved)

    def get_urls(self):
        return [
            path("<path:object_id>/transition/", self.admin_site.admin_view(self.transition_view),
                 name="coordination_action_transition"),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id):
        action = self.get_object(request, unquote(object_id))
        if action is None:
            raise Http404
        if not self.has_change_permission(request, action):
            raise PermissionDenied
        form = ActionTransitionForm(request.POST or None, action=action, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                action = services.action_transition(
                    actor=request.user, action=action, to_status=form.cleaned_data["to_status"],
                    note=form.cleaned_data["note"], expected_version=form.cleaned_data["expected_version"],
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                action.refresh_from_db()
                form = ActionTransitionForm(action=action, user=request.user)  # fresh menu and version for the next try
            else:
                self.message_user(request, _("“%(action)s” is now %(status)s.")
                                  % {"action": action, "status": action.get_status_display()}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:coordination_action_change", args=[action.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": action,
            "title": _("Change the status of “%(action)s”") % {"action": action},
            "form": form,
            "updates": action.updates.select_related("author").order_by("-created_at", "-id")[:5],
        }
        return TemplateResponse(request, "admin/coordination/action/transition.html", context)


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ViewOnlyMixin, SituationScopedAdmin, admin.ModelAdmin):
    """The progress log is a record: written only by the services, never edited."""

    situation_path = "action__situation__"
    list_display = ("created_at", "action", "author", "old_status", "new_status", "note")
    list_filter = ("new_status", "old_status")
    search_fields = ("action__title", "note", "author__username")
    list_select_related = ("action", "author")
    date_hierarchy = "created_at"
