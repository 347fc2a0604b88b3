"""Two-person sign-off for the decisions that can silence a warning (docs/DESIGN.md,
"Two-person sign-off").

The one place that says
- which decisions need a second person (`needs_signoff_*`, `kind_for_situation_edit`):
  snoozing an escalation for more than 7 days, resolving a critical escalation while
  one of its conditions still holds, lowering a marking from TLP:RED or
  TLP:AMBER+STRICT, lowering a risk level by two steps or more, closing a situation;
- who may decide a request (`decidable_q`): another manager, or a liaison of the
  situation's lead government who may see the situation — never the requester;
- how a request lives: pending until approved (the change is then carried out through
  its normal service, as the requester, by the executor registered for its kind),
  rejected with a note, cancelled by its requester, or expired unapproved after
  SIGNOFF_EXPIRY_HOURS (read as expired from then on, written so by the sweep).

The services that make these decisions (coordination/services.py, closing.py,
alerts/services.py) ask here first and, without a sign-off, call `request_signoff`
instead of changing anything. Coordination sits below alerts, so the alerts app
registers the executors of its kinds (AlertsConfig.ready), as it registers its reads
in coordination/extensions.py. Every step is in the audit log.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AuditKind, record
from coordination.choices import MARKING_RANK, RISK_RANK, Marking, PartnerRole
from coordination.models import PartnerAssignment, Situation
from coordination.models.signoffs import SignoffKind, SignoffRequest, SignoffStatus
from coordination.sharing import NOTHING, visible_situation_q
from core.errors import DomainError, NotPermitted
from core.roles import Role, has_manager_role

# --- Which decisions need a second person ---------------------------------------------

LONG_SNOOZE = dt.timedelta(days=7)
RISK_DROP_NEEDING_SIGNOFF = 2
# Lowering a marking from one of these widens who reads the situation past the people
# who were trusted with it.
GUARDED_MARKINGS = (Marking.RED, Marking.AMBER_STRICT)


def needs_signoff_for_snooze(*, now: dt.datetime, until: dt.datetime) -> bool:
    return until - now > LONG_SNOOZE


def needs_signoff_for_resolve(*, critical: bool, condition_holds: bool) -> bool:
    return critical and condition_holds


def marking_lowered(current: str, wanted: str | None) -> bool:
    return wanted is not None and current in GUARDED_MARKINGS and MARKING_RANK[wanted] < MARKING_RANK[current]


def risk_lowered(current: str, wanted: str | None) -> bool:
    return wanted is not None and RISK_RANK[current] - RISK_RANK[wanted] >= RISK_DROP_NEEDING_SIGNOFF


def kind_for_situation_edit(situation: Situation, changes: dict) -> str | None:
    """The sign-off an edit of `situation` needs, or None. An edit that lowers both the
    marking and the risk level is one request (of the marking's kind), holding both."""
    if marking_lowered(situation.marking, changes.get("marking")):
        return SignoffKind.LOWER_MARKING
    if risk_lowered(situation.risk_level, changes.get("risk_level")):
        return SignoffKind.LOWER_RISK
    return None


# Closing always needs one: SignoffKind.CLOSE.


def signed_off(signoff: SignoffRequest | None, situation_id: int, *kinds: str) -> bool:
    """True when the caller carries out an approved request for this situation: the
    executors pass the request being approved; nobody else holds one."""
    return (signoff is not None and signoff.situation_id == situation_id and signoff.kind in kinds
            and signoff.status == SignoffStatus.PENDING)


# --- Who may decide ----------------------------------------------------------------------


def decidable_q(user, prefix: str = "") -> Q:
    """A Q over SignoffRequest (or a model whose `prefix` leads to one) for the requests
    `user` may approve or reject, among those they may see. Combine it with the sharing
    rule (`visible_situation_q(user, prefix + "situation__")`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    not_own = ~Q(**{f"{prefix}requested_by": user.pk})
    if has_manager_role(user):
        return not_own
    if user.role == Role.LIAISON and user.government_id is not None:
        lead = PartnerAssignment.objects.filter(situation_id=OuterRef(f"{prefix}situation_id"),
                                                government_id=user.government_id, role=PartnerRole.LEAD)
        return not_own & Q(Exists(lead))
    return NOTHING


def signoff_list(*, user, now: dt.datetime | None = None) -> QuerySet[SignoffRequest]:
    """Requests on the situations `user` may see, each with `may_decide` (whether they
    may approve or reject it now): one query however many."""
    now = now or timezone.now()
    may_decide = Case(When(decidable_q(user) & Q(status=SignoffStatus.PENDING, expires_at__gt=now), then=Value(True)),
                      default=Value(False), output_field=BooleanField())
    return (SignoffRequest.objects.filter(visible_situation_q(user, prefix="situation__"))
            .select_related("situation", "requested_by", "decided_by").annotate(may_decide=may_decide))


def pending_q(now: dt.datetime) -> Q:
    return Q(status=SignoffStatus.PENDING, expires_at__gt=now)


def waiting_for(*, user, now: dt.datetime | None = None) -> QuerySet[SignoffRequest]:
    """The "waiting for your sign-off" list: what `user` may decide, and their own
    requests still waiting."""
    now = now or timezone.now()
    return (signoff_list(user=user, now=now).filter(pending_q(now))
            .filter(decidable_q(user) | Q(requested_by=user.pk)).order_by("expires_at", "id"))


def pending_on_situation(*, user, situation_id: int, now: dt.datetime | None = None) -> list[SignoffRequest]:
    now = now or timezone.now()
    return list(signoff_list(user=user, now=now).filter(pending_q(now), situation_id=situation_id))


# --- Executors -------------------------------------------------------------------------

Executor = Callable[[SignoffRequest], None]
_executors: dict[str, Executor] = {}


def register_executor(kind: str, executor: Executor) -> None:
    """`executor(request)` carries out what `request` asks, through the service that
    owns the change, as the requester and passing the request as its sign-off."""
    _executors[kind] = executor


# --- The life of a request ---------------------------------------------------------------


def _audit(kind: str, request: SignoffRequest, actor, **detail) -> None:
    record(kind, actor=actor, obj=request, situation_id=request.situation_id, signoff_kind=request.kind,
           **detail)


def request_signoff(*, actor, situation: Situation, kind: str, payload: dict) -> SignoffRequest:
    """Called by a service, inside its transaction, in place of the change it would have
    made. A request of the same kind already waiting on the situation refuses a second
    one; one past its time is expired first."""
    now = timezone.now()
    waiting = (SignoffRequest.objects.select_for_update()
               .filter(situation_id=situation.pk, kind=kind, status=SignoffStatus.PENDING).first())
    if waiting is not None and waiting.is_due_to_expire(now):
        _expire(waiting)
    elif waiting is not None:
        raise DomainError(_("A request to %(what)s is already waiting for a second person's sign-off (#%(id)s): "
                            "have it decided or cancelled first.")
                          % {"what": waiting.get_kind_display().lower(), "id": waiting.pk},
                          code="signoff_pending")
    request = SignoffRequest.objects.create(
        situation_id=situation.pk, kind=kind, payload=payload, requested_by=actor, requested_at=now,
        expires_at=now + dt.timedelta(hours=settings.SIGNOFF_EXPIRY_HOURS))
    _audit(AuditKind.SIGNOFF_REQUESTED, request, actor, payload=payload,
           expires_at=request.expires_at.isoformat())
    return request


def _lock(request: SignoffRequest, actor) -> SignoffRequest:
    """The request, locked, if `actor` may see its situation; DoesNotExist otherwise
    (out of scope is absent: 404)."""
    return (SignoffRequest.objects.select_for_update(of=("self",))
            .filter(visible_situation_q(actor, prefix="situation__"))
            .select_related("situation", "requested_by").get(pk=request.pk))


def _require_waiting(request: SignoffRequest, now: dt.datetime) -> None:
    if request.is_due_to_expire(now):
        raise DomainError(_("This request expired unapproved; nothing was changed. Ask again if it still stands."),
                          field="status", code="signoff_expired")
    if request.status != SignoffStatus.PENDING:
        raise DomainError(_("This request was already %(status)s.") % {"status": request.get_status_display().lower()},
                          field="status", code="signoff_decided")


def may_decide(actor, request: SignoffRequest) -> bool:
    return (SignoffRequest.objects.filter(visible_situation_q(actor, prefix="situation__"))
            .filter(decidable_q(actor), pk=request.pk).exists())


def _require_decider(actor, request: SignoffRequest) -> None:
    if request.requested_by_id == actor.pk:
        raise NotPermitted(_("You asked for this: a second person must sign it off."))
    if not may_decide(actor, request):
        raise NotPermitted(_("Only another manager, or a liaison of the situation's lead government, may sign this "
                             "off."))


def check_may_decide(*, actor, request: SignoffRequest) -> None:
    """For callers that must refuse (403) before reading a body; the services check
    again under their lock."""
    _require_decider(actor, request)


def check_may_cancel(*, actor, request: SignoffRequest) -> None:
    if request.requested_by_id != actor.pk:
        raise NotPermitted(_("Only the person who asked may cancel a request."))


@transaction.atomic
def signoff_approve(*, actor, request: SignoffRequest, note: str = "") -> SignoffRequest:
    """The second person agrees: the change is carried out now, by its own service, and
    the request is approved — both or neither."""
    locked = _lock(request, actor)
    _require_decider(actor, locked)
    now = timezone.now()
    _require_waiting(locked, now)
    executor = _executors.get(locked.kind)
    if executor is None:  # pragma: no cover - every kind has one once the apps are ready
        raise DomainError(_("Nothing can carry out this request."), field="kind")
    executor(locked)
    locked.status, locked.decided_by, locked.decided_at = SignoffStatus.APPROVED, actor, now
    locked.decision_note = (note or "").strip()
    locked.save()
    _audit(AuditKind.SIGNOFF_APPROVED, locked, actor, note=locked.decision_note[:500],
           requested_by_id=locked.requested_by_id)
    return locked


@transaction.atomic
def signoff_reject(*, actor, request: SignoffRequest, note: str) -> SignoffRequest:
    locked = _lock(request, actor)
    _require_decider(actor, locked)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say why you do not sign this off."), field="note")
    now = timezone.now()
    _require_waiting(locked, now)
    locked.status, locked.decided_by, locked.decided_at, locked.decision_note = (
        SignoffStatus.REJECTED, actor, now, note)
    locked.save()
    _audit(AuditKind.SIGNOFF_REJECTED, locked, actor, note=note[:500], requested_by_id=locked.requested_by_id)
    return locked


@transaction.atomic
def signoff_cancel(*, actor, request: SignoffRequest, note: str = "") -> SignoffRequest:
    locked = _lock(request, actor)
    check_may_cancel(actor=actor, request=locked)
    now = timezone.now()
    _require_waiting(locked, now)
    locked.status, locked.decided_by, locked.decided_at = SignoffStatus.CANCELLED, actor, now
    locked.decision_note = (note or "").strip()
    locked.save()
    _audit(AuditKind.SIGNOFF_CANCELLED, locked, actor, note=locked.decision_note[:500])
    return locked


def _expire(locked: SignoffRequest) -> None:
    locked.status, locked.decided_at = SignoffStatus.EXPIRED, locked.expires_at
    locked.save(update_fields=["status", "decided_at"])
    _audit(AuditKind.SIGNOFF_EXPIRED, locked, None, expired_at=locked.expires_at.isoformat(),
           requested_by_id=locked.requested_by_id)


EXPIRY_BATCH = 500


def expire_due(*, now: dt.datetime | None = None) -> int:
    """Write as expired every pending request past its time (the beat sweep). Nothing
    they asked for happens. Rows another worker holds are left to the next run."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(SignoffRequest.objects.select_for_update(skip_locked=True)
                   .filter(status=SignoffStatus.PENDING, expires_at__lte=now).order_by("expires_at")[:EXPIRY_BATCH])
        for locked in due:
            _expire(locked)
    return len(due)
