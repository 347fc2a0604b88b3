"""The check-in panel of the situation page: for a liaison of an assigned government,
when their check-in is due and the one-click answers; for staff, each government's last
check-in and next due (the work is in coordination/checkins.py)."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from coordination import checkins, selectors
from coordination.forms import add_domain_error
from coordination.models import CheckInAnswer
from coordination.views.common import get_scoped_or_404
from core.errors import DomainError


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=CheckInAnswer.choices)
    note = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Needed when the picture changed."))


def checkin_context(user, situation, *, form=None) -> dict:
    mine = checkins.next_due_for(user=user, situation=situation)
    return {
        "checkin_mine": mine,
        "checkin_form": form or (CheckInForm() if mine is not None else None),
        "checkin_schedule": checkins.situation_schedule(situation=situation) if user.sees_all_situations else None,
        "now": timezone.now(),
    }


@login_required
@require_POST
def situation_checkin(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    if not checkins.may_check_in(request.user, situation):
        raise PermissionDenied
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            checkins.check_in(actor=request.user, situation=situation, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#checkin")
    from coordination.views.situations import situation_detail_context  # it includes this panel

    context = situation_detail_context(request, situation, checkin_form=form)
    return render(request, "coordination/situation_detail.html", context, status=400)
