"""The risk-window forms of the situation page: add one, remove one (the work is in
coordination/risk_windows.py). A refusal shows the page again with the reason at the
field (400)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination import risk_windows, selectors
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404, staff_only
from coordination.views.panels import window_form_for
from coordination.views.situations import situation_detail_context
from core.errors import DomainError


def _back(situation):
    return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#windows")


def _refused(request, situation, **forms):
    context = situation_detail_context(request, situation, **forms)
    return render(request, "coordination/situation_detail.html", context, status=400)


@login_required
@require_POST
def risk_window_create(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    tracked_ids = selectors.tracked_indicator_list(user=request.user, situation_id=situation.pk).values_list(
        "indicator_id", flat=True)
    form = window_form_for(situation, list(tracked_ids), data=request.POST)
    if form.is_valid():
        try:
            risk_windows.risk_window_create(actor=request.user, situation=situation, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return _back(situation)
    return _refused(request, situation, window_form=form)


@login_required
@require_POST
def risk_window_delete(request, situation_id: int):
    """The window's id comes in the body: the page has one remove button per window."""
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    window_id = request.POST.get("window", "")
    window = None
    if window_id.isdigit():
        window = selectors.risk_window_list(user=request.user, situation_id=situation.pk).filter(
            pk=int(window_id)).first()
    if window is None:
        return _refused(request, situation, window_notice=_("That risk window is not on this situation (any more)."))
    try:
        risk_windows.risk_window_delete(actor=request.user, window=window)
    except DomainError as error:
        return _refused(request, situation, window_notice=error.message)
    return _back(situation)
