"""Conditions: what each trigger finds true about one situation right now.

A trigger returns findings, one per subject (indicator, action, the situation itself);
alerts/evaluation.py turns findings into alerts. Triggers read, never write.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.choices import Severity, Trigger
from coordination import assessments
from coordination.choices import OPEN_ACTION_STATUSES, RISK_RANK, CommitmentStatus, Direction, RiskLevel
from coordination.models import Action, Commitment, IndicatorReading, PartnerAssignment, Situation, TrackedIndicator
from coordination.windows import (
    active_windows,
    describe,
    effective_thresholds,
    windows_covering,
)


@dataclass
class Finding:
    # part of the dedup key: "i<indicator id>", "a<action id>", "c<commitment id>", "k<government id>",
    # "d<indicator id>", "w<window id>", "risk"
    subject_key: str
    severity: str
    title: str
    evidence: str
    detail: dict = field(default_factory=dict)
    indicator_id: int | None = None
    action_id: int | None = None
    commitment_id: int | None = None
    government_id: int | None = None
    # When the evidence says the condition began (the crossing reading's observed_at, the
    # day a due date passed); None: when the engine first saw it.
    evidence_at: dt.datetime | None = None
    # Addressed to the situation's lead desk officer and lead government's liaisons: they
    # are told when it opens or joins, whichever step the group is on
    # (alerts.lifecycle.announce, alerts.recipients.lead_people).
    address_lead: bool = False


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)


# A situation's risk level, as the severity of the condition it raises: documented in
# README ("Triggers and their parameters") and docs/DESIGN.md.
RISK_SEVERITY = {
    RiskLevel.LOW: Severity.INFO,
    RiskLevel.MODERATE: Severity.INFO,
    RiskLevel.HIGH: Severity.WARNING,
    RiskLevel.VERY_HIGH: Severity.CRITICAL,
    RiskLevel.CRITICAL: Severity.CRITICAL,
}


class SituationFacts:
    """What the triggers need about one situation, each read at most once per evaluation."""

    def __init__(self, situation: Situation, now: dt.datetime):
        self.situation = situation
        self.now = now
        self.today = now.date()

    @cached_property
    def tracked(self) -> list[TrackedIndicator]:
        return list(TrackedIndicator.objects.filter(situation=self.situation, indicator__is_active=True)
                    .select_related("indicator"))

    def _current_readings(self, indicator_id: int):
        # A corrected reading no longer counts: only the rows nobody superseded.
        return IndicatorReading.objects.filter(
            situation=self.situation, indicator_id=indicator_id, superseded_by__isnull=True
        ).order_by("-observed_at", "-id")

    @cached_property
    def latest(self) -> dict[int, IndicatorReading]:
        found = {}
        for tracked in self.tracked:
            reading = self._current_readings(tracked.indicator_id).first()
            if reading is not None:
                found[tracked.indicator_id] = reading
        return found

    def window(self, indicator_id: int, since: dt.datetime) -> list[float]:
        return list(self._current_readings(indicator_id).filter(observed_at__gte=since).values_list("value", flat=True))

    @cached_property
    def windows(self) -> list:
        """The situation's risk windows open today (UTC): heightened sensitivity."""
        return active_windows(self.situation.pk, on=self.today)

    @cached_property
    def checkin_schedule(self) -> list[PartnerAssignment]:
        """The assigned (active) governments with the time their check-in falls due
        (coordination/checkins.py keeps it)."""
        return list(PartnerAssignment.objects.filter(situation=self.situation, checkin_due_at__isnull=False,
                                                     government__is_active=True)
                    .select_related("government").order_by("government__name", "pk"))

    @cached_property
    def open_actions(self) -> list[Action]:
        return list(Action.objects.filter(situation=self.situation, status__in=OPEN_ACTION_STATUSES)
                    .order_by("due_date", "id"))

    @cached_property
    def joint(self) -> dict[int, list[Commitment]]:
        """Open joint actions (by id) with their accepted commitments: their deadlines are
        each government's own, so a late partner is found, not the whole action."""
        found: dict[int, list[Commitment]] = {}
        for c in (Commitment.objects.filter(action__situation=self.situation,
                                            action__status__in=OPEN_ACTION_STATUSES)
                  .select_related("government").order_by("due_date", "id")):
            found.setdefault(c.action_id, [])
            if c.status == CommitmentStatus.ACCEPTED:
                found[c.action_id].append(c)
        return found

    def deadlines(self):
        """(action, commitment or None, due date) for each deadline the deadline triggers
        look at: a plain open action's, or each accepted commitment of a joint one."""
        for action in self.open_actions:
            if action.pk in self.joint:
                for c in self.joint[action.pk]:
                    yield action, c, c.due_date
            else:
                yield action, None, action.due_date


def _tracked_in(facts: SituationFacts, codes: list[str]) -> list[TrackedIndicator]:
    return [t for t in facts.tracked if not codes or t.indicator.code in codes]


def threshold_crossed(rule, facts: SituationFacts) -> list[Finding]:
    findings = []
    for tracked in _tracked_in(facts, rule.params.get("indicators") or []):
        reading = facts.latest.get(tracked.indicator_id)
        if reading is None:
            continue
        indicator = tracked.indicator
        # Inside a risk window the thresholds move towards normal (coordination/windows.py).
        warning, critical = effective_thresholds(tracked, facts.windows)
        if indicator.value_reaches(reading.value, critical):
            severity, threshold, level = Severity.CRITICAL, critical, _("critical")
        elif rule.params.get("min_level", "warning") == "warning" and indicator.value_reaches(reading.value, warning):
            severity, threshold, level = Severity.WARNING, warning, _("warning")
        else:
            continue
        findings.append(Finding(
            subject_key=f"i{indicator.pk}", severity=severity, indicator_id=indicator.pk, evidence=f"r{reading.pk}",
            evidence_at=reading.observed_at,
            title=_("%(indicator)s reached its %(level)s threshold (%(value)g against %(threshold)g)")
            % {"indicator": indicator.name, "level": level, "value": reading.value, "threshold": threshold},
            detail={"reading_id": reading.pk, "value": reading.value, "threshold": threshold,
                    "observed_at": reading.observed_at.isoformat(),
                    **({"heightened_by_windows": [w.pk for w in windows_covering(indicator.pk, facts.windows)]}
                       if windows_covering(indicator.pk, facts.windows) else {})},
        ))
    return findings


def rise_within_window(rule, facts: SituationFacts) -> list[Finding]:
    findings = []
    amount, days = rule.params["amount"], rule.params["window_days"]
    for tracked in _tracked_in(facts, rule.params.get("indicators") or []):
        latest = facts.latest.get(tracked.indicator_id)
        if latest is None:
            continue
        values = facts.window(tracked.indicator_id, latest.observed_at - dt.timedelta(days=days))
        higher_is_worse = tracked.indicator.direction == Direction.HIGHER_IS_WORSE
        best = min(values) if higher_is_worse else max(values)
        change = latest.value - best if higher_is_worse else best - latest.value
        if change < amount:
            continue
        findings.append(Finding(
            subject_key=f"i{tracked.indicator_id}", severity=rule.severity, indicator_id=tracked.indicator_id,
            evidence=f"r{latest.pk}", evidence_at=latest.observed_at,
            title=_("%(indicator)s worsened by %(change)g within %(days)d days")
            % {"indicator": tracked.indicator.name, "change": change, "days": days},
            detail={"reading_id": latest.pk, "value": latest.value, "from": best, "change": change, "window_days": days},
        ))
    return findings


def _action_finding(rule, action: Action, title: str, evidence: str, evidence_at: dt.datetime, **detail) -> Finding:
    return Finding(subject_key=f"a{action.pk}", severity=rule.severity, action_id=action.pk, evidence=evidence,
                   evidence_at=evidence_at, title=title, detail={"due_date": action.due_date.isoformat(), **detail})


def _deadline_finding(rule, action: Action, commitment, due: dt.date, title: str, evidence_at: dt.datetime
                      ) -> Finding:
    if commitment is None:
        return _action_finding(rule, action, title, evidence=f"due:{due.isoformat()}", evidence_at=evidence_at)
    return Finding(subject_key=f"c{commitment.pk}", severity=rule.severity, action_id=action.pk,
                   commitment_id=commitment.pk, evidence=f"due:{due.isoformat()}", evidence_at=evidence_at,
                   title=title, detail={"due_date": due.isoformat(), "commitment_id": commitment.pk,
                                        "government": commitment.government.code})


def _whose(action: Action, commitment) -> str:
    if commitment is None:
        return action.title
    return _("%(gov)s's part of %(action)s") % {"gov": commitment.government.name, "action": action.title}


def deadline_soon(rule, facts: SituationFacts) -> list[Finding]:
    horizon = facts.today + dt.timedelta(days=rule.params["days"])
    return [
        _deadline_finding(rule, a, c, due, _("%(action)s is due on %(due)s") % {"action": _whose(a, c), "due": due},
                          evidence_at=_start_of(due - dt.timedelta(days=rule.params["days"])))
        for a, c, due in facts.deadlines() if facts.today <= due <= horizon
    ]


def deadline_missed(rule, facts: SituationFacts) -> list[Finding]:
    limit = facts.today - dt.timedelta(days=rule.params["grace_days"])
    return [
        _deadline_finding(rule, a, c, due, _("%(action)s is overdue (due %(due)s)") % {"action": _whose(a, c),
                                                                                      "due": due},
                          # Overdue from the first day past the due date and the grace.
                          evidence_at=_start_of(due + dt.timedelta(days=rule.params["grace_days"] + 1)))
        for a, c, due in facts.deadlines() if due < limit
    ]


def action_stalled(rule, facts: SituationFacts) -> list[Finding]:
    limit = facts.now - dt.timedelta(days=rule.params["days"])
    return [
        _action_finding(rule, a, _("%(action)s has had no update since %(when)s")
                        % {"action": a.title, "when": timezone.localdate(a.last_activity_at)},
                        evidence=f"activity:{a.last_activity_at.isoformat()}",
                        evidence_at=a.last_activity_at + dt.timedelta(days=rule.params["days"]),
                        last_activity_at=a.last_activity_at.isoformat())
        for a in facts.open_actions if a.last_activity_at < limit
    ]


def risk_raised(rule, facts: SituationFacts) -> list[Finding]:
    situation = facts.situation
    if RISK_RANK[situation.risk_level] < RISK_RANK[rule.params["min_level"]]:
        return []
    return [Finding(
        subject_key="risk", severity=RISK_SEVERITY[situation.risk_level], evidence=f"risk:{situation.risk_level}",
        title=_("Risk level of %(situation)s is %(level)s") % {"situation": situation.title,
                                                              "level": situation.get_risk_level_display()},
        detail={"risk_level": situation.risk_level},
    )]


def risk_window(rule, facts: SituationFacts) -> list[Finding]:
    """One informational condition per open risk window, naming the event and the
    indicators on heightened watch; it clears when the window closes."""
    findings = []
    for window in facts.windows:
        watched = [t.indicator.name for t in facts.tracked if window.covers(t.indicator_id)]
        findings.append(Finding(
            subject_key=f"w{window.pk}", severity=Severity.INFO, evidence=f"window:{window.pk}",
            evidence_at=_start_of(window.starts_on),
            title=describe(window)[:300],
            detail={"window_id": window.pk, "kind": window.kind, "event_date": window.event_date.isoformat(),
                    "indicators_on_watch": watched},
        ))
    return findings


def _assessment_text(reading) -> str:
    return _("%(gov)s %(value)g (%(when)s)") % {"gov": reading.assessing_government.code, "value": reading.value,
                                                "when": reading.observed_at.astimezone(dt.timezone.utc)
                                                .strftime("%Y-%m-%d")}


def divergent_assessment(rule, facts: SituationFacts) -> list[Finding]:
    """One condition per tracked indicator whose partners' latest assessments diverge
    (coordination/assessments.py), unless a reconciliation note on it was recorded after
    the latest of them. The secretariat's own readings are not a partner's assessment."""
    tracked = _tracked_in(facts, rule.params.get("indicators") or [])
    by_id = {t.indicator_id: t.indicator for t in tracked}
    latest = assessments.latest_assessments(facts.situation.pk, by_id)
    found = {}
    for indicator_id, readings in latest.items():
        divergence = assessments.divergence(by_id[indicator_id], readings, levels=rule.params["levels"],
                                            share=rule.params["share"])
        if divergence is not None:
            found[indicator_id] = divergence
    reconciled = assessments.reconciled_since(
        facts.situation.pk, found, {pk: d.latest_recorded_at for pk, d in found.items()})
    findings = []
    for indicator_id, divergence in sorted(found.items()):
        if indicator_id in reconciled:
            continue
        indicator = by_id[indicator_id]
        low, high = divergence.low, divergence.high
        findings.append(Finding(
            subject_key=f"d{indicator_id}", severity=rule.severity, indicator_id=indicator_id, address_lead=True,
            evidence="d:" + ",".join(str(r.pk) for r in sorted(divergence.assessments, key=lambda r: r.pk)),
            evidence_at=max(r.observed_at for r in divergence.assessments),
            title=_("Partners diverge on %(indicator)s: %(low)s against %(high)s")
            % {"indicator": indicator.name, "low": _assessment_text(low), "high": _assessment_text(high)},
            detail={"assessments": [
                {"reading_id": r.pk, "government": r.assessing_government.code,
                 "government_name": r.assessing_government.name, "value": r.value,
                 "observed_at": r.observed_at.isoformat(), "recorded_at": r.recorded_at.isoformat(),
                 "recorded_by": r.recorded_by.username if r.recorded_by else None}
                for r in divergence.assessments],
                "value_kind": indicator.value_kind, "levels": rule.params["levels"], "share": rule.params["share"]},
        ))
    return findings


def checkin_missed(rule, facts: SituationFacts) -> list[Finding]:
    """One condition per assigned government whose check-in is overdue by more than the
    grace; the government's next check-in moves its due time on and clears it."""
    grace = dt.timedelta(hours=rule.params.get("grace_hours", 0))
    findings = []
    for assignment in facts.checkin_schedule:
        missed_at = assignment.checkin_due_at + grace
        if facts.now < missed_at:
            continue
        government = assignment.government
        findings.append(Finding(
            subject_key=f"k{government.pk}", severity=rule.severity, government_id=government.pk,
            evidence=f"checkin-due:{assignment.checkin_due_at.isoformat()}", evidence_at=missed_at,
            title=_("%(government)s has not checked in on %(situation)s (due %(due)s)")
            % {"government": government.name, "situation": facts.situation.title,
               "due": f"{assignment.checkin_due_at:%Y-%m-%d %H:%M} UTC"},
            detail={"government_id": government.pk, "government": government.code,
                    "due_at": assignment.checkin_due_at.isoformat()},
        ))
    return findings


TRIGGERS = {
    Trigger.THRESHOLD_CROSSED: threshold_crossed,
    Trigger.RISE_WITHIN_WINDOW: rise_within_window,
    Trigger.DEADLINE_SOON: deadline_soon,
    Trigger.DEADLINE_MISSED: deadline_missed,
    Trigger.ACTION_STALLED: action_stalled,
    Trigger.RISK_RAISED: risk_raised,
    Trigger.RISK_WINDOW: risk_window,
    Trigger.DIVERGENT_ASSESSMENT: divergent_assessment,
    Trigger.CHECKIN_MISSED: checkin_missed,
}


def findings_for(rule, facts: SituationFacts) -> list[Finding]:
    return TRIGGERS[rule.trigger](rule, facts)
