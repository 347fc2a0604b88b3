"""deliver_notification: claim, check, send, record — so a re-run never sends twice.

1. Claim the row with SELECT … FOR UPDATE SKIP LOCKED: a second worker woken for the
   same row skips it instead of waiting and sending again.
2. Skip it unless it is still pending and due.
3. Check the recipient may still see the situation (an assignment may be gone).
4. Send; mark sent, or schedule the retry (backoff with jitter), or give up (dead).
The row stays locked while sending, so the claim and the outcome are one transaction:
a worker that dies mid-send leaves the row pending for the sweep (at least once, and
the Idempotency-Key lets a receiver drop the duplicate).
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import dispatch
from alerts.choices import Channel, EventKind, NotificationStatus
from alerts.delivery.backoff import retry_delay
from alerts.delivery.email import send_email
from alerts.delivery.errors import DeliveryError, PermanentFailure
from alerts.delivery.webhook import send_webhook
from alerts.models import AlertEvent, Notification
from alerts.recipients import endpoint_may_receive
from coordination.sharing import can_see_situation

log = logging.getLogger(__name__)

SENDERS = {Channel.EMAIL: send_email, Channel.WEBHOOK: send_webhook}


def _still_allowed(notification: Notification) -> bool:
    if notification.endpoint_id is not None:
        return notification.endpoint.active and endpoint_may_receive(notification.endpoint, notification.group.situation)
    return can_see_situation(notification.recipient, notification.group.situation_id)


def deliver_notification(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """Returns the row's status afterwards ("skipped" if it was not ours to send)."""
    retry_in = None
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("group__situation", "group__policy_rule", "event", "recipient", "endpoint")
                        .filter(pk=notification_id).first())
        now = now or timezone.now()
        if notification is None or notification.status != NotificationStatus.PENDING:
            return "skipped"
        if notification.next_attempt_at and notification.next_attempt_at > now:
            return "skipped"  # an early or duplicate wake-up; its time has not come
        notification.attempts += 1
        try:
            if not _still_allowed(notification):
                raise PermanentFailure(_("The recipient may no longer see this situation."))
            SENDERS[notification.channel](notification)
        except PermanentFailure as exc:
            _give_up(notification, NotificationStatus.FAILED, str(exc), now)
        except Exception as exc:  # DeliveryError, or anything unforeseen: retried, never lost
            retry_in = _schedule_retry(notification, exc, now)
        else:
            notification.status, notification.sent_at, notification.next_attempt_at = (
                NotificationStatus.SENT, now, None)
            notification.last_error = ""
            notification.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "attempts"])
        status = notification.status
    if retry_in is not None and retry_in < settings.ALERTS_SHORT_RETRY_SECONDS:
        # A short wait may ride the broker as a countdown (well under the visibility
        # timeout); a longer one waits for the sweep over next_attempt_at.
        dispatch.publish_delivery(notification_id, countdown=retry_in)
    return status


def _schedule_retry(notification: Notification, exc: Exception, now) -> float | None:
    message = str(exc)[:1000] or exc.__class__.__name__
    if notification.attempts >= settings.ALERTS_DELIVERY_MAX_ATTEMPTS:
        _give_up(notification, NotificationStatus.DEAD, message, now)
        return None
    delay = retry_delay(notification.attempts)
    # Counted from when the answer came, not from when the attempt began: a Retry-After
    # of seconds (or a date, turned into seconds on arrival) means "from now".
    answered = max(now, timezone.now())
    if isinstance(exc, DeliveryError) and exc.retry_after is not None:
        # The receiver said when to come back (429 Retry-After): never sooner.
        delay = max(delay, dt.timedelta(seconds=exc.retry_after))
    notification.next_attempt_at, notification.last_error = answered + delay, message
    notification.save(update_fields=["attempts", "next_attempt_at", "last_error"])
    log.info("notification %s attempt %s failed (%s); retry in %s", notification.pk, notification.attempts,
             message, delay)
    return delay.total_seconds()


def _give_up(notification: Notification, status: str, message: str, now) -> None:
    notification.status, notification.next_attempt_at, notification.last_error = status, None, message[:1000]
    notification.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    who = notification.endpoint.name if notification.endpoint_id else str(notification.recipient)
    AlertEvent.objects.create(
        group=notification.group, step=notification.step, created_at=now,
        kind=EventKind.DELIVERY_DEAD if status == NotificationStatus.DEAD else EventKind.DELIVERY_FAILED,
        note=_("%(channel)s to %(who)s after %(n)d attempt(s): %(error)s")
        % {"channel": notification.get_channel_display(), "who": who, "n": notification.attempts, "error": message[:300]},
        data={"notification_id": notification.pk},
    )
