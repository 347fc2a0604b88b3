"""How an approved sign-off request of coordination's own kinds is carried out: through
the service that owns the change, as the person who asked for it (their permission
still counts), with the request as its sign-off. Registered in CoordinationConfig.ready;
the alerts app registers the escalation kinds the same way (coordination/signoffs.py)."""
from __future__ import annotations

from accounts.models import User
from coordination import closing, services, signoffs
from coordination.models import Situation
from coordination.models.signoffs import SignoffKind, SignoffRequest


def carry_out_edit(request: SignoffRequest) -> None:
    payload = request.payload
    changes = dict(payload.get("changes") or {})
    if changes.get("lead_officer") is not None:
        changes["lead_officer"] = User.objects.get(pk=changes["lead_officer"])
    named = payload.get("named_liaisons")
    services.situation_update(actor=request.requested_by, situation=request.situation, signoff=request,
                              named_liaisons=None if named is None else list(User.objects.filter(pk__in=named)),
                              **changes)


def carry_out_close(request: SignoffRequest) -> None:
    payload = request.payload
    merged_into_id = payload.get("merged_into_id")
    closing.situation_close(
        actor=request.requested_by, situation=request.situation, signoff=request, outcome=payload["outcome"],
        note=payload.get("note", ""), open_actions=payload.get("open_actions", closing.OpenActions.CANCEL),
        cancel_reason=payload.get("cancel_reason", ""),
        merged_into=Situation.objects.get(pk=merged_into_id) if merged_into_id else None)


def register() -> None:
    signoffs.register_executor(SignoffKind.LOWER_MARKING, carry_out_edit)
    signoffs.register_executor(SignoffKind.LOWER_RISK, carry_out_edit)
    signoffs.register_executor(SignoffKind.CLOSE, carry_out_close)
