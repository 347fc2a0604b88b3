"""The escalation queue, alert detail, alert actions and the in-app notifications."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts import selectors, services
from alerts.choices import Severity
from alerts.forms import ALERT_FORMS, ReassignForm, owner_choices
from alerts.models import Alert
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404, manager_only, page_number
from core.errors import DomainError, NotPermitted

QUEUE_PAGE_SIZE = 50


def _queue_context(request):
    alerts = selectors.alert_list(user=request.user)
    severity = request.GET.get("severity")
    if severity in Severity.values:
        alerts = alerts.filter(severity=severity)
    page = Paginator(alerts, QUEUE_PAGE_SIZE).get_page(page_number(request))
    choices = owner_choices()
    counts = selectors.severity_counts(selectors.alert_list(user=request.user))
    labels = dict(Severity.choices)
    return {
        "page": page,
        "rows": [_row(alert, choices=choices) for alert in page.object_list],
        "counts": [{"severity": s, "label": labels[s], "count": counts[s]} for s in reversed(Severity.values)],
        "severity": severity if severity in Severity.values else "",
    }


def _row(alert, forms=None, message=None, choices=None):
    """One alert with its action forms; `forms` holds a bound form that failed, whose
    panel stays open with what was typed."""
    given = dict(forms or {})
    all_forms = {}
    for verb, cls in ALERT_FORMS.items():
        if verb in given:
            all_forms[verb] = given[verb]
        elif cls is ReassignForm:
            all_forms[verb] = cls(prefix=f"al{alert.pk}-{verb}", choices=choices)
        else:
            all_forms[verb] = cls(prefix=f"al{alert.pk}-{verb}")
    return {"alert": alert, "forms": all_forms, "open_verb": next(iter(given), None), "message": message}


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
def alert_detail(request, alert_id: int):
    alert = _get_alert(request.user, alert_id)
    return render(request, "alerts/alert_detail.html", {"row": _row(alert), "alert": alert})


def _get_alert(user, alert_id):
    try:
        return selectors.alert_get(user=user, alert_id=alert_id)
    except Alert.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def alert_act(request, alert_id: int, verb: str):
    alert = get_scoped_or_404(selectors.alert_list(user=request.user, include_resolved=True), pk=alert_id)
    form_class = ALERT_FORMS.get(verb)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=f"al{alert.pk}-{verb}")
    message = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if verb == "acknowledge":
                services.alert_acknowledge(actor=request.user, alert=alert, note=data["note"])
            elif verb == "snooze":
                services.alert_snooze(actor=request.user, alert=alert, until=data["until"], note=data["note"])
            elif verb == "resolve":
                services.alert_resolve(actor=request.user, alert=alert, note=data["note"])
            else:
                services.alert_reassign(actor=request.user, alert=alert, owner=data["owner"], note=data["note"])
        except Alert.DoesNotExist:
            raise Http404 from None
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = {"acknowledge": _("Acknowledged."), "snooze": _("Snoozed."), "resolve": _("Resolved."),
                       "reassign": _("Reassigned.")}[verb]
    fresh = _get_alert(request.user, alert_id)
    if request.htmx:
        row = _row(fresh, message=message) if message else _row(fresh, forms={verb: form})
        return render(request, "alerts/_queue_row.html", {"row": row})
    if message:
        return redirect("alert-pages:alert-detail", alert_id=alert_id)
    return render(request, "alerts/alert_detail.html", {"row": _row(fresh, forms={verb: form}), "alert": fresh},
                  status=400)


@login_required
def notifications(request):
    inbox = selectors.inbox(user=request.user)
    page = Paginator(inbox, 50).get_page(page_number(request))
    return render(request, "alerts/notifications.html", {"page": page})


@login_required
def bell(request):
    return render(request, "_bell.html")


