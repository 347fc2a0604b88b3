"""The named-recipients form of the situation page (TLP:RED): who may use it and whom it
offers are decided in coordination/named.py. In scope but not allowed answers 403, out of
scope 404, like every other form of the page."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coordination import named, selectors
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404
from coordination.views.panels import named_form_for
from coordination.views.situations import situation_detail_context
from core.errors import DomainError, VersionConflict


@login_required
@require_POST
def named_recipients_update(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    form = named_form_for(request.user, situation, data=request.POST)
    if form is None:
        raise PermissionDenied
    status = 400
    if form.is_valid():
        try:
            named.named_liaisons_set(actor=request.user, situation=situation,
                                     liaisons=form.cleaned_data["named_liaisons"],
                                     expected_version=form.cleaned_data["version"])
        except VersionConflict as error:
            status = 409
            form.add_error(None, error.message)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#partners")
    context = situation_detail_context(request, situation, named_form=form)
    return render(request, "coordination/situation_detail.html", context, status=status)
