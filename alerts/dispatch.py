"""Publishing wake-up calls for the escalation engine, after commit.

PostgreSQL is the ledger: if the broker is away, the publish error is logged and the
write still stands; the periodic sweep catches up (DESIGN.md, "How data flows").
"""
import logging

from django.utils import timezone

log = logging.getLogger(__name__)


def enqueue_situation_evaluation(situation_id: int) -> None:
    """Called on commit by coordination.services for every change that may open,
    refresh or clear an alert. The escalation engine (alerts/tasks.py) consumes it.

    The request is first written to the database (EvaluationRequest), then published:
    a call the broker refuses or loses is found again by sweep_unevaluated."""
    try:
        from alerts.models import EvaluationRequest

        EvaluationRequest.objects.update_or_create(situation_id=situation_id,
                                                   defaults={"requested_at": timezone.now()})
    except Exception:
        log.exception("could not record the evaluation request of situation %s", situation_id)
    try:
        from alerts.tasks import evaluate_situation

        evaluate_situation.delay(situation_id)
    except Exception:
        log.exception("could not publish evaluation of situation %s; the periodic sweep will catch up", situation_id)


def enqueue_situation_evaluations(situation_ids) -> None:
    """The same for many situations at once (the deadline scan wakes hundreds): one
    statement records every request, then the wake-ups go out over one broker
    connection. A failure is logged; sweep_unevaluated publishes the rest later."""
    ids = list(situation_ids)
    if not ids:
        return
    try:
        from alerts.models import EvaluationRequest

        now = timezone.now()
        EvaluationRequest.objects.bulk_create([EvaluationRequest(situation_id=pk, requested_at=now) for pk in ids],
                                              update_conflicts=True, unique_fields=["situation"],
                                              update_fields=["requested_at"])
    except Exception:
        log.exception("could not record the evaluation requests of %d situations", len(ids))
    try:
        from alerts.tasks import evaluate_situation

        with evaluate_situation.app.producer_or_acquire() as producer:
            for pk in ids:
                evaluate_situation.apply_async(args=[pk], producer=producer)
    except Exception:
        log.exception("could not publish evaluations of %d situations; the periodic sweep will catch up", len(ids))


def enqueue_delivery(notification_id: int, countdown: float | None = None) -> bool:
    """Wake a delivery worker for one outbox row. A failure only delays it: the row stays
    pending and sweep_pending_notifications publishes it again."""
    try:
        from alerts.tasks import deliver_notification

        deliver_notification.apply_async(args=[notification_id], countdown=countdown)
        return True
    except Exception:
        log.exception("could not publish delivery of notification %s; the periodic sweep will retry", notification_id)
        return False
