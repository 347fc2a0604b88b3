"""Celery tasks: thin shells that take ids and call services. Each is idempotent, so
a redelivered or duplicated message does no harm (acks are late, see config/settings.py)."""
from celery import shared_task

from alerts import periodic
from alerts.delivery import deliver_notification as deliver
from alerts.escalation import escalate_due_alerts as escalate
from alerts.evaluation import evaluate_situation as evaluate


@shared_task(name="alerts.evaluate_situation")
def evaluate_situation(situation_id: int) -> None:
    evaluate(situation_id=situation_id)


@shared_task(name="alerts.deliver_notification")
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id=notification_id)


@shared_task(name="alerts.scan_deadlines")
def scan_deadlines() -> int:
    return periodic.scan_deadlines()


@shared_task(name="alerts.escalate_due_alerts")
def escalate_due_alerts() -> int:
    return escalate()


@shared_task(name="alerts.sweep_pending_notifications")
def sweep_pending_notifications() -> int:
    return periodic.sweep_pending_notifications()


@shared_task(name="alerts.sweep_unevaluated")
def sweep_unevaluated() -> int:
    return periodic.sweep_unevaluated()


@shared_task(name="alerts.daily_digest")
def daily_digest() -> int:
    return periodic.send_daily_digests()


@shared_task(name="alerts.expire_signoffs")
def expire_signoffs() -> int:
    return periodic.expire_signoffs()
