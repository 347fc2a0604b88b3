"""The close and reopen forms of the situation page (coordination/closing.py does the work).

A refused form is shown again on the situation page with the reason next to the field
(400), or with the newer version loaded when someone changed the situation meanwhile
(409), never as an error page."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coordination import closing, selectors
from coordination.choices import OPEN_ACTION_STATUSES
from coordination.forms import SituationCloseForm, SituationReopenForm, add_domain_error
from coordination.models import SignoffRequest
from coordination.views.common import get_scoped_or_404, staff_only
from coordination.views.panels import close_form_for, reopen_form_for
from coordination.views.signoffs import announce_waiting
from coordination.views.situations import situation_detail_context
from core.errors import DomainError, VersionConflict

CONFLICT = _("Someone changed this situation since you opened the page. Check it below and send the form again.")


def _open_count(user, situation) -> int:
    return selectors.action_list(user=user).filter(situation_id=situation.pk, status__in=OPEN_ACTION_STATUSES).count()


@login_required
@require_POST
def situation_close(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    form = close_form_for(request.user, situation, open_count=_open_count(request.user, situation),
                          data=request.POST)
    if form.is_valid():
        try:
            result = closing.situation_close(actor=request.user, situation=situation, **form.service_kwargs())
        except VersionConflict:
            fresh = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
            again = close_form_for(request.user, fresh, open_count=_open_count(request.user, fresh),
                                   data=_with_version(request, fresh, SituationCloseForm))
            return _conflict(request, fresh, "close_form", again)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            if isinstance(result, SignoffRequest):
                announce_waiting(request)
                return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#signoffs")
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#outcome")
    return _refused(request, situation, "close_form", form)


@login_required
@require_POST
def situation_reopen(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    form = reopen_form_for(situation, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            closing.situation_reopen(actor=request.user, situation=situation, note=data["note"],
                                     status=data["status"], expected_version=data["version"])
        except VersionConflict:
            fresh = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
            return _conflict(request, fresh, "reopen_form", reopen_form_for(
                fresh, data=_with_version(request, fresh, SituationReopenForm)))
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#history")
    return _refused(request, situation, "reopen_form", form)


def _with_version(request, situation, form_class):
    data = request.POST.copy()
    data[f"{form_class.prefix}-version"] = situation.version
    return data


def _refused(request, situation, form_name, form, status=400):
    context = situation_detail_context(request, situation, **{form_name: form})
    return render(request, "coordination/situation_detail.html", context, status=status)


def _conflict(request, situation, form_name, form):
    # What was typed is kept; the version is the one stored now, so sending it again
    # is a deliberate decision over the newer state.
    form.is_valid()
    form.add_error(None, CONFLICT)
    return _refused(request, situation, form_name, form, status=409)
