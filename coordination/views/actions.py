"""Action pages: "my actions", the action detail with its timeline, and the one-step
change (status and/or progress note) with optimistic concurrency."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination import selectors, services
from coordination.choices import OPEN_ACTION_STATUSES
from coordination.forms import ActionChangeForm, add_domain_error
from coordination.models import Commitment
from coordination.views.common import get_scoped_or_404, print_marking
from core.errors import DomainError, NotPermitted, VersionConflict


def change_form_for(user, action, data=None) -> ActionChangeForm | None:
    """The status menu offers what the service would let this user do (transitions_for);
    the action came through the sharing-scoped selector."""
    if not services.may_work_on_action(user, action, visible=True) or not action.is_open:
        return None
    allowed = services.transitions_for(user, action, visible=True)
    return ActionChangeForm(data, allowed=allowed, initial={"version": action.version}, prefix=f"a{action.pk}")


def my_actions_queryset(user):
    qs = selectors.action_list(user=user).filter(status__in=OPEN_ACTION_STATUSES)
    if user.is_liaison:
        # Their government's actions, and its parts of other governments' joint actions.
        part = Commitment.objects.filter(action_id=OuterRef("pk"), government_id=user.government_id)
        qs = qs.filter(Q(owner_government_id=user.government_id) | Q(Exists(part)))
    else:
        qs = qs.filter(Q(assignee=user) | Q(situation__lead_officer=user) | Q(created_by=user))
    today = timezone.localdate()
    # Overdue first, then by due date: what needs doing today is on top.
    return qs.annotate(
        overdue_rank=Case(When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue_rank", "due_date", "id")


@login_required
def my_actions(request):
    actions = list(my_actions_queryset(request.user)[:200])
    cards = [{"action": a, "form": change_form_for(request.user, a)} for a in actions]
    return render(request, "coordination/my_actions.html", {"cards": cards, "today": timezone.localdate(),
                                                            **print_marking(a.situation for a in actions)})


@login_required
def action_detail(request, action_id: int):
    action = get_scoped_or_404(selectors.action_list(user=request.user), pk=action_id)
    from coordination.views.commitments import commitments_context

    context = detail_context(request, action)
    context.update(commitments_context(request.user, action))
    return render(request, "coordination/action_detail.html", context)


def detail_context(request, action, card=None):
    timeline = list(selectors.action_update_list(user=request.user, action_id=action.pk).order_by("-created_at", "-id"))
    return {
        "action": action,
        "timeline": timeline,
        "card": card or {"action": action, "form": change_form_for(request.user, action)},
        "today": timezone.localdate(),
    }


@login_required
@require_POST
def action_change(request, action_id: int):
    action = get_scoped_or_404(selectors.action_list(user=request.user), pk=action_id)
    form = change_form_for(request.user, action, request.POST)
    conflict = None
    saved = None
    if form is None:
        # Visible but not the user's to change (another government's action, or closed).
        form = ActionChangeForm(request.POST, allowed=(), prefix=f"a{action.pk}")
        form.is_valid()
        form.add_error(None, _("You cannot change this action."))
    elif form.is_valid():
        data = form.cleaned_data
        note = data["note"].strip()
        try:
            if data["to_status"]:
                action = services.action_transition(actor=request.user, action=action, to_status=data["to_status"],
                                                    note=note, expected_version=data["version"])
            else:
                action = services.action_update(actor=request.user, action=action, progress_note=note,
                                                expected_version=data["version"])
        except VersionConflict as error:
            conflict = error
            action = get_scoped_or_404(selectors.action_list(user=request.user), pk=action_id)
            # Keep every typed character; carry the version now stored, so saving again
            # is a deliberate choice made after seeing the new state.
            data = request.POST.copy()
            data[f"a{action.pk}-version"] = str(action.version)
            form = change_form_for(request.user, action, data) or ActionChangeForm(
                data, allowed=(), prefix=f"a{action.pk}")
        except NotPermitted as error:
            add_domain_error(form, error)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            saved = _("Saved.")
            form = change_form_for(request.user, action)
    card = {"action": action, "form": form, "conflict": conflict, "saved": saved}
    if request.htmx:
        # htmx swaps only 2xx answers by default: the card itself tells what happened.
        return render(request, "coordination/_action_card.html", {"card": card, "today": timezone.localdate()})
    if saved:
        if _safe_next(request):
            return redirect(request.POST["next"])
        return redirect("pages:action-detail", action_id=action.pk)
    status = 409 if conflict else 400
    from coordination.views.commitments import commitments_context

    context = detail_context(request, action, card)
    context.update(commitments_context(request.user, action))
    return render(request, "coordination/action_detail.html", context, status=status)


def _safe_next(request) -> bool:
    target = request.POST.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                             require_https=request.is_secure())
