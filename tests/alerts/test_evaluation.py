import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alerts import services
from alerts.choices import AlertStatus, Channel, EventKind, Severity, Trigger
from alerts.models import Alert, AlertGroup, Notification
from coordination.choices import ActionStatus, RiskLevel
from core.errors import DomainError
from coordination.services import action_transition, situation_update
from testkit.signoffs import signed_off

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def kinds(group):
    return [e.kind for e in group.events.order_by("created_at", "id")]


def test_a_reading_over_the_critical_threshold_opens_one_critical_alert(situation, tracked, indicator, record,
                                                                        threshold_rule, desk_officer, liaison):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    alert = Alert.objects.get()
    group = AlertGroup.objects.get()
    assert (alert.severity, alert.status, alert.occurrences) == (Severity.CRITICAL, AlertStatus.OPEN, 1)
    assert (alert.group, group.severity, group.status) == (group, Severity.CRITICAL, AlertStatus.OPEN)
    assert group.policy_snapshot["steps"][0]["wait_minutes"] == 30
    notified = {(n.recipient.username, n.channel) for n in group.notifications.all()}
    assert notified == {("desk", Channel.EMAIL), ("desk", Channel.IN_APP),
                        ("liaison", Channel.EMAIL), ("liaison", Channel.IN_APP)}
    reasons = {n.recipient.username: n.reason for n in group.notifications.all()}
    assert "Over threshold" in reasons["desk"] and "step 1" in reasons["desk"] and "lead desk officer" in reasons["desk"]
    assert "liaison of Home Republic" in reasons["liaison"]
    assert kinds(group) == [EventKind.OPENED, EventKind.NOTIFIED]


def test_a_reading_under_the_warning_threshold_opens_nothing(situation, tracked, indicator, record, threshold_rule):
    record(situation, indicator, 9)
    services.evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.exists()


def test_the_same_condition_again_counts_an_occurrence_and_never_opens_a_second_alert(
        situation, tracked, indicator, record, threshold_rule):
    record(situation, indicator, 12)
    services.evaluate_situation(situation_id=situation.pk)
    services.evaluate_situation(situation_id=situation.pk)  # nothing new: same occurrence
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    alert = Alert.objects.get()
    assert alert.occurrences == 2
    assert alert.severity == Severity.CRITICAL, "severity follows the threshold reached"
    assert alert.group.severity == Severity.CRITICAL, "the group takes its most severe condition's"
    assert kinds(alert.group).count(EventKind.RE_OCCURRED) == 1
    assert alert.group.notifications.count() == 4, "a refresh notifies nobody again"


def test_it_auto_resolves_when_the_condition_clears_and_rejoins_silently_within_the_cool_down(
        situation, tracked, indicator, record, threshold_rule):
    with time_machine.travel(T0, tick=False):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        record(situation, indicator, 3)
        services.evaluate_situation(situation_id=situation.pk)
        alert = Alert.objects.get()
        assert alert.status == AlertStatus.RESOLVED and alert.group.status == AlertStatus.RESOLVED
        assert alert.group.resolved_by is None
        notified = Notification.objects.count()
    with time_machine.travel(T0 + dt.timedelta(minutes=40), tick=False):
        record(situation, indicator, 28)
        services.evaluate_situation(situation_id=situation.pk)
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN and alert.occurrences == 2
    assert alert.group.status == AlertStatus.OPEN and AlertGroup.objects.count() == 1
    assert kinds(alert.group)[-3:] == [EventKind.CLEARED, EventKind.AUTO_RESOLVED, EventKind.REJOINED]
    assert Notification.objects.count() == notified, "a return within the cool-down notifies nobody"


def test_a_condition_returning_after_the_cool_down_opens_a_new_alert(situation, tracked, indicator, record,
                                                                     threshold_rule):
    with time_machine.travel(T0, tick=False):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        record(situation, indicator, 3)
        services.evaluate_situation(situation_id=situation.pk)
    with time_machine.travel(T0 + dt.timedelta(minutes=5 + 61), tick=False):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
    first, second = Alert.objects.order_by("id")
    assert first.status == AlertStatus.RESOLVED and second.status == AlertStatus.OPEN
    assert first.dedup_key == second.dedup_key
    assert first.group != second.group and second.group.status == AlertStatus.OPEN


def test_an_alert_resolved_by_hand_while_its_condition_holds_stays_quiet_until_it_clears(
        situation, tracked, indicator, record, threshold_rule, manager):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    # Critical and still holding: a second manager signs the resolution off.
    signed_off(services.group_resolve(actor=manager, group=AlertGroup.objects.get(), note="Démarche delivered."))
    record(situation, indicator, 31)
    services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.count() == 1 and Alert.objects.get().status == AlertStatus.RESOLVED
    assert AlertGroup.objects.count() == 1 and AlertGroup.objects.get().status == AlertStatus.RESOLVED


def test_a_liaison_of_an_unassigned_government_receives_nothing(situation, tracked, indicator, record,
                                                               threshold_rule, other_liaison, foreign_situation):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    assert Notification.objects.exists()
    assert not Notification.objects.filter(recipient=other_liaison).exists()


def test_editing_the_policy_does_not_change_an_escalation_already_running(situation, tracked, indicator, record,
                                                                          threshold_rule, policy, manager):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    services.policy_update(actor=manager, policy=policy, steps=[{"targets": ["managers"], "wait_minutes": 5}])
    assert AlertGroup.objects.get().snapshot.steps[0].targets == ("desk_officers", "liaisons")


@pytest.mark.parametrize(("trigger", "params", "field"), [
    (Trigger.RISE_WITHIN_WINDOW, {"window_days": 7}, "params.amount"),
    (Trigger.RISE_WITHIN_WINDOW, {"amount": -1, "window_days": 7}, "params.amount"),
    (Trigger.DEADLINE_SOON, {"days": "soon"}, "params.days"),
    (Trigger.DEADLINE_SOON, {"dayz": 3}, "params.dayz"),
    (Trigger.THRESHOLD_CROSSED, {"indicators": ["no-such-code"]}, "params.indicators"),
    (Trigger.RISK_RAISED, {"min_level": "apocalyptic"}, "params.min_level"),
])
def test_a_bad_rule_is_refused_naming_the_parameter(manager, trigger, params, field):
    with pytest.raises(DomainError) as error:
        services.rule_create(actor=manager, name="Bad", trigger=trigger, params=params)
    assert error.value.field == field


def test_actions_due_soon_overdue_and_stalled_raise_their_alerts(situation, action, manager, policy):
    for name, trigger, params in (("Soon", Trigger.DEADLINE_SOON, {"days": 3}),
                                  ("Missed", Trigger.DEADLINE_MISSED, {}),
                                  ("Stalled", Trigger.ACTION_STALLED, {"days": 10})):
        services.rule_create(actor=manager, name=name, trigger=trigger, params=params, policy=policy)
    action.due_date = timezone.now().date() + dt.timedelta(days=2)
    action.save()
    services.evaluate_situation(situation_id=situation.pk)
    assert list(Alert.objects.values_list("rule__name", flat=True)) == ["Soon"]
    later = timezone.now() + dt.timedelta(days=12)
    services.evaluate_situation(situation_id=situation.pk, now=later)
    open_rules = set(Alert.objects.exclude(status=AlertStatus.RESOLVED).values_list("rule__name", flat=True))
    assert open_rules == {"Missed", "Stalled"}
    action_transition(actor=manager, action=action, to_status=ActionStatus.CANCELLED)
    services.evaluate_situation(situation_id=situation.pk, now=later)
    assert not Alert.objects.exclude(status=AlertStatus.RESOLVED).exists()


@pytest.mark.parametrize(("level", "severity"), [
    (RiskLevel.HIGH, Severity.WARNING), (RiskLevel.VERY_HIGH, Severity.CRITICAL), (RiskLevel.CRITICAL, Severity.CRITICAL),
])
def test_a_risk_level_raised_opens_an_alert_whose_severity_follows_the_documented_table(situation, manager, policy,
                                                                                       level, severity):
    services.rule_create(actor=manager, name="Risk", trigger=Trigger.RISK_RAISED, params={"min_level": "high"},
                         severity=Severity.CRITICAL, policy=policy)
    services.evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.exists()
    situation_update(actor=manager, situation=situation, risk_level=level)
    services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.get().severity == severity, "high is a warning; very high and critical are critical"


def test_a_rise_within_the_window_opens_an_alert(situation, tracked, indicator, record, manager, policy):
    services.rule_create(actor=manager, name="Rise", trigger=Trigger.RISE_WITHIN_WINDOW,
                         params={"amount": 5, "window_days": 7}, policy=policy)
    now = timezone.now()
    record(situation, indicator, 1, at=now - dt.timedelta(days=10))
    record(situation, indicator, 4, at=now - dt.timedelta(days=3))
    services.evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.exists(), "a rise of 3 within 7 days is below the amount"
    record(situation, indicator, 9, at=now - dt.timedelta(hours=1))
    services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.get().detail["change"] == 5
