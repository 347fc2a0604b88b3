"""Sign-off requests, read only: they are decided on their page or through the API
(coordination/signoffs.py), where the second person's role is checked."""
from django.contrib import admin

from coordination.admin.base import SituationScopedAdmin
from coordination.models import SignoffRequest
from core.admin import ViewOnlyMixin


@admin.register(SignoffRequest)
class SignoffRequestAdmin(ViewOnlyMixin, SituationScopedAdmin):
    situation_path = "situation__"
    list_display = ("id", "kind", "situation", "status", "requested_by", "requested_at", "expires_at", "decided_by",
                    "decided_at")
    list_filter = ("kind", "status")
    search_fields = ("situation__title", "requested_by__username", "decided_by__username")
    list_select_related = ("situation", "requested_by", "decided_by")
