"""The roles a Concert user holds, and the one spelling of "a staff role".

Staff (desk officers, managers, admins) see every situation and coordinate; a partner
liaison sees what their government is assigned to (coordination/sharing.py). Managers
(and admins) also work the escalation queue and configure alerting.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK_OFFICER = "desk_officer", _("Desk officer")
    LIAISON = "liaison", _("Partner liaison")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


STAFF_ROLES = frozenset({Role.DESK_OFFICER, Role.MANAGER, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def has_staff_role(user) -> bool:
    """True for a desk officer, manager or admin. Takes any object with a `role` (or
    None, or an anonymous user, which have none)."""
    return getattr(user, "role", None) in STAFF_ROLES


def has_manager_role(user) -> bool:
    return getattr(user, "role", None) in MANAGER_ROLES
