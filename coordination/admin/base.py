"""What every Concert ModelAdmin shares: service refusals shown as admin messages, the
visibility rule applied to admin lists, and history that can be read but not reverted."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from coordination.sharing import visible_situation_q
from core.errors import DomainError


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes call coordination's services.

    A service refuses with a DomainError after the form has validated. Django runs the
    whole add/change/delete view in one transaction, so letting the error leave that
    view rolls back every row the view wrote (inline rows included); the user is sent
    back to the page they came from with the service's own wording as an error message.
    """

    def _refused(self, request, error: DomainError):
        self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def changelist_view(self, request, extra_context=None):
        # Bulk actions (e.g. "delete selected") call services too; Django does not wrap
        # the changelist in a transaction, so each bulk action opens its own.
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)


class SituationScopedAdmin(admin.ModelAdmin):
    """Admin lists obey the visibility rule like every other route (docs/DESIGN.md): staff
    roles see everything, so this costs nothing for them, while a liaison who was given
    is_staff by mistake still cannot read a situation outside their government's scope."""

    situation_path = ""  # "" for Situation itself, e.g. "situation__" for its children

    def get_queryset(self, request):
        return super().get_queryset(request).filter(visible_situation_q(request.user, prefix=self.situation_path))


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History shows who changed what; reverting would write the row directly and skip
    the services (an action's status, a situation's version), so it is switched off.
    simple_history saves a POSTed history form even when its revert button is hidden,
    hence the explicit refusal of POST."""

    def revert_disabled(self, request, obj=None):
        return True

    def _require_in_scope(self, request, object_id) -> None:
        # simple_history falls back to the historical rows when the object is not in
        # get_queryset(), which would show an out-of-scope situation's past to a
        # liaison. Staff roles keep that fallback: it is how they read a deleted row's past.
        if getattr(request.user, "sees_all_situations", False):
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class VersionedForm(forms.ModelForm):
    """Carries the version the editor loaded, so that a save over somebody else's newer
    edit is refused by the service (VersionConflict) instead of silently overwriting it."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


def changed_values(form, allowed) -> dict:
    """The edited fields that a service accepts, with their cleaned values."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


def copy_saved_state(target, saved, fields=("pk", "version", "created_at", "updated_at")) -> None:
    """The admin keeps using the object it built from the form (for the redirect, the
    log entry and the inline formsets), so the row written by the service is copied
    back onto it."""
    for name in fields:
        if hasattr(saved, name):
            setattr(target, name, getattr(saved, name))
    target._state.adding = False
