"""Publishing wake-up calls for the escalation engine, after commit.

PostgreSQL is the ledger: if the broker is away, the publish error is logged and the
write still stands; the periodic sweep catches up (DESIGN.md, "How data flows").
"""
import logging

log = logging.getLogger(__name__)


def enqueue_situation_evaluation(situation_id: int) -> None:
    """Called on commit by coordination.services for every change that may open,
    refresh or clear an alert. The escalation engine (alerts/tasks.py) consumes it."""
    try:
        from alerts.tasks import evaluate_situation
    except ImportError:
        # The escalation engine has not landed yet: nothing consumes evaluations.
        return
    try:
        evaluate_situation.delay(situation_id)
    except Exception:
        log.exception("could not publish evaluation of situation %s; the periodic sweep will catch up", situation_id)
