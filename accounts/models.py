import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import STAFF_ROLES, Role, has_manager_role, has_staff_role

__all__ = ["STAFF_ROLES", "AuditEvent", "CalendarFeed", "Role", "User", "validate_time_zone"]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value})


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DESK_OFFICER)
    government = models.ForeignKey(
        "coordination.Government",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Required for partner liaisons: the government they speak for."),
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    class Meta:
        constraints = [
            # A liaison without a government would see nothing or, worse, be matched by
            # a NULL-tolerant query someday; refuse the row itself.
            models.CheckConstraint(
                condition=~Q(role=Role.LIAISON) | Q(government__isnull=False),
                name="liaison_has_government",
                violation_error_message=_("A partner liaison must belong to a government."),
            ),
        ]

    @property
    def is_liaison(self) -> bool:
        return self.role == Role.LIAISON

    @property
    def sees_all_situations(self) -> bool:
        return has_staff_role(self)

    @property
    def is_manager(self) -> bool:
        return has_manager_role(self)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


# The audit log's model and hooks live in their own module (accounts/audit.py); importing
# it here registers the model with the app and connects the hooks once the app loads.
from accounts.audit import AuditEvent  # noqa: E402,F401
from accounts.calendar_feeds import CalendarFeed  # noqa: E402,F401
