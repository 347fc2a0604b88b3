import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User

# Typing a zone name by hand invites "CET" or "Paris"; a list of the IANA names does not.
TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]

CONCERT_FIELDS = ("role", "government", "time_zone")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin (password hashing, the change-password form, permissions)
    with Concert's role, government and time zone. A liaison without a government is
    refused by the database constraint, which the form reports before saving."""

    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (_("Concert"), {"fields": CONCERT_FIELDS}),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Concert"), {"classes": ("wide",), "fields": ("email", "first_name", "last_name", *CONCERT_FIELDS)}),
    )
    list_display = ("username", "first_name", "last_name", "email", "role", "government", "is_staff", "is_active",
                    "last_login")
    list_filter = ("role", "government", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "government__name", "government__code")
    list_select_related = ("government",)
    autocomplete_fields = ("government",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="UTC", label=_("Time zone"),
                                     help_text=_("Times are shown to this user in this zone."))
        return super().formfield_for_dbfield(db_field, request, **kwargs)
