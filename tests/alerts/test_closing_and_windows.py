"""The engine's side of a situation's life: closing it winds its escalation down and
nothing escalates on it afterwards; a risk window makes its rules more sensitive while
it is open, and only then (time frozen, not slept)."""
import datetime as dt

import pytest
import time_machine

from alerts import periodic, services
from alerts.choices import AlertStatus, EventKind, Severity, Trigger
from alerts.models import Alert, AlertGroup, Notification
from coordination.closing import situation_close
from testkit.signoffs import signed_off
from coordination.models import SituationChange
from coordination.risk_windows import risk_window_create

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


@pytest.mark.parametrize("open_actions", ["cancel", "keep"])
def test_closing_a_situation_resolves_its_escalation_with_the_outcome_and_nothing_escalates_after(
        situation, tracked, indicator, record, threshold_rule, action, manager, open_actions):
    with at(0):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
        group = AlertGroup.objects.get()
    with at(10):
        signed_off(situation_close(actor=manager, situation=situation, outcome="risk_receded",
                                   note="Ceasefire holding.", open_actions=open_actions,
                                   cancel_reason="Overtaken by the ceasefire."))
        services.evaluate_situation(situation_id=situation.pk)
    group.refresh_from_db()
    assert group.status == AlertStatus.RESOLVED and group.outcome == "risk_receded"
    assert "Risk receded" in group.resolution_note and "Ceasefire holding." in group.resolution_note
    assert group.events.filter(kind=EventKind.RESOLVED).count() == 1
    sent = Notification.objects.count()
    for minute in (31, 61, 24 * 60, 4 * 24 * 60):  # past every wait, reminder and nag
        with at(minute):
            services.escalate_due_alerts()
            record(situation, indicator, 31 + minute % 7)
            services.evaluate_situation(situation_id=situation.pk)
    assert Notification.objects.count() == sent, "no notification after the close"
    assert not AlertGroup.objects.exclude(status=AlertStatus.RESOLVED).exists()
    action.refresh_from_db()
    assert action.status == ("cancelled" if open_actions == "cancel" else "proposed")


def test_nothing_escalates_on_a_closed_situation_even_before_its_evaluation_runs(
        situation, tracked, indicator, record, threshold_rule, manager):
    with at(0):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
    with at(10):
        signed_off(situation_close(actor=manager, situation=situation, outcome="handed_over",
                                   note="To the regional office."))
    with at(31):  # the broker lost the evaluation: the scan alone must hold
        assert services.escalate_due_alerts() == 0
    assert not Notification.objects.filter(recipient=manager).exists()


@pytest.fixture
def window(situation, tracked, indicator, manager):
    """An election on 10 March, watched from 3 days before to 2 days after: thresholds
    20 % closer to normal, escalation waits halved."""
    return risk_window_create(actor=manager, situation=situation, kind="election", title="Presidential run-off",
                              event_date=dt.date(2026, 3, 10), days_before=3, days_after=2,
                              threshold_shift_percent=20, wait_factor=0.5, indicators=[indicator])


@pytest.mark.parametrize(("day", "inside"), [(6, False), (7, True), (10, True), (12, True), (13, False)])
def test_a_risk_window_lowers_the_effective_threshold_inside_it_and_not_outside(
        situation, tracked, indicator, record, threshold_rule, window, day, inside):
    # Warning at 10 and critical at 25; inside the window 8 and 20.
    with time_machine.travel(dt.datetime(2026, 3, day, 12, 0, tzinfo=dt.UTC), tick=False):
        record(situation, indicator, 9)
        services.evaluate_situation(situation_id=situation.pk)
    warned = Alert.objects.filter(indicator=indicator).exists()
    assert warned == inside
    if inside:
        condition = Alert.objects.get(indicator=indicator)
        assert condition.severity == Severity.WARNING and condition.detail["threshold"] == 8
        assert condition.detail["heightened_by_windows"] == [window.pk]


def test_a_window_opening_raises_an_informational_condition_and_shortens_the_waits(
        situation, tracked, indicator, record, threshold_rule, window, manager, policy):
    services.rule_create(actor=manager, name="Window open", trigger=Trigger.RISK_WINDOW, params={},
                         severity=Severity.INFO, policy=policy)
    with time_machine.travel(dt.datetime(2026, 3, 7, 8, 0, tzinfo=dt.UTC), tick=False):
        # The day the window opens, the minute scan wakes the situation with no new fact.
        SituationChange.objects.all().delete()
        assert periodic.scan_deadlines() >= 1
        assert SituationChange.objects.filter(situation=situation).exists()
        services.evaluate_situation(situation_id=situation.pk)
        info = Alert.objects.get(rule__trigger=Trigger.RISK_WINDOW)
        assert info.severity == Severity.INFO and "Presidential run-off" in info.title
        assert indicator.name in info.detail["indicators_on_watch"]
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
        group = AlertGroup.objects.get()
        now = dt.datetime(2026, 3, 7, 8, 0, tzinfo=dt.UTC)
        # The policy's first wait is 30 minutes; the window halves it.
        assert group.next_escalation_at - now == dt.timedelta(minutes=15)
    with time_machine.travel(dt.datetime(2026, 3, 13, 8, 0, tzinfo=dt.UTC), tick=False):
        services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.get(rule__trigger=Trigger.RISK_WINDOW).status == AlertStatus.RESOLVED, \
        "the window closed: its condition cleared"
