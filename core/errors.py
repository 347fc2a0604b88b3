"""Domain errors raised by services; the API and pages turn them into 400/409/412."""
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request that breaks a business rule. `field` names the input at fault, if one is."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"

    def __init__(self, *, current: str, target: str, allowed: tuple[str, ...]):
        allowed_text = ", ".join(allowed) or _("none (the action is closed)")
        super().__init__(
            _("An action cannot go from %(current)s to %(target)s. Allowed from %(current)s: %(allowed)s.")
            % {"current": current, "target": target, "allowed": allowed_text},
            field="status",
        )
        self.current, self.target, self.allowed = current, target, allowed


class VersionConflict(DomainError):
    """The client edited an older version than the one stored: someone else changed it."""

    code = "version_conflict"

    def __init__(self, *, expected: int, current: int):
        super().__init__(
            _("This record was changed by someone else (you had version %(expected)s, it is now %(current)s).")
            % {"expected": expected, "current": current}
        )
        self.expected, self.current = expected, current


class NotPermitted(DomainError):
    """The actor may see the object but not make this change."""

    code = "not_permitted"
