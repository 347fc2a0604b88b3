"""What the escalation engine shows on coordination's pages and resources, without
coordination importing it (docs/DESIGN.md, "Layers").

coordination sits below alerts. Its situation pages and resources still show each
situation's open alerts and its warning–response gap: they ask the `AlertReads` that
the alerts app registers when it loads (alerts/apps.py). Every read is already scoped
to the user by the one sharing rule, on alerts' side.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Gap:
    """The warning–response gap of one situation: from its first warning to the first
    action agreed after it, or, while none is, how long it has been open."""

    first_warning_at: dt.datetime | None
    first_response_at: dt.datetime | None
    open: bool
    seconds: float | None

    def as_dict(self) -> dict:
        return {"first_warning_at": self.first_warning_at, "first_response_at": self.first_response_at,
                "open": self.open, "seconds": self.seconds}


NO_WARNING = Gap(None, None, False, None)


class AlertReads(Protocol):
    def warning_response_gaps(self, situation_ids: Iterable[int], *, now: dt.datetime | None = None
                              ) -> dict[int, Gap]: ...

    def gap_for_situation(self, user, situation_id: int) -> dict | None: ...

    def gaps(self, user) -> list[dict]: ...

    def open_alerts_for_situation(self, user, situation_id: int) -> list: ...

    def alerts_on_my_situations(self, user) -> list: ...

    def queue_counts(self, user) -> list[dict]: ...


_alert_reads: AlertReads | None = None


def register_alert_reads(reads: AlertReads) -> None:
    global _alert_reads
    _alert_reads = reads


def alert_reads() -> AlertReads:
    if _alert_reads is None:
        raise ImproperlyConfigured("No AlertReads registered: the alerts app registers them in AlertsConfig.ready().")
    return _alert_reads
