"""The audit log: who signed in (or failed to, or was locked out), who was refused,
who exported what, and who acted on an alert — append-only, read by admins only.

Written by small hooks, never by views themselves:
- Django's auth signals (`user_logged_in`, `user_login_failed`) and django-axes'
  `user_locked_out`, so the sign-in page and the API token login are both covered;
  the token view records its own success (it authenticates without `login()`);
- `AuditMiddleware`: every 403 answered to a signed-in user, page or API (a
  `NotPermitted` from a service, a role refused by a view, a failed CSRF check);
- the API's `CsvExportMixin`: the export, its filters and its row count;
- coordination/signoffs.py: every step of a two-person sign-off (requested, approved,
  rejected, expired, cancelled);
- a `post_save` on `alerts.AlertEvent`: acknowledge, snooze, resolve, reassign and
  escalate-now carry an actor (the scheduler's escalations do not, and are not audited
  here — the alert's own timeline has them).

Out-of-scope 404s are not recorded: they are answered exactly like absent ids, and a
log that told them apart would be a second place deciding visibility.

Append-only: `save()` refuses to update a stored row, `delete()` and the queryset's
`update()`/`delete()` refuse, the admin is read-only, and on PostgreSQL a trigger
refuses UPDATE and DELETE (migration 0003) whatever the client.
"""
from __future__ import annotations

import contextvars
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.signals import rows_exported

log = logging.getLogger(__name__)

# The request being answered, for hooks that fire deep inside a service (alert
# actions) and have no request of their own: the address and path come from here.
_current_request: contextvars.ContextVar = contextvars.ContextVar("concert_audit_request", default=None)


class AuditKind(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in refused")
    LOCKED_OUT = "locked_out", _("Locked out")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    EXPORT = "export", _("Export")
    ALERT_ACKNOWLEDGED = "alert_acknowledged", _("Alert acknowledged")
    ALERT_SNOOZED = "alert_snoozed", _("Alert snoozed")
    ALERT_RESOLVED = "alert_resolved", _("Alert resolved")
    ALERT_REASSIGNED = "alert_reassigned", _("Alert reassigned")
    ALERT_ESCALATED = "alert_escalated", _("Alert escalated by hand")
    SIGNOFF_REQUESTED = "signoff_requested", _("Sign-off requested")
    SIGNOFF_APPROVED = "signoff_approved", _("Sign-off approved")
    SIGNOFF_REJECTED = "signoff_rejected", _("Sign-off rejected")
    SIGNOFF_EXPIRED = "signoff_expired", _("Sign-off expired")
    SIGNOFF_CANCELLED = "signoff_cancelled", _("Sign-off cancelled")


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit record."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=AuditKind.choices, db_index=True)
    # No database constraint and no cascade: deleting a user must neither fail on nor
    # rewrite the record of what they did; `username` keeps the name as it was.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text=_("As given: failed sign-ins name no user."))
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "created_at"], name="audit_actor_time_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


def client_ip(request) -> str | None:
    """The address axes also uses (it honours the same proxy settings), else REMOTE_ADDR."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def record(kind: str, *, request=None, actor=None, username: str = "", obj=None, object_type: str = "",
           object_id="", **detail) -> AuditEvent | None:
    """Write one audit event. Never raises into the caller: failing to audit must not
    turn a sign-in or an export into a 500, but it is logged loudly."""
    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    try:
        # A savepoint: a failed insert must not poison the caller's transaction.
        with transaction.atomic():
            return AuditEvent.objects.create(
                kind=kind, actor=actor, username=(username or (actor.get_username() if actor else ""))[:150],
                object_type=object_type[:60], object_id=str(object_id or "")[:64], ip_address=client_ip(request),
                path=(request.get_full_path()[:300] if request is not None else ""), detail=detail)
    except Exception:  # noqa: BLE001 — see the docstring
        log.exception("could not write audit event %s for %s", kind, username or actor)
        return None


class AuditMiddleware:
    """Makes the request known to hooks without one, and records every 403 answered to a
    signed-in user. Sits after authentication; DRF writes the token user it
    authenticates back onto the Django request, so API 403s name their actor too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        if response.status_code == 403 and getattr(getattr(request, "user", None), "is_authenticated", False):
            data = getattr(response, "data", None)
            reason = data.get("detail") if isinstance(data, dict) else ""
            record(AuditKind.PERMISSION_DENIED, request=request, method=request.method, status=403,
                   reason=str(reason or "")[:300])
        return response


# --- Hooks -------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def _logged_in(sender, request, user, **kwargs):
    record(AuditKind.LOGIN_SUCCEEDED, request=request, actor=user, via="session")


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name is kept.
    username = str((credentials or {}).get("username", ""))
    record(AuditKind.LOGIN_FAILED, request=request, actor=None, username=username,
           locked_out=bool(getattr(request, "axes_locked_out", False)))


def _locked_out(sender, request, username, ip_address, **kwargs):
    record(AuditKind.LOCKED_OUT, request=request, actor=None, username=str(username or ""),
           failures=getattr(request, "axes_failures_since_start", None))


ALERT_EVENT_KINDS = {  # AlertEvent.kind → audit kind; only events with an actor
    "acknowledged": AuditKind.ALERT_ACKNOWLEDGED,
    "snoozed": AuditKind.ALERT_SNOOZED,
    "resolved": AuditKind.ALERT_RESOLVED,
    "reassigned": AuditKind.ALERT_REASSIGNED,
    "escalated": AuditKind.ALERT_ESCALATED,
}


def _alert_event_saved(sender, instance, created, **kwargs):
    if not created or instance.actor_id is None or instance.kind not in ALERT_EVENT_KINDS:
        return
    record(ALERT_EVENT_KINDS[instance.kind], actor=instance.actor, object_type="alerts.alertgroup",
           object_id=instance.group_id, event_id=instance.pk, step=instance.step, note=(instance.note or "")[:500],
           data=instance.data)


@receiver(rows_exported, dispatch_uid="audit_export")
def _rows_exported(sender, request, model_label, file, rows, filters, **kwargs):
    record(AuditKind.EXPORT, request=request, object_type=model_label, file=file, rows=rows, filters=filters)


def _connect():
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    # A lazy sender: alerts may load after accounts.
    post_save.connect(_alert_event_saved, sender="alerts.AlertEvent", dispatch_uid="audit_alert_event")


_connect()
