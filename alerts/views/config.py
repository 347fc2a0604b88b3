"""Rules and escalation policies, for managers: list, create, edit, disable. Validation
is the services' (alerts.rules), the same the API uses."""
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alerts import services
from alerts.forms import PolicyForm, RuleForm, StepFormSet
from alerts.models import EscalationPolicy, EscalationRule
from coordination import selectors as coordination_selectors
from coordination.forms import add_domain_error
from coordination.views.common import get_scoped_or_404, manager_only
from core.errors import DomainError, NotPermitted

RULE_FIELDS = ("name", "trigger", "params", "severity", "policy", "scope", "country_code", "situation",
               "cooldown_minutes", "enabled")


@login_required
@manager_only
def rule_list(request):
    rules = EscalationRule.objects.select_related("policy", "situation").annotate(alert_count=Count("alerts"))
    return render(request, "alerts/rule_list.html", {"rules": rules.order_by("name")})


def _rule_form(request, data=None, initial=None):
    return RuleForm(data, initial=initial, situations=coordination_selectors.situation_list(user=request.user))


def _save_rule(request, form, rule=None):
    values = {name: form.cleaned_data[name] for name in RULE_FIELDS}
    values["country_code"] = (values["country_code"] or "").upper()
    try:
        if rule is None:
            return services.rule_create(actor=request.user, **values)
        return services.rule_update(actor=request.user, rule=rule, **values)
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        add_domain_error(form, error)
        return None


@login_required
@manager_only
def rule_create(request):
    form = _rule_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_rule(request, form):
        return redirect("alert-pages:rule-list")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": None},
                  status=400 if form.is_bound else 200)


@login_required
@manager_only
def rule_edit(request, rule_id: int):
    rule = get_scoped_or_404(EscalationRule.objects.all(), pk=rule_id)
    initial = {name: getattr(rule, name) for name in RULE_FIELDS}
    initial["params"] = json.dumps(rule.params)
    form = _rule_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_rule(request, form, rule):
        return redirect("alert-pages:rule-list")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
@manager_only
def rule_toggle(request, rule_id: int):
    rule = get_scoped_or_404(EscalationRule.objects.all(), pk=rule_id)
    services.rule_update(actor=request.user, rule=rule, enabled=not rule.enabled)
    return redirect("alert-pages:rule-list")


@login_required
@manager_only
def policy_list(request):
    policies = EscalationPolicy.objects.prefetch_related("steps__users").annotate(rule_count=Count("rules"))
    return render(request, "alerts/policy_list.html", {"policies": policies.order_by("name")})


def _steps_from(formset) -> tuple[list[dict], list[int]]:
    """The filled-in step rows (a blank row is how a new step is offered), and for each
    the index of its row in the formset, to put the service's errors back on it."""
    steps, rows = [], []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or (not data.get("targets") and not data.get("users")):
            continue
        steps.append({"targets": list(data.get("targets") or []), "user_ids": [u.pk for u in data.get("users") or []],
                      "channels": list(data.get("channels") or []) or None,
                      "wait_minutes": data["wait_minutes"] if data.get("wait_minutes") is not None else 30})
        rows.append(index)
    return steps, rows


def _add_step_error(form, formset, rows, error) -> None:
    """"steps.1.targets" goes next to the targets of the second filled-in step."""
    parts = (error.field or "").split(".")
    if parts[0] == "steps" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(rows):
        step_form = formset.forms[rows[int(parts[1])]]
        step_form.add_error(parts[2] if len(parts) > 2 and parts[2] in step_form.fields else None, error.message)
        return
    if parts[0] in ("steps", "policy"):
        form.add_error(None, error.message)
        return
    add_domain_error(form, error)


def _policy_page(request, policy=None):
    if policy is None:
        initial, steps_initial = None, [{"wait_minutes": 30}]
    else:
        initial = {"name": policy.name, "description": policy.description,
                   "repeat_last_step": policy.repeat_last_step, "ack_reminder_hours": policy.ack_reminder_hours,
                   "ack_lapse_hours": policy.ack_lapse_hours}
        steps_initial = [{"targets": s.targets, "users": list(s.users.all()), "channels": s.channels,
                          "wait_minutes": s.wait_minutes} for s in policy.steps.all()]
    form = PolicyForm(request.POST or None, initial=initial)
    formset = StepFormSet(request.POST or None, initial=steps_initial, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps, rows = _steps_from(formset)
        try:
            if policy is None:
                services.policy_create(actor=request.user, steps=steps, **form.cleaned_data)
            else:
                services.policy_update(actor=request.user, policy=policy, steps=steps, **form.cleaned_data)
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            _add_step_error(form, formset, rows, error)
        else:
            return redirect("alert-pages:policy-list")
    return render(request, "alerts/policy_form.html", {"form": form, "formset": formset, "policy": policy},
                  status=400 if form.is_bound else 200)


@login_required
@manager_only
def policy_create(request):
    return _policy_page(request)


@login_required
@manager_only
def policy_edit(request, policy_id: int):
    return _policy_page(request, get_scoped_or_404(EscalationPolicy.objects.prefetch_related("steps__users"),
                                                   pk=policy_id))


@login_required
@require_POST
@manager_only
def policy_delete(request, policy_id: int):
    policy = get_scoped_or_404(EscalationPolicy.objects.all(), pk=policy_id)
    try:
        services.policy_delete(actor=request.user, policy=policy)
    except DomainError as error:
        policies = EscalationPolicy.objects.prefetch_related("steps__users").annotate(rule_count=Count("rules"))
        return render(request, "alerts/policy_list.html",
                      {"policies": policies.order_by("name"), "error": error.message}, status=400)
    return redirect("alert-pages:policy-list")


