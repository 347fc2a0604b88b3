"""What every part of the lifecycle shares: the evaluation's record of what it changed,
and the timeline entry each change writes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from alerts.models import Alert, AlertEvent, AlertGroup


@dataclass
class Changes:
    """What one evaluation did to a situation's group, announced once at its end, so
    that three conditions found by one reading make one notification, not three."""

    now: dt.datetime
    opened: set[int] = field(default_factory=set)
    grown: set[int] = field(default_factory=set)  # joined by a condition, or more severe
    groups: dict[int, AlertGroup] = field(default_factory=dict)
    # Conditions opened or joined whose finding is addressed to the situation's lead.
    addressed: list[Alert] = field(default_factory=list)

    def remember(self, group: AlertGroup) -> AlertGroup:
        self.groups[group.pk] = group
        return group


def _event(group: AlertGroup, kind: str, now: dt.datetime, *, alert: Alert | None = None, actor=None,
           note: str = "", step: int | None = None, data: dict | None = None) -> AlertEvent:
    return AlertEvent.objects.create(group=group, alert=alert, kind=kind, actor=actor, note=note, data=data or {},
                                     created_at=now, step=group.current_step if step is None else step)
