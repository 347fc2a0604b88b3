"""The note form of the situation page: a note on its timeline, by staff or an assigned
partner's liaison (coordination/notes.py decides who and what)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coordination import assessments, notes, selectors
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404
from coordination.views.situations import note_form_for, situation_detail_context
from core.errors import DomainError


@login_required
@require_POST
def note_create(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    if not assessments.may_assess(request.user, situation.pk):
        raise PermissionDenied
    tracked_ids = list(selectors.tracked_indicator_list(user=request.user, situation_id=situation.pk)
                       .values_list("indicator_id", flat=True))
    form = note_form_for(request.user, situation, tracked_ids, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            notes.note_add(actor=request.user, situation=situation, body=data["body"], indicator=data["indicator"],
                           reconciles=data.get("reconciles", False))
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#timeline")
    return render(request, "coordination/situation_detail.html",
                  situation_detail_context(request, situation, note_form=form), status=400)
