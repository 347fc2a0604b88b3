"""The write path of escalations (alert groups) that people take: every action on one
goes through these.

Plain functions with keyword-only arguments, one transaction each. Each locks the
group, decides whether this person may act, and hands the change to alerts/lifecycle/,
which makes it and writes the AlertEvent naming its actor.

Who may act on an escalation (decided here, documented in README.md):
- only users who may see its situation — for anyone else it does not exist (404);
- managers (and admins) work the queue: acknowledge, snooze, resolve, reassign,
  escalate now, several at once;
- desk staff (desk officers, who see every situation), anyone it was addressed to (a
  notification on it) and its owner may acknowledge it and add notes — that is how the
  lead desk officer or a partner liaison stops the clock.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts import lifecycle
from alerts.choices import AlertStatus, Channel, Severity
from alerts.escalation import escalate_due_alerts  # noqa: F401 (part of the service API)
from alerts.evaluation import evaluate_situation  # noqa: F401 (part of the service API)
from alerts.models import AlertGroup, Notification
from alerts.rules import (  # noqa: F401 (part of the service API)
    policy_create,
    policy_delete,
    policy_update,
    rule_create,
    rule_delete,
    rule_update,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)
from coordination import signoffs
from coordination.models import SignoffKind, SignoffRequest
from coordination.sharing import can_see_situation
from core.errors import DomainError, NotPermitted
from core.roles import has_staff_role


def _lock(group: AlertGroup, actor) -> AlertGroup:
    locked = (AlertGroup.objects.select_for_update(of=("self",)).select_related("situation", "policy_rule")
              .get(pk=group.pk))
    if actor is None or not can_see_situation(actor, locked.situation_id):
        raise AlertGroup.DoesNotExist
    return locked


def _require_manager(actor, what: str) -> None:
    if not actor.is_manager:
        raise NotPermitted(_("Only managers may %(what)s escalations.") % {"what": what})


def may_acknowledge(actor, group: AlertGroup) -> bool:
    return (has_staff_role(actor) or group.owner_id == actor.pk
            or group.notifications.filter(recipient=actor).exists())


def check_may_act(*, actor, group: AlertGroup, what: str) -> None:
    """The permission part of an action on an escalation, for callers that must refuse
    (403) before reading a request body; each service checks it again under its lock."""
    if what in ("acknowledge", "note"):
        if not may_acknowledge(actor, group):
            raise NotPermitted(_("Only desk staff, the escalation's owner and the people it was sent to may "
                                 "acknowledge it or add a note."))
    else:
        _require_manager(actor, what)


@transaction.atomic
def group_acknowledge(*, actor, group: AlertGroup, note: str = "") -> AlertGroup:
    group = _lock(group, actor)
    check_may_act(actor=actor, group=group, what="acknowledge")
    lifecycle.acknowledge(group, timezone.now(), actor=actor, note=note)
    return group


@transaction.atomic
def group_snooze(*, actor, group: AlertGroup, until: dt.datetime, note: str = "",
                 signoff: SignoffRequest | None = None) -> AlertGroup | SignoffRequest:
    """A snooze longer than 7 days waits for a second person's sign-off
    (coordination/signoffs.py): the request is returned and nothing is silenced yet."""
    group = _lock(group, actor)
    _require_manager(actor, _("snooze"))
    now = timezone.now()
    lifecycle.check_snooze(group, now, until=until)
    if (signoffs.needs_signoff_for_snooze(now=now, until=until)
            and not signoffs.signed_off(signoff, group.situation_id, SignoffKind.LONG_SNOOZE)):
        return signoffs.request_signoff(actor=actor, situation=group.situation, kind=SignoffKind.LONG_SNOOZE,
                                        payload={"group_id": group.pk, "until": until.isoformat(), "note": note})
    lifecycle.snooze(group, now, actor=actor, until=until, note=note)
    return group


def _resolve_needs_signoff(group: AlertGroup) -> bool:
    holds = group.conditions.filter(status=AlertStatus.OPEN, condition_active=True).exists()
    return signoffs.needs_signoff_for_resolve(critical=group.severity == Severity.CRITICAL, condition_holds=holds)


@transaction.atomic
def group_resolve(*, actor, group: AlertGroup, note: str,
                  signoff: SignoffRequest | None = None) -> AlertGroup | SignoffRequest:
    """Resolving a critical escalation while a condition of it still holds waits for a
    second person's sign-off: the request is returned and the escalation stays."""
    group = _lock(group, actor)
    _require_manager(actor, _("resolve"))
    lifecycle.check_resolve(group, note=note)
    if _resolve_needs_signoff(group) and not signoffs.signed_off(signoff, group.situation_id,
                                                                 SignoffKind.RESOLVE_HOLDING):
        return signoffs.request_signoff(actor=actor, situation=group.situation, kind=SignoffKind.RESOLVE_HOLDING,
                                        payload={"group_id": group.pk, "note": note})
    lifecycle.resolve(group, timezone.now(), actor=actor, note=note)
    return group


@transaction.atomic
def group_reassign(*, actor, group: AlertGroup, owner, note: str = "") -> AlertGroup:
    group = _lock(group, actor)
    _require_manager(actor, _("reassign"))
    lifecycle.reassign(group, timezone.now(), actor=actor, owner=owner, note=note)
    return group


@transaction.atomic
def group_escalate_now(*, actor, group: AlertGroup, note: str = "") -> AlertGroup:
    """Skip the wait: notify the next step now."""
    group = _lock(group, actor)
    _require_manager(actor, _("escalate"))
    lifecycle.escalate_by_hand(group, timezone.now(), actor=actor, note=note)
    return group


@transaction.atomic
def group_add_note(*, actor, group: AlertGroup, note: str) -> AlertGroup:
    group = _lock(group, actor)
    check_may_act(actor=actor, group=group, what="note")
    lifecycle.add_note(group, timezone.now(), actor=actor, note=note)
    return group


# What the queue's checkboxes can do, with the label the page shows; the API's and the
# page's choices are these.
BULK_VERBS = {"acknowledge": gettext_lazy("Acknowledge"), "resolve": gettext_lazy("Resolve")}
BULK_LIMIT = 100


@transaction.atomic
def groups_bulk(*, actor, verb: str, group_ids: list[int], note: str = "") -> list[AlertGroup]:
    """Acknowledge or resolve several escalations at once (the queue's checkboxes): all
    or none — one refusal refuses the batch and names the escalation."""
    if verb not in BULK_VERBS:
        raise DomainError(_("Choose acknowledge or resolve."), field="verb")
    if not group_ids:
        raise DomainError(_("Choose at least one escalation."), field="groups")
    if len(group_ids) > BULK_LIMIT:
        raise DomainError(_("At most %(n)d escalations at once.") % {"n": BULK_LIMIT}, field="groups")
    done = []
    for pk in sorted(set(group_ids)):
        try:
            group = _lock(AlertGroup(pk=pk), actor)
        except AlertGroup.DoesNotExist:
            raise DomainError(_("No such escalation: %(id)s.") % {"id": pk}, field="groups") from None
        try:
            if verb == "acknowledge":
                check_may_act(actor=actor, group=group, what="acknowledge")
                lifecycle.acknowledge(group, timezone.now(), actor=actor, note=note)
            else:
                _require_manager(actor, _("resolve"))
                lifecycle.check_resolve(group, note=note)
                if _resolve_needs_signoff(group):
                    # A batch is all or none, and this one would only become a request.
                    raise DomainError(_("a critical condition still holds, so resolving it needs a second "
                                        "person's sign-off: resolve it on its own page."), field="groups")
                lifecycle.resolve(group, timezone.now(), actor=actor, note=note)
        except DomainError as error:
            error.message = _("Escalation %(id)s: %(reason)s") % {"id": pk, "reason": error.message}
            raise
        done.append(group)
    return done


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all unread ones if no ids)."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())


# --- Approved sign-offs (coordination/signoffs.py) ------------------------------------


def carry_out_signed_off_snooze(request: SignoffRequest) -> None:
    """As the manager who asked, now that a second person agreed."""
    payload = request.payload
    group_snooze(actor=request.requested_by, group=AlertGroup(pk=payload["group_id"]), signoff=request,
                 until=dt.datetime.fromisoformat(payload["until"]), note=payload.get("note", ""))


def carry_out_signed_off_resolve(request: SignoffRequest) -> None:
    payload = request.payload
    group_resolve(actor=request.requested_by, group=AlertGroup(pk=payload["group_id"]), signoff=request,
                  note=payload.get("note", ""))


def register_signoff_executors() -> None:
    signoffs.register_executor(SignoffKind.LONG_SNOOZE, carry_out_signed_off_snooze)
    signoffs.register_executor(SignoffKind.RESOLVE_HOLDING, carry_out_signed_off_resolve)
