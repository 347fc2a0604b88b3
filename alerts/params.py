"""Rule parameters, validated per trigger: a bad rule is refused with an error naming
the parameter at fault (field "params.<name>"), never stored to fail at evaluation."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from alerts.choices import Trigger
from coordination.choices import RiskLevel
from coordination.models import Indicator
from core.errors import DomainError


@dataclass(frozen=True)
class Param:
    kind: str  # "int", "number", "level", "codes", "choice"
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    positive: bool = False


THRESHOLD_LEVELS = ("warning", "critical")

SCHEMAS: dict[str, dict[str, Param]] = {
    Trigger.THRESHOLD_CROSSED: {
        "min_level": Param("choice", default="warning", choices=THRESHOLD_LEVELS),
        "indicators": Param("codes", default=[]),
    },
    Trigger.RISE_WITHIN_WINDOW: {
        "amount": Param("number", required=True, positive=True),
        "window_days": Param("int", required=True, minimum=1, maximum=365),
        "indicators": Param("codes", default=[]),
    },
    Trigger.DEADLINE_SOON: {"days": Param("int", default=7, minimum=1, maximum=365)},
    Trigger.DEADLINE_MISSED: {
        "grace_days": Param("int", default=0, minimum=0, maximum=365),
        # Every this many days the owner government's liaisons and the assignee are
        # reminded, until the action is updated; 0: never.
        "nag_days": Param("int", default=0, minimum=0, maximum=90),
    },
    Trigger.ACTION_STALLED: {"days": Param("int", default=14, minimum=1, maximum=365)},
    Trigger.RISK_RAISED: {"min_level": Param("choice", default=RiskLevel.HIGH, choices=tuple(RiskLevel.values))},
    Trigger.RISK_WINDOW: {},
    # Ordinal assessments `levels` or more apart diverge; numeric ones further apart than
    # `share` of the larger magnitude; yes/no ones whenever they differ.
    Trigger.DIVERGENT_ASSESSMENT: {
        "levels": Param("int", default=2, minimum=1, maximum=3),
        "share": Param("number", default=0.5, positive=True, maximum=2),
        "indicators": Param("codes", default=[]),
    },
    Trigger.CHECKIN_MISSED: {
        # How long after a check-in fell due before it counts as missed.
        "grace_hours": Param("int", default=0, minimum=0, maximum=720),
        # Every this many hours the government's liaisons are reminded, until they
        # check in; 0: never.
        "nag_hours": Param("int", default=24, minimum=0, maximum=720),
    },
}


def _fail(name: str, message: str) -> DomainError:
    return DomainError(message, field=f"params.{name}")


def _clean_value(name: str, spec: Param, value: Any) -> Any:
    if spec.kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(name, _("%(name)s must be a number.") % {"name": name})
        if spec.kind == "int" and not float(value).is_integer():
            raise _fail(name, _("%(name)s must be a whole number.") % {"name": name})
        if not math.isfinite(value):
            raise _fail(name, _("%(name)s must be a finite number.") % {"name": name})
        if spec.positive and value <= 0:
            raise _fail(name, _("%(name)s must be more than 0.") % {"name": name})
        if spec.minimum is not None and value < spec.minimum:
            raise _fail(name, _("%(name)s must be at least %(min)s.") % {"name": name, "min": spec.minimum})
        if spec.maximum is not None and value > spec.maximum:
            raise _fail(name, _("%(name)s must be at most %(max)s.") % {"name": name, "max": spec.maximum})
        return int(value) if spec.kind == "int" else float(value)
    if spec.kind == "choice":
        if value not in spec.choices:
            raise _fail(name, _("%(name)s must be one of: %(choices)s.") % {"name": name,
                                                                           "choices": ", ".join(spec.choices)})
        return value
    if spec.kind == "codes":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise _fail(name, _("%(name)s must be a list of indicator codes.") % {"name": name})
        known = set(Indicator.objects.filter(code__in=value).values_list("code", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise _fail(name, _("Unknown indicator code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        return sorted(set(value))
    raise AssertionError(spec.kind)


def clean_params(trigger: str, params: Any) -> dict:
    """Return the parameters with defaults filled in, or raise DomainError."""
    if trigger not in SCHEMAS:
        raise DomainError(_("Unknown trigger %(trigger)s.") % {"trigger": trigger}, field="trigger")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise DomainError(_("Parameters must be an object."), field="params")
    schema = SCHEMAS[trigger]
    unknown = sorted(set(params) - set(schema))
    if unknown:
        raise _fail(unknown[0], _("%(name)s is not a parameter of %(trigger)s (allowed: %(allowed)s).")
                    % {"name": unknown[0], "trigger": trigger, "allowed": ", ".join(schema) or "-"})
    cleaned = {}
    for name, spec in schema.items():
        if name not in params or params[name] is None:
            if spec.required:
                raise _fail(name, _("%(name)s is required for %(trigger)s.") % {"name": name, "trigger": trigger})
            cleaned[name] = spec.default
            continue
        cleaned[name] = _clean_value(name, spec, params[name])
    return cleaned
