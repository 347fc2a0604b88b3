from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from alerts.delivery.errors import PermanentFailure


def alert_link(alert) -> str:
    return settings.ALERTS_LINK_TEMPLATE.format(site=settings.SITE_URL.rstrip("/"), id=alert.pk)


def send_email(notification) -> None:
    user, alert = notification.recipient, notification.alert
    if not user.email:
        raise PermanentFailure(_("The recipient has no e-mail address."))
    context = {"alert": alert, "situation": alert.situation, "notification": notification, "link": alert_link(alert),
               "user": user}
    subject = "[Concert] [%s] %s" % (alert.get_severity_display(), alert.title)
    message = EmailMultiAlternatives(
        subject=subject[:200], body=render_to_string("alerts/email/alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email],
        headers={"X-Concert-Alert": str(alert.pk), "X-Concert-Idempotency-Key": notification.idempotency_key},
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", context), "text/html")
    message.send(fail_silently=False)
