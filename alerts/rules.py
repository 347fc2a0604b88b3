"""Configuration services: escalation rules, policies with their steps, webhook
endpoints. Managers only; every bad value is refused with the field at fault."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from alerts.choices import (
    WEBHOOK_EVENT_KINDS,
    Channel,
    Scope,
    Severity,
    StepTarget,
    Trigger,
)
from alerts.delivery import signing
from alerts.delivery.addresses import url_refusal
from alerts.models import (
    EscalationPolicy,
    EscalationRule,
    EscalationStep,
    WebhookEndpoint,
)
from alerts.params import clean_params
from coordination.models import Situation
from core.errors import DomainError, NotPermitted

RULE_FIELDS = ("name", "trigger", "params", "severity", "policy", "scope", "country_code", "situation",
               "cooldown_minutes", "enabled")
MAX_WAIT_MINUTES = 7 * 24 * 60


def _require_manager(actor) -> None:
    if actor is None or not actor.is_manager:
        raise NotPermitted(_("Only managers may configure alerting."))


def _choice(value, choices, field: str) -> str:
    if value not in choices:
        raise DomainError(_("%(value)s is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(choices)},
                          field=field)
    return value


def _clean_rule(rule: EscalationRule) -> None:
    if not (rule.name or "").strip():
        raise DomainError(_("A rule needs a name."), field="name")
    if EscalationRule.objects.filter(name=rule.name).exclude(pk=rule.pk).exists():
        raise DomainError(_("Another rule has this name."), field="name", code="duplicate")
    _choice(rule.trigger, Trigger.values, "trigger")
    _choice(rule.severity, Severity.values, "severity")
    _choice(rule.scope, Scope.values, "scope")
    rule.params = clean_params(rule.trigger, rule.params)
    if rule.scope == Scope.COUNTRY:
        if not (isinstance(rule.country_code, str) and len(rule.country_code) == 2 and rule.country_code.isupper()):
            raise DomainError(_("A country rule needs a two-letter country code in capitals."), field="country_code")
        rule.situation = None
    elif rule.scope == Scope.SITUATION:
        if rule.situation_id is None:
            raise DomainError(_("A situation rule needs a situation."), field="situation")
        rule.country_code = ""
    else:
        rule.country_code, rule.situation = "", None
    if isinstance(rule.cooldown_minutes, bool) or not isinstance(rule.cooldown_minutes, int) \
            or not 0 <= rule.cooldown_minutes <= MAX_WAIT_MINUTES:
        raise DomainError(_("The cool-down is a whole number of minutes between 0 and %(max)d.")
                          % {"max": MAX_WAIT_MINUTES}, field="cooldown_minutes")


@transaction.atomic
def rule_create(*, actor, name: str, trigger: str, params: dict | None = None, severity: str = Severity.WARNING,
                policy: EscalationPolicy | None = None, scope: str = Scope.ALL, country_code: str = "",
                situation: Situation | None = None, cooldown_minutes: int = 60, enabled: bool = True) -> EscalationRule:
    _require_manager(actor)
    rule = EscalationRule(name=name, trigger=trigger, params=params or {}, severity=severity, policy=policy,
                          scope=scope, country_code=country_code or "", situation=situation,
                          cooldown_minutes=cooldown_minutes, enabled=enabled, created_by=actor)
    _clean_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_update(*, actor, rule: EscalationRule, **changes) -> EscalationRule:
    """Running alerts keep their frozen policy; the rule's new conditions apply from
    the next evaluation of each situation."""
    _require_manager(actor)
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)}, field=unknown[0])
    rule = EscalationRule.objects.select_for_update().get(pk=rule.pk)
    if "trigger" in changes and changes["trigger"] != rule.trigger and "params" not in changes:
        changes["params"] = {}  # the old trigger's parameters mean nothing to the new one
    for name, value in changes.items():
        setattr(rule, name, value if name != "country_code" else (value or ""))
    _clean_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: EscalationRule) -> None:
    _require_manager(actor)
    if rule.alerts.exists():
        raise DomainError(_("This rule has alerts; disable it instead of deleting it."), field="rule", code="in_use")
    rule.delete()


def _clean_steps(steps) -> list[dict]:
    if not isinstance(steps, list) or not steps:
        raise DomainError(_("A policy needs at least one step."), field="steps")
    cleaned = []
    for index, step in enumerate(steps):
        field = f"steps.{index}"
        if not isinstance(step, dict):
            raise DomainError(_("Each step is an object."), field=field)
        targets = step.get("targets") or []
        if not isinstance(targets, list) or not targets:
            raise DomainError(_("A step must name who is notified."), field=f"{field}.targets")
        for target in targets:
            _choice(target, StepTarget.values, f"{field}.targets")
        user_ids = step.get("user_ids") or []
        if not isinstance(user_ids, list) or not all(isinstance(u, int) for u in user_ids):
            raise DomainError(_("user_ids is a list of user ids."), field=f"{field}.user_ids")
        if (StepTarget.USERS in targets) != bool(user_ids):
            raise DomainError(_("Name users exactly when the step targets named users."), field=f"{field}.user_ids")
        users = list(User.objects.filter(pk__in=user_ids, is_active=True))
        if len(users) != len(set(user_ids)):
            raise DomainError(_("Unknown or inactive user in the step."), field=f"{field}.user_ids")
        channels = step.get("channels") or [Channel.EMAIL, Channel.IN_APP]
        if not isinstance(channels, list):
            raise DomainError(_("channels is a list."), field=f"{field}.channels")
        for channel in channels:
            _choice(channel, [Channel.EMAIL, Channel.IN_APP], f"{field}.channels")
        wait = step.get("wait_minutes", 30)
        if isinstance(wait, bool) or not isinstance(wait, int) or not 1 <= wait <= MAX_WAIT_MINUTES:
            raise DomainError(_("wait_minutes is a whole number between 1 and %(max)d.") % {"max": MAX_WAIT_MINUTES},
                              field=f"{field}.wait_minutes")
        cleaned.append({"targets": sorted(set(targets)), "users": users, "channels": sorted(set(channels)),
                        "wait_minutes": wait})
    return cleaned


def _write_steps(policy: EscalationPolicy, steps: list[dict]) -> None:
    policy.steps.all().delete()
    for order, step in enumerate(steps, start=1):
        row = EscalationStep.objects.create(policy=policy, order=order, targets=step["targets"],
                                            channels=step["channels"], wait_minutes=step["wait_minutes"])
        row.users.set(step["users"])


MAX_ACK_HOURS = 24 * 30
UNSET = object()


def _clean_hours(value, field: str) -> int | None:
    """Hours of the acknowledgement review: a whole number from 1, or empty for none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ACK_HOURS:
        raise DomainError(_("%(field)s is a whole number of hours between 1 and %(max)d, or empty.")
                          % {"field": field, "max": MAX_ACK_HOURS}, field=field)
    return value


@transaction.atomic
def policy_create(*, actor, name: str, steps: list[dict], description: str = "",
                  repeat_last_step: bool = False, ack_reminder_hours: int | None = 24,
                  ack_lapse_hours: int | None = 24) -> EscalationPolicy:
    _require_manager(actor)
    if not (name or "").strip():
        raise DomainError(_("A policy needs a name."), field="name")
    if EscalationPolicy.objects.filter(name=name).exists():
        raise DomainError(_("Another policy has this name."), field="name", code="duplicate")
    cleaned = _clean_steps(steps)
    policy = EscalationPolicy.objects.create(
        name=name, description=description, repeat_last_step=bool(repeat_last_step),
        ack_reminder_hours=_clean_hours(ack_reminder_hours, "ack_reminder_hours"),
        ack_lapse_hours=_clean_hours(ack_lapse_hours, "ack_lapse_hours"))
    _write_steps(policy, cleaned)
    return policy


@transaction.atomic
def policy_update(*, actor, policy: EscalationPolicy, name: str | None = None, description: str | None = None,
                  repeat_last_step: bool | None = None, steps: list[dict] | None = None,
                  ack_reminder_hours=UNSET, ack_lapse_hours=UNSET) -> EscalationPolicy:
    """Escalations already open keep the snapshot taken when they opened."""
    _require_manager(actor)
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    if name is not None:
        if not name.strip():
            raise DomainError(_("A policy needs a name."), field="name")
        if EscalationPolicy.objects.filter(name=name).exclude(pk=policy.pk).exists():
            raise DomainError(_("Another policy has this name."), field="name", code="duplicate")
        policy.name = name
    if description is not None:
        policy.description = description
    if repeat_last_step is not None:
        policy.repeat_last_step = bool(repeat_last_step)
    if ack_reminder_hours is not UNSET:
        policy.ack_reminder_hours = _clean_hours(ack_reminder_hours, "ack_reminder_hours")
    if ack_lapse_hours is not UNSET:
        policy.ack_lapse_hours = _clean_hours(ack_lapse_hours, "ack_lapse_hours")
    policy.save()
    if steps is not None:
        _write_steps(policy, _clean_steps(steps))
    return policy


@transaction.atomic
def policy_delete(*, actor, policy: EscalationPolicy) -> None:
    _require_manager(actor)
    if policy.rules.exists():
        raise DomainError(_("Rules use this policy; point them elsewhere first."), field="policy", code="in_use")
    policy.delete()


def _clean_secret(secret: str) -> None:
    if not signing.is_valid_secret(secret):
        raise DomainError(_("The secret must be whsec_ and base64 of at least 16 bytes, or 16 characters."),
                          field="secret")


def _clean_endpoint(endpoint: WebhookEndpoint) -> None:
    if not (endpoint.name or "").strip():
        raise DomainError(_("An endpoint needs a name."), field="name")
    parts = urlsplit(endpoint.url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(_("The URL must be an http or https address."), field="url")
    refusal = url_refusal(endpoint.url)  # private, loopback, link-local… (alerts/delivery/addresses.py)
    if refusal:
        raise DomainError(refusal, field="url")
    if (endpoint.owner_user_id is None) == (endpoint.owner_government_id is None):
        raise DomainError(_("An endpoint belongs to a user or to a government, exactly one."), field="owner_user")
    _choice(endpoint.min_severity, Severity.values, "min_severity")
    if not isinstance(endpoint.events, list) or not endpoint.events:
        raise DomainError(_("Choose the events the endpoint receives."), field="events")
    for kind in endpoint.events:
        _choice(kind, list(WEBHOOK_EVENT_KINDS), "events")
    _clean_secret(endpoint.secret or "")


WEBHOOK_FIELDS = ("name", "url", "secret", "owner_user", "owner_government", "min_severity", "events", "active")


@transaction.atomic
def webhook_endpoint_create(*, actor, name: str, url: str, owner_user=None, owner_government=None,
                            secret: str | None = None, min_severity: str = Severity.WARNING,
                            events: list[str] | None = None, active: bool = True) -> WebhookEndpoint:
    _require_manager(actor)
    endpoint = WebhookEndpoint(name=name, url=url, owner_user=owner_user, owner_government=owner_government,
                               secret=secret or signing.new_secret(), min_severity=min_severity,
                               events=list(events) if events is not None else list(WEBHOOK_EVENT_KINDS),
                               active=active)
    _clean_endpoint(endpoint)
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, actor, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    _require_manager(actor)
    unknown = sorted(set(changes) - set(WEBHOOK_FIELDS))
    if unknown:
        raise DomainError(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unknown)}, field=unknown[0])
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if "secret" in changes:  # a secret replaced outright: no overlap (rotate for one)
        endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
    _clean_endpoint(endpoint)
    endpoint.save()
    return endpoint


MAX_SECRET_OVERLAP = dt.timedelta(days=30)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint, overlap: dt.timedelta,
                                   secret: str | None = None) -> WebhookEndpoint:
    """A new secret signs from now on; the current one keeps signing beside it for
    `overlap` (zero: it stops at once). A secret still in its overlap from an earlier
    rotation stops now: a delivery is signed by two secrets at most, the one the
    receiver is leaving and the one it is moving to."""
    _require_manager(actor)
    if not dt.timedelta(0) <= overlap <= MAX_SECRET_OVERLAP:
        raise DomainError(_("The overlap must be between 0 and %(days)s days.") % {"days": MAX_SECRET_OVERLAP.days},
                          field="overlap")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    new = secret or signing.new_secret()
    if new in (endpoint.secret, endpoint.previous_secret):
        raise DomainError(_("The new secret must differ from the current and previous ones."), field="secret")
    # Only the secret changes: an endpoint whose URL a later rule refuses may still rotate.
    _clean_secret(new)
    previous = endpoint.secret
    endpoint.secret = new
    endpoint.previous_secret = previous if overlap else ""
    endpoint.previous_secret_expires_at = timezone.now() + overlap if overlap else None
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    _require_manager(actor)
    endpoint.delete()
