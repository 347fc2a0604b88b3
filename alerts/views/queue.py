"""The escalation queue, an escalation's page, the actions on escalations (one or several
at once) and the in-app notifications."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts import selectors, services
from alerts.choices import Severity
from alerts.forms import ALERT_FORMS, BulkForm, ReassignForm, owner_choices
from alerts.models import AlertGroup
from coordination import signoffs
from coordination.forms import add_domain_error
from coordination.models import SignoffRequest
from coordination.views.common import get_scoped_or_404, manager_only, page_number, print_marking
from coordination.views.signoffs import WAITING, announce_waiting
from coordination.views.signoffs import rows as signoff_rows
from core.errors import DomainError, NotPermitted

QUEUE_PAGE_SIZE = 50
DONE = {"acknowledge": _("Acknowledged."), "snooze": _("Snoozed."), "resolve": _("Resolved."),
        "reassign": _("Reassigned."), "note": _("Note added.")}


def _queue_context(request, bulk_form=None, bulk_message=None):
    groups = selectors.group_list(user=request.user)
    severity = request.GET.get("severity")
    if severity in Severity.values:
        groups = groups.filter(severity=severity)
    page = Paginator(groups, QUEUE_PAGE_SIZE).get_page(page_number(request))
    choices = owner_choices()
    counts = selectors.severity_counts(selectors.group_list(user=request.user))
    labels = dict(Severity.choices)
    return {
        "page": page,
        "rows": [_row(group, choices=choices) for group in page.object_list],
        "counts": [{"severity": s, "label": labels[s], "count": counts[s]} for s in reversed(Severity.values)],
        "severity": severity if severity in Severity.values else "",
        "bulk_form": bulk_form or BulkForm(),
        "bulk_message": bulk_message,
    }


def _row(group, forms=None, message=None, choices=None):
    """One escalation with its action forms; `forms` holds a bound form that failed,
    whose panel stays open with what was typed."""
    given = dict(forms or {})
    all_forms = {}
    for verb, cls in ALERT_FORMS.items():
        if verb in given:
            all_forms[verb] = given[verb]
        elif cls is ReassignForm:
            all_forms[verb] = cls(prefix=f"g{group.pk}-{verb}", choices=choices)
        else:
            all_forms[verb] = cls(prefix=f"g{group.pk}-{verb}")
    return {"group": group, "forms": all_forms, "open_verb": next(iter(given), None), "message": message}


@login_required
@manager_only
def queue(request):
    return render(request, "alerts/queue.html", _queue_context(request))


@login_required
@manager_only
def queue_rows(request):
    """The polled part of the queue: counts and rows."""
    return render(request, "alerts/_queue_body.html", _queue_context(request))


@login_required
@require_POST
@manager_only
def queue_bulk(request):
    form = BulkForm(request.POST)
    message = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.groups_bulk(actor=request.user, verb=data["verb"], group_ids=data["groups"],
                                        note=data["note"])
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = _("%(n)d escalation(s) done.") % {"n": len(done)}
    if message and not request.htmx:
        return redirect("alert-pages:queue")
    status = 200 if message else 400
    template = "alerts/_queue_body.html" if request.htmx else "alerts/queue.html"
    return render(request, template, _queue_context(request, bulk_form=None if message else form,
                                                    bulk_message=message), status=status)


@login_required
def group_detail(request, group_id: int):
    group = _get_group(request.user, group_id)
    return render(request, "alerts/alert_detail.html", {"row": _row(group), "group": group,
                                                        **_signoff_context(request.user, group)})


def _signoff_context(user, group) -> dict:
    """The sign-offs waiting on this escalation (a long snooze, a resolution)."""
    waiting = [s for s in signoffs.pending_on_situation(user=user, situation_id=group.situation_id)
               if s.group_id == group.pk]
    return {"signoff_rows": signoff_rows(waiting), "now": timezone.now()}


def _get_group(user, group_id):
    try:
        return selectors.group_get(user=user, group_id=group_id)
    except AlertGroup.DoesNotExist:
        raise Http404 from None


def _perform(request, group, verb: str, data: dict):
    """The service's answer: the group, or the sign-off request a long snooze or the
    resolution of a critical group still holding became."""
    if verb == "acknowledge":
        return services.group_acknowledge(actor=request.user, group=group, note=data["note"])
    if verb == "snooze":
        return services.group_snooze(actor=request.user, group=group, until=data["until"], note=data["note"])
    if verb == "resolve":
        return services.group_resolve(actor=request.user, group=group, note=data["note"])
    if verb == "note":
        return services.group_add_note(actor=request.user, group=group, note=data["note"])
    return services.group_reassign(actor=request.user, group=group, owner=data["owner"], note=data["note"])


@login_required
@require_POST
def group_act(request, group_id: int, verb: str):
    group = get_scoped_or_404(selectors.group_list(user=request.user, include_resolved=True), pk=group_id)
    form_class = ALERT_FORMS.get(verb)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=f"g{group.pk}-{verb}")
    message = None
    if form.is_valid():
        try:
            result = _perform(request, group, verb, form.cleaned_data)
        except AlertGroup.DoesNotExist:
            raise Http404 from None
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = DONE[verb]
            if isinstance(result, SignoffRequest):
                message = WAITING
                if not request.htmx:
                    announce_waiting(request)
    fresh = _get_group(request.user, group_id)
    if request.htmx:
        row = _row(fresh, message=message) if message else _row(fresh, forms={verb: form})
        return render(request, "alerts/_queue_row.html", {"row": row})
    if message:
        return redirect("alert-pages:alert-detail", group_id=group_id)
    return render(request, "alerts/alert_detail.html", {"row": _row(fresh, forms={verb: form}), "group": fresh,
                                                        **_signoff_context(request.user, fresh)}, status=400)


@login_required
def notifications(request):
    inbox = selectors.inbox(user=request.user)
    page = Paginator(inbox, 50).get_page(page_number(request))
    return render(request, "alerts/notifications.html",
                  {"page": page, **print_marking(n.group.situation for n in page.object_list)})


@login_required
def bell(request):
    return render(request, "_bell.html")
