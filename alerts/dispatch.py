"""The one publisher: every wake-up call of the escalation engine goes to the broker from
here, by task name, so this module imports no task module (and nothing that imports
one): the engine's modules can all publish without an import cycle.

PostgreSQL is the ledger: each call stands for a row already committed (a situation
change in coordination's outbox, a pending notification). If the broker is away, the
error is logged and the row stays; the periodic sweeps publish it again
(docs/DESIGN.md, "How data flows").
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import current_app

log = logging.getLogger(__name__)

EVALUATE_SITUATION = "alerts.evaluate_situation"
DELIVER_NOTIFICATION = "alerts.deliver_notification"


def publish_evaluations(situation_ids: Iterable[int]) -> bool:
    """Wake the evaluation of each situation, over one broker connection however many
    there are (the deadline scan wakes hundreds). False if the broker refused."""
    ids = list(situation_ids)
    if not ids:
        return True
    try:
        with current_app.producer_or_acquire() as producer:
            for pk in ids:
                current_app.send_task(EVALUATE_SITUATION, args=[pk], producer=producer)
        return True
    except Exception:
        log.exception("could not publish evaluations of %d situation(s); the periodic sweep will catch up", len(ids))
        return False


def on_situations_changed(sender, situation_ids, **kwargs) -> None:
    """coordination.outbox.situation_changed, after commit: evaluate what changed."""
    publish_evaluations(situation_ids)


def publish_delivery(notification_id: int, countdown: float | None = None) -> bool:
    """Wake a delivery worker for one outbox row. A failure only delays it: the row stays
    pending and sweep_pending_notifications publishes it again."""
    try:
        current_app.send_task(DELIVER_NOTIFICATION, args=[notification_id], countdown=countdown)
        return True
    except Exception:
        log.exception("could not publish delivery of notification %s; the periodic sweep will retry", notification_id)
        return False
