"""Check-ins in the admin: read only. They are a government's own word, given by its
liaison on the situation page or through the API (coordination/checkins.py); staff
read them here, nobody writes or rewrites them."""
from django.contrib import admin

from coordination.admin.base import SituationScopedAdmin
from coordination.models import CheckIn
from core.admin import ViewOnlyMixin


@admin.register(CheckIn)
class CheckInAdmin(ViewOnlyMixin, SituationScopedAdmin):
    situation_path = "situation__"
    list_display = ("checked_in_at", "situation", "government", "answer", "checked_in_by")
    list_filter = ("answer", "government")
    search_fields = ("situation__title", "government__code", "government__name", "note")
    list_select_related = ("situation", "government", "checked_in_by")
    date_hierarchy = "checked_in_at"
    fields = ("situation", "government", "checked_in_by", "checked_in_at", "answer", "note")
    readonly_fields = fields
