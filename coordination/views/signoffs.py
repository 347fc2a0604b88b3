"""The "waiting for your sign-off" list, one request's page, and the approve, reject and
cancel forms (coordination/signoffs.py decides who may and does the work)."""
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from coordination import signoffs
from coordination.closing import OpenActions
from coordination.choices import Marking, RiskLevel, SituationOutcome, SituationStatus
from coordination.forms import add_domain_error
from coordination.models import SignoffStatus
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
NAMES = {"title": gettext_lazy("Title"), "country_code": gettext_lazy("Country"), "area": gettext_lazy("Area"),
         "summary": gettext_lazy("Summary"), "status": gettext_lazy("Status"), "risk_level": gettext_lazy("Risk level"),
         "marking": gettext_lazy("Marking"), "lead_officer": gettext_lazy("Lead desk officer")}
OPEN_ACTIONS = {OpenActions.KEEP: gettext_lazy("kept open for their owners to finish"),
                OpenActions.CANCEL: gettext_lazy("cancelled")}


def _word(name: str, value, people: dict) -> str:
    if value in (None, ""):
        return gettext("none")
    if name == "lead_officer":
        return str(people.get(value, gettext("someone else")))
    return str(LABELS.get(name, {}).get(value, value))


def _when(value: str) -> str:
    return date_format(timezone.localtime(dt.datetime.fromisoformat(value)), "Y-m-d H:i T")


def describe(signoff, people: dict | None = None) -> list[tuple[str, str]]:
    """What is asked, in words, as (what, how) lines: each change from its current value
    to the asked one while the request waits (afterwards the situation has moved on, so
    only where it goes), what closing does with the open actions, until when a snooze
    silences. `people`: the users an edit names, by id (rows() reads them at once)."""
    payload, situation, people = signoff.payload, signoff.situation, people or {}
    waiting = signoff.status == SignoffStatus.PENDING
    lines = []
    for name, value in (payload.get("changes") or {}).items():
        to = _word(name, value, people)
        if waiting:
            before = _word(name, getattr(situation, f"{name}_id" if name == "lead_officer" else name), people)
            how = gettext("from %(before)s to %(after)s") % {"before": before, "after": to}
        else:
            how = gettext("to %(after)s") % {"after": to}
        lines.append((str(NAMES.get(name, name.replace("_", " ").capitalize())), how))
    if payload.get("named_liaisons") is not None:
        lines.append((gettext("Named recipients"),
                      ngettext("replaced by %(n)d named liaison", "replaced by %(n)d named liaisons",
                               len(payload["named_liaisons"])) % {"n": len(payload["named_liaisons"])}))
    if payload.get("outcome"):
        closed = _word("status", SituationStatus.CLOSED, people)
        to = (gettext("from %(before)s to %(after)s") % {"before": situation.get_status_display(), "after": closed}
              if waiting else gettext("to %(after)s") % {"after": closed})
        lines.append((gettext("Status"), to))
        lines.append((gettext("Outcome"), _word("outcome", payload["outcome"], people)))
    if payload.get("open_actions"):
        how = str(OPEN_ACTIONS.get(payload["open_actions"], payload["open_actions"]))
        if payload["open_actions"] == OpenActions.CANCEL and payload.get("cancel_reason"):
            how = gettext("%(how)s, because: %(reason)s") % {"how": how, "reason": payload["cancel_reason"]}
        lines.append((gettext("Open actions"), how))
    if payload.get("until"):
        lines.append((gettext("Escalation"), gettext("silenced until %(until)s") % {"until": _when(payload["until"])}))
    if payload.get("note"):
        lines.append((gettext("Note"), payload["note"]))
    return lines


def _people(signoff_list) -> dict:
    """The users the edits name (a new lead desk officer) and those they would replace:
    one query for the whole list, none when no edit names anyone."""
    ids = set()
    for signoff in signoff_list:
        if "lead_officer" in (signoff.payload.get("changes") or {}):
            ids |= {signoff.payload["changes"]["lead_officer"], signoff.situation.lead_officer_id}
    ids.discard(None)
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def rows(signoff_list, bound=None, failed_id=None):
    signoff_list = list(signoff_list)
    people = _people(signoff_list)
    return [{"signoff": s, "asked": describe(s, people), "forms": forms_for(s, bound if s.pk == failed_id else None)}
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
