from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from alerts.choices import AlertStatus, EventKind
from alerts.delivery.errors import PermanentFailure
from alerts.models.alert import SEVERITY_ORDER

# What the message says it is about, by the event that caused it.
HEADLINES = {
    EventKind.OPENED: _("New escalation"),
    # Only people a joining condition is addressed to are told on its own event.
    EventKind.JOINED: _("New condition for you"),
    EventKind.ESCALATED: _("Escalated"),
    EventKind.UPDATED: _("Update"),
    EventKind.FLAPPING: _("Flapping"),
    EventKind.ACK_REMINDED: _("Reminder"),
    EventKind.NAGGED: _("Overdue action"),
    EventKind.REASSIGNED: _("Now yours"),
}


def alert_link(group) -> str:
    return settings.ALERTS_LINK_TEMPLATE.format(site=settings.SITE_URL.rstrip("/"), id=group.pk)


def message_context(notification) -> dict:
    """What every message about a group shows: the group, every condition it holds as it
    stands when the message goes out (once resolved, those it held), why this recipient
    gets it."""
    group, event = notification.group, notification.event
    conditions = group.conditions.select_related("rule").annotate(rank=SEVERITY_ORDER)
    if group.status != AlertStatus.RESOLVED:
        conditions = conditions.filter(status=AlertStatus.OPEN)
    conditions = list(conditions.order_by("-rank", "first_seen", "id"))
    kind = event.kind if event else EventKind.OPENED
    headline = HEADLINES.get(kind, _("Escalation"))
    if kind == EventKind.NAGGED and (event.data or {}).get("government_id"):
        headline = _("Check-in overdue")  # a nag names what it is about: an action or a check-in
    return {"group": group, "situation": group.situation, "conditions": conditions, "event": event,
            "headline": headline, "notification": notification,
            "link": alert_link(group), "step": (notification.step or 0) + 1, "tlp": group.situation.tlp}


def send_email(notification) -> None:
    user = notification.recipient
    if not user.email:
        raise PermanentFailure(_("The recipient has no e-mail address."))
    context = {**message_context(notification), "user": user}
    group = context["group"]
    # TLP 2.0: the label stands in the subject, before the information, as in the body.
    subject = "[%s] [Concert] [%s] %s: %s (%s)" % (context["tlp"], group.get_severity_display(),
                                                  context["headline"], group.situation.title,
                                                  _("%(n)d condition(s)") % {"n": len(context["conditions"])})
    message = EmailMultiAlternatives(
        subject=subject[:200], body=render_to_string("alerts/email/alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
        headers={"X-Concert-Escalation": str(group.pk), "X-Concert-Idempotency-Key": notification.idempotency_key,
                 "X-Concert-Marking": context["tlp"]},
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", context), "text/html")
    message.send(fail_silently=False)
