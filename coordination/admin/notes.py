"""Situation notes, read only: they are written by coordination.notes from the situation
page and the API, and append-only as what a partner said stays said."""
from django.contrib import admin

from coordination.admin.base import SituationScopedAdmin
from coordination.models import SituationNote
from core.admin import ViewOnlyMixin


@admin.register(SituationNote)
class SituationNoteAdmin(ViewOnlyMixin, SituationScopedAdmin):
    situation_path = "situation__"
    list_display = ("created_at", "situation", "author", "government", "indicator", "reconciles")
    list_filter = ("reconciles", "government")
    search_fields = ("situation__title", "body", "author__username")
    list_select_related = ("situation", "author", "government", "indicator")
    date_hierarchy = "created_at"
    fields = ("situation", "author", "government", "indicator", "reconciles", "body", "created_at")
    readonly_fields = fields
