"""Admin pieces every app's admin uses."""


class ViewOnlyMixin:
    """For records written only by services (progress logs, the audit log): staff may
    read them in the admin, nobody may add, edit or delete them there. Fits ModelAdmin
    and inlines alike (inlines pass obj to has_add_permission)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
