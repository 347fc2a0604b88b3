"""The "waiting for your sign-off" list, one request's page, and the approve, reject and
cancel forms (coordination/signoffs.py decides who may and does the work)."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination import signoffs
from coordination.choices import Marking, RiskLevel, SituationOutcome, SituationStatus
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404
from core.errors import DomainError, NotPermitted

WAITING = gettext_lazy("Waiting for a second person's sign-off: nothing changes until it is approved.")


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RejectionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why not"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


FORMS = {"approve": DecisionForm, "reject": RejectionForm, "cancel": DecisionForm}
SERVICES = {"approve": signoffs.signoff_approve, "reject": signoffs.signoff_reject, "cancel": signoffs.signoff_cancel}
DONE = {"approve": gettext_lazy("Signed off: the change is made."), "reject": gettext_lazy("Rejected."),
        "cancel": gettext_lazy("Request cancelled.")}


def announce_waiting(request) -> None:
    """The banner a first person sees when their decision became a request."""
    messages.warning(request, WAITING)


def forms_for(signoff, bound=None):
    """The decision forms of one request, each with its own prefix; `bound` replaces the
    one that failed."""
    made = {verb: cls(prefix=f"s{signoff.pk}-{verb}") for verb, cls in FORMS.items()}
    made.update(bound or {})
    return made


LABELS = {"marking": dict(Marking.choices), "risk_level": dict(RiskLevel.choices),
          "status": dict(SituationStatus.choices), "outcome": dict(SituationOutcome.choices)}
NAMES = {"until": gettext_lazy("until"), "note": gettext_lazy("note"), "marking": gettext_lazy("marking"),
         "risk_level": gettext_lazy("risk level"), "outcome": gettext_lazy("outcome"),
         "open_actions": gettext_lazy("open actions"), "cancel_reason": gettext_lazy("reason for cancelling")}


def describe(signoff) -> list[tuple[str, object]]:
    """What is asked, as (name, value) lines: the parts of the payload a person decides on."""
    payload = dict(signoff.payload)
    payload.update(payload.pop("changes", None) or {})
    payload.pop("named_liaisons", None)
    payload.pop("group_id", None)
    payload.pop("merged_into_id", None)  # possibly a situation the reader may not see
    lines = []
    for name, value in payload.items():
        if value in (None, ""):
            continue
        if name == "until":
            value = dt.datetime.fromisoformat(value)
        lines.append((str(NAMES.get(name, name.replace("_", " "))), LABELS.get(name, {}).get(value, value)))
    return lines


def rows(signoff_list, bound=None, failed_id=None):
    return [{"signoff": s, "asked": describe(s), "forms": forms_for(s, bound if s.pk == failed_id else None)}
            for s in signoff_list]


@login_required
def signoff_list(request):
    waiting = list(signoffs.waiting_for(user=request.user))
    return render(request, "coordination/signoff_list.html", {"rows": rows(waiting), "now": timezone.now()})


def _detail(request, signoff, bound=None, status=200):
    return render(request, "coordination/signoff_detail.html",
                  {"signoff": signoff, "row": rows([signoff], bound, signoff.pk)[0], "now": timezone.now()},
                  status=status)


@login_required
def signoff_detail(request, signoff_id: int):
    return _detail(request, get_scoped_or_404(signoffs.signoff_list(user=request.user), pk=signoff_id))


def _decide(request, signoff_id: int, verb: str):
    signoff = get_scoped_or_404(signoffs.signoff_list(user=request.user), pk=signoff_id)
    try:
        if verb == "cancel":
            signoffs.check_may_cancel(actor=request.user, request=signoff)
        else:
            signoffs.check_may_decide(actor=request.user, request=signoff)
    except NotPermitted:
        raise PermissionDenied from None
    form = FORMS[verb](request.POST, prefix=f"s{signoff.pk}-{verb}")
    if form.is_valid():
        try:
            SERVICES[verb](actor=request.user, request=signoff, note=form.cleaned_data["note"])
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, DONE[verb])
            return redirect("pages:signoff-detail", signoff_id=signoff.pk)
    fresh = get_scoped_or_404(signoffs.signoff_list(user=request.user), pk=signoff_id)
    return _detail(request, fresh, bound={verb: form}, status=400)


@login_required
@require_POST
def signoff_approve(request, signoff_id: int):
    return _decide(request, signoff_id, "approve")


@login_required
@require_POST
def signoff_reject(request, signoff_id: int):
    return _decide(request, signoff_id, "reject")


@login_required
@require_POST
def signoff_cancel(request, signoff_id: int):
    return _decide(request, signoff_id, "cancel")
