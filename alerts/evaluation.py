"""evaluate_situation: run every enabled rule in scope over one situation and bring its
alerts in line with what is true now — open, refresh, reopen or auto-resolve (each
change made by alerts/lifecycle.py) — then consume the situation's outbox row.

Safe to run twice or in parallel: evaluations of one situation serialise on the
situation's row lock, and the partial unique constraint on Alert.dedup_key backs that
up (an IntegrityError turns an "open" into a "refresh" of the winner's alert).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts import lifecycle
from alerts.choices import AlertStatus, Scope
from alerts.models import UNRESOLVED_Q, Alert, EscalationRule
from alerts.triggers import Finding, SituationFacts, findings_for
from coordination import outbox
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
                    lifecycle.refresh(alert, finding, now)
                    outcome.refreshed.append(alert.pk)
        for key, alert in tracked.items():
            if key not in live_keys and lifecycle.clear(alert, now):
                outcome.resolved.append(alert.pk)
        # Changes recorded while this ran stay, so their own wake-up (or the sweep) runs again.
        outbox.consume(situation_id, seen_up_to=now)
    return outcome


def _open_or_reopen(rule, situation, key: str, finding: Finding, now, outcome: Outcome) -> None:
    last = Alert.objects.filter(dedup_key=key, status=AlertStatus.RESOLVED).order_by("-id").first()
    cooldown = dt.timedelta(minutes=rule.cooldown_minutes)
    if last is not None and last.cleared_at is not None and now - last.cleared_at <= cooldown:
        lifecycle.reopen(last, finding, now)
        outcome.reopened.append(last.pk)
        return
    alert, opened = lifecycle.open_alert(rule=rule, situation=situation, dedup_key=key, finding=finding, now=now)
    (outcome.opened if opened else outcome.refreshed).append(alert.pk)
