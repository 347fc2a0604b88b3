"""A joint action's commitments on its page: each partner's part, the answer forms for
those who may give them (accept, decline with a reason, deliver, withdraw) and the
invitation of another partner. Who may is decided by coordination/commitments.py; the
page only avoids offering what would be refused."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination import commitments, selectors
from coordination.choices import COMMITMENT_TRANSITIONS, CommitmentStatus
from coordination.forms import CommitmentInviteForm, CommitmentStepForm, add_domain_error
from coordination.views.common import get_scoped_or_404
from core.errors import DomainError, VersionConflict

SERVICES = {
    CommitmentStatus.ACCEPTED: lambda **kw: commitments.commitment_accept(**kw),
    CommitmentStatus.DECLINED: lambda *, note, **kw: commitments.commitment_decline(reason=note, **kw),
    CommitmentStatus.DELIVERED: lambda **kw: commitments.commitment_deliver(**kw),
    CommitmentStatus.WITHDRAWN: lambda **kw: commitments.commitment_withdraw(**kw),
}


def _steps_offered(action, commitment) -> tuple[str, ...]:
    steps = COMMITMENT_TRANSITIONS[commitment.status]
    if commitment.government_id == action.owner_government_id:
        steps = tuple(s for s in steps if s != CommitmentStatus.WITHDRAWN)
    if action.status not in commitments.DELIVERABLE_ACTION_STATUSES:
        steps = tuple(s for s in steps if s != CommitmentStatus.DELIVERED)
    return steps


def _step_form(action, commitment, data=None) -> CommitmentStepForm:
    return CommitmentStepForm(data, allowed=_steps_offered(action, commitment), auto_id=f"c{commitment.pk}-%s",
                              initial={"commitment": commitment.pk, "version": commitment.version})


def _invitable(user, action):
    taken = [c.government_id for c in action.commitments.all()] + [action.owner_government_id]
    return (selectors.government_list(user=user).filter(assignments__situation_id=action.situation_id,
                                                        is_active=True)
            .exclude(pk__in=taken).order_by("name"))


def commitments_context(user, action, *, bound: dict | None = None, invite_form=None) -> dict:
    """The commitments section of the action page; `bound` keeps a refused form as typed."""
    bound = bound or {}
    rows = []
    for c in selectors.commitment_list(user=user, action_id=action.pk).order_by("government__name", "id"):
        form = None
        if action.is_open and c.is_pending and commitments.may_act_on_commitment(user, c) \
                and _steps_offered(action, c):
            form = bound.get(c.pk) or _step_form(action, c)
        rows.append({"c": c, "form": form, "is_lead": c.government_id == action.owner_government_id})
    if invite_form is None and action.is_open and commitments.may_invite(user, action):
        invite_form = CommitmentInviteForm(governments=_invitable(user, action))
    return {"commitment_rows": rows, "invite_form": invite_form}


def _render_detail(request, action, status: int, error: str = "", **extra):
    from coordination.views.actions import detail_context

    context = detail_context(request, action)
    context.update(commitments_context(request.user, action, **extra))
    context["commitment_error"] = error
    return render(request, "coordination/action_detail.html", context, status=status)


@login_required
@require_POST
def commitment_step(request, action_id: int):
    action = get_scoped_or_404(selectors.action_list(user=request.user), pk=action_id)
    try:
        commitment_id = int(request.POST.get("commitment", ""))
    except ValueError:
        return _render_detail(request, action, 400, error=_("Choose whose commitment you answer for."))
    commitment = get_scoped_or_404(selectors.commitment_list(user=request.user, action_id=action.pk),
                                   pk=commitment_id)
    if not commitments.may_act_on_commitment(request.user, commitment):
        raise PermissionDenied
    form = _step_form(action, commitment, request.POST)
    if not form.is_valid():
        return _render_detail(request, action, 400, bound={commitment.pk: form})
    data = form.cleaned_data
    try:
        SERVICES[data["step"]](actor=request.user, commitment=commitment, note=data["note"].strip(),
                               expected_version=data["version"])
    except VersionConflict as error:
        fresh = selectors.commitment_list(user=request.user).get(pk=commitment.pk)
        retry = _step_form(action, fresh, {**request.POST.dict(), "version": fresh.version})
        retry.is_valid()
        retry.add_error(None, error.message)
        return _render_detail(request, action, 409, bound={commitment.pk: retry})
    except DomainError as error:
        add_domain_error(form, error)
        if error.field == "reason":
            form.add_error("note", error.message)
        return _render_detail(request, action, 400, bound={commitment.pk: form})
    return redirect("pages:action-detail", action_id=action.pk)


@login_required
@require_POST
def commitment_invite(request, action_id: int):
    action = get_scoped_or_404(selectors.action_list(user=request.user), pk=action_id)
    if not commitments.may_invite(request.user, action):
        raise PermissionDenied
    form = CommitmentInviteForm(request.POST, governments=_invitable(request.user, action))
    if form.is_valid():
        try:
            commitments.commitment_invite(actor=request.user, action=action, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("pages:action-detail", action_id=action.pk)
    if not form.errors:
        form.add_error(None, _("Choose a partner to invite."))
    return _render_detail(request, action, 400, invite_form=form)
