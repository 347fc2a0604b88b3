"""evaluate_situation: run every enabled rule in scope over one situation and bring its
conditions and its escalation (alert group) in line with what is true now — open, join,
refresh, rejoin or clear, each change made by alerts/lifecycle/ and told once at the
end — then consume the situation's outbox row.

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
from alerts.triggers import SituationFacts, findings_for
from coordination import outbox
from coordination.closing import closure_of
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
        changes = lifecycle.Changes(now)
        closure = closure_of(situation)
        if closure is not None:
            _close_groups(situation, closure, changes)
        facts = SituationFacts(situation, now)
        # Conditions that may change: unresolved ones, and resolved ones whose condition
        # was still holding when a person closed their group (they wait for it to clear).
        # Every condition of a group shares one instance of it, so no change is lost.
        tracked = {}
        for condition in Alert.objects.filter(situation=situation).filter(UNRESOLVED_Q | Q(condition_active=True)) \
                .select_related("rule", "situation", "action", "group__situation", "group__policy_rule"):
            condition.group = changes.groups.setdefault(condition.group_id, condition.group)
            tracked[condition.dedup_key] = condition
        live_keys = set()
        rules = list(rules_in_scope(situation)) if closure is None else []
        for rule in rules:
            for finding in findings_for(rule, facts):
                key = f"r{rule.pk}:s{situation.pk}:{finding.subject_key}"
                live_keys.add(key)
                condition = tracked.get(key)
                if condition is None:
                    condition, how = lifecycle.admit(rule=rule, situation=situation, dedup_key=key, finding=finding,
                                                     changes=changes)
                    {"opened": outcome.opened, "joined": outcome.opened,
                     "rejoined": outcome.reopened}[how].append(condition.pk)
                elif condition.status != AlertStatus.RESOLVED:
                    lifecycle.refresh(condition, finding, changes)
                    outcome.refreshed.append(condition.pk)
        for key, condition in tracked.items():
            if key not in live_keys and lifecycle.clear(condition, changes):
                outcome.resolved.append(condition.pk)
        lifecycle.announce(changes)
        # Changes recorded while this ran stay, so their own wake-up (or the sweep) runs again.
        outbox.consume(situation_id, seen_up_to=now)
    return outcome


def _close_groups(situation: Situation, closure, changes: lifecycle.Changes) -> None:
    """A closed situation's escalation resolves with its outcome as its note; nothing
    escalates on it any more."""
    group = lifecycle.unresolved_group(situation.pk)
    if group is not None:
        lifecycle.resolve_with_situation(changes.remember(group), changes.now, outcome=closure.outcome,
                                         note=closure.summary)
