"""evaluate_situation: run every enabled rule in scope over one situation and bring its
alerts in line with what is true now — open, refresh, reopen or auto-resolve.

Safe to run twice or in parallel: evaluations of one situation serialise on the
situation's row lock, and the partial unique constraint on Alert.dedup_key backs that
up (an IntegrityError turns an "open" into a "refresh" of the winner's alert).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from alerts import escalation
from alerts.choices import AlertStatus, EventKind, Scope
from alerts.models import UNRESOLVED_Q, Alert, AlertEvent, EscalationRule, EvaluationRequest
from alerts.recipients import notify_webhooks
from alerts.triggers import Finding, SituationFacts, findings_for
from coordination.choices import SituationStatus
from coordination.models import Situation


@dataclass
class Outcome:
    opened: list[int] = field(default_factory=list)
    refreshed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


def rules_in_scope(situation: Situation):
    return (EscalationRule.objects.filter(enabled=True)
            .filter(Q(scope=Scope.ALL) | Q(scope=Scope.COUNTRY, country_code=situation.country_code)
                    | Q(scope=Scope.SITUATION, situation_id=situation.pk))
            .select_related("policy").order_by("pk"))


def evaluate_situation(*, situation_id: int, now: dt.datetime | None = None) -> Outcome:
    now = now or timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        situation = (Situation.objects.select_for_update(of=("self",)).select_related("lead_officer")
                     .filter(pk=situation_id).first())
        if situation is None:
            return outcome
        facts = SituationFacts(situation, now)
        # Alerts that may change: unresolved ones, and resolved ones whose condition was
        # still holding when a person closed them (they wait for it to clear).
        tracked = {a.dedup_key: a for a in Alert.objects.filter(situation=situation).filter(
            UNRESOLVED_Q | Q(condition_active=True)).select_related("rule", "situation", "action")}
        live_keys = set()
        rules = list(rules_in_scope(situation)) if situation.status != SituationStatus.CLOSED else []
        for rule in rules:
            for finding in findings_for(rule, facts):
                key = f"r{rule.pk}:s{situation.pk}:{finding.subject_key}"
                live_keys.add(key)
                alert = tracked.get(key)
                if alert is None:
                    _open_or_reopen(rule, situation, key, finding, now, outcome)
                elif alert.status != AlertStatus.RESOLVED:
                    _refresh(alert, finding, now)
                    outcome.refreshed.append(alert.pk)
        for key, alert in tracked.items():
            if key not in live_keys:
                _condition_cleared(alert, now, outcome)
        # Requests that arrived while this ran stay, so their own wake-up (or the sweep) runs again.
        EvaluationRequest.objects.filter(situation_id=situation_id, requested_at__lte=now).delete()
    return outcome


def _open_or_reopen(rule, situation, key: str, finding: Finding, now, outcome: Outcome) -> None:
    last = Alert.objects.filter(dedup_key=key, status=AlertStatus.RESOLVED).order_by("-id").first()
    cooldown = dt.timedelta(minutes=rule.cooldown_minutes)
    if last is not None and last.cleared_at is not None and now - last.cleared_at <= cooldown:
        _reopen(last, finding, now)
        outcome.reopened.append(last.pk)
        return
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule, situation=situation, action_id=finding.action_id, indicator_id=finding.indicator_id,
                dedup_key=key, severity=finding.severity, title=finding.title[:300], detail=finding.detail,
                evidence=finding.evidence, policy_snapshot=rule.policy.snapshot() if rule.policy else {},
                first_seen=now, last_seen=now,
            )
    except IntegrityError:
        # Someone opened it first: this sighting is theirs to count.
        existing = Alert.objects.select_for_update().get(UNRESOLVED_Q, dedup_key=key)
        _refresh(existing, finding, now)
        outcome.refreshed.append(existing.pk)
        return
    event = AlertEvent.objects.create(alert=alert, kind=EventKind.OPENED, step=0, created_at=now,
                                      data={"evidence": finding.evidence, **finding.detail})
    escalation.start(alert, event, now)
    outcome.opened.append(alert.pk)


def _refresh(alert: Alert, finding: Finding, now) -> None:
    changed = ["last_seen"]
    alert.last_seen = now
    if finding.evidence != alert.evidence:
        alert.occurrences += 1
        alert.evidence, alert.title, alert.detail = finding.evidence, finding.title[:300], finding.detail
        changed += ["occurrences", "evidence", "title", "detail"]
        data = {"evidence": finding.evidence, **finding.detail}
        if finding.severity != alert.severity:
            data["severity_from"] = alert.severity
            alert.severity = finding.severity
            changed.append("severity")
        AlertEvent.objects.create(alert=alert, kind=EventKind.RE_OCCURRED, step=alert.current_step,
                                  created_at=now, data=data)
    alert.save(update_fields=changed)


def _reopen(alert: Alert, finding: Finding, now) -> None:
    alert.status = AlertStatus.OPEN
    alert.condition_active, alert.cleared_at = True, None
    alert.resolved_at = alert.resolved_by = alert.acknowledged_at = alert.acknowledged_by = None
    alert.snoozed_until = None
    alert.occurrences += 1
    alert.last_seen = now
    alert.severity, alert.evidence = finding.severity, finding.evidence
    alert.title, alert.detail = finding.title[:300], finding.detail
    alert.save()
    event = AlertEvent.objects.create(alert=alert, kind=EventKind.REOPENED, step=0, created_at=now,
                                      data={"evidence": finding.evidence, **finding.detail})
    escalation.start(alert, event, now)


def _condition_cleared(alert: Alert, now, outcome: Outcome) -> None:
    alert.condition_active, alert.cleared_at = False, now
    if alert.status == AlertStatus.RESOLVED:
        alert.save(update_fields=["condition_active", "cleared_at"])
        return
    alert.status, alert.resolved_at, alert.next_escalation_at, alert.snoozed_until = (
        AlertStatus.RESOLVED, now, None, None)
    alert.save(update_fields=["condition_active", "cleared_at", "status", "resolved_at", "next_escalation_at",
                              "snoozed_until"])
    event = AlertEvent.objects.create(alert=alert, kind=EventKind.AUTO_RESOLVED, step=alert.current_step,
                                      created_at=now)
    notify_webhooks(alert=alert, event=event, now=now)
    outcome.resolved.append(alert.pk)
