import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditEvent
from accounts.models import Role, User
from core.admin import ViewOnlyMixin

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


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The audit log, read-only, for admins only: nobody adds, changes or deletes a
    record here (the model and, on PostgreSQL, a trigger refuse it anyway)."""

    list_display = ("created_at", "kind", "username", "object_type", "object_id", "ip_address", "path")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter), ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("username", "object_id", "path", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    readonly_fields = ("created_at", "kind", "actor", "username", "object_type", "object_id", "ip_address", "path",
                       "detail")
    actions = None

    @staticmethod
    def _is_admin(request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or getattr(user, "role", None) == Role.ADMIN)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_module_permission(self, request):
        return self._is_admin(request)
