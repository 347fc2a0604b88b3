"""A missed check-in, end to end with the clock frozen: the minute scan wakes the
situation when the check-in falls due, the real evaluation opens one condition for that
government, the escalation scan nags that government's liaisons (and nobody else's),
then the policy takes it to the managers; the government checking in clears it."""
import datetime as dt

import pytest
import time_machine

from alerts import periodic, services
from alerts.choices import AlertStatus, EventKind, Trigger
from alerts.delivery import deliver_notification
from alerts.models import Alert, AlertGroup, EscalationRule, Notification
from coordination import checkins, outbox
from coordination import services as coordination
from coordination.choices import PartnerRole, RiskLevel
from coordination.models import SituationChange

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)
DAYS = 30  # a moderate situation: the "default" interval


def at(delta: dt.timedelta):
    return time_machine.travel(T0 + delta, tick=False)


def run_minute(now):
    """What beat and the workers do in one minute: the deadline scan, the evaluations it
    asked for, the escalation scan."""
    periodic.scan_deadlines(now=now)
    for pk in outbox.pending(older_than=now, limit=100):
        services.evaluate_situation(situation_id=pk, now=now)
    services.escalate_due_alerts(now=now)


@pytest.fixture
def watched(desk_officer, manager, policy, home_government, other_government, liaison, other_liaison):
    services.rule_create(actor=manager, name="Check-in missed", trigger=Trigger.CHECKIN_MISSED,
                         params={"grace_hours": 0, "nag_hours": 24}, policy=policy)
    with at(dt.timedelta(0)):
        situation = coordination.situation_open(actor=desk_officer, title="Lowland displacement", country_code="XA",
                                                risk_level=RiskLevel.MODERATE, lead_officer=desk_officer)
        for government, person in ((home_government, liaison), (other_government, other_liaison)):
            coordination.assignment_create(actor=desk_officer, situation=situation, government=government,
                                           role=PartnerRole.SUPPORT, liaisons=[person])
    with at(dt.timedelta(days=DAYS - 1)):
        # The other government checks in on time; the home government will not.
        checkins.check_in(actor=other_liaison, situation=situation, answer="still_accurate")
    SituationChange.objects.all().delete()
    return situation


def recipients_of(kind):
    return {n.recipient.username for n in Notification.objects.filter(event__kind=kind).select_related("recipient")}


def test_a_missed_check_in_nags_that_governments_liaisons_then_escalates_to_managers_and_clears_on_check_in(
        watched, liaison, other_liaison, home_government, manager, mailoutbox):
    due = T0 + dt.timedelta(days=DAYS)
    with at(dt.timedelta(days=DAYS, minutes=-1)):
        run_minute(T0 + dt.timedelta(days=DAYS, minutes=-1))
        assert not Alert.objects.exists(), "not missed a minute before it falls due"

    with at(dt.timedelta(days=DAYS, minutes=1)):
        run_minute(due + dt.timedelta(minutes=1))
    condition = Alert.objects.get()
    assert condition.government == home_government and condition.status == AlertStatus.OPEN
    assert "Home Republic" in condition.title
    group = condition.group
    assert group.current_step == 0

    with at(dt.timedelta(days=DAYS, minutes=2)):
        assert periodic.situations_with_checkins_newly_missed(due + dt.timedelta(minutes=2)) == [], \
            "its condition holds: the scan does not wake it again every minute"

    with at(dt.timedelta(days=DAYS, minutes=32)):
        run_minute(due + dt.timedelta(minutes=32))
    group.refresh_from_db()
    assert group.current_step == 1, "the policy's second step: the managers"
    assert manager.username in recipients_of(EventKind.ESCALATED)

    with at(dt.timedelta(days=DAYS, hours=24, minutes=2)):
        run_minute(due + dt.timedelta(hours=24, minutes=2))
    assert recipients_of(EventKind.NAGGED) == {liaison.username}, "only the government that missed it is nagged"
    assert other_liaison.username not in recipients_of(EventKind.NAGGED)
    nag_mail = Notification.objects.get(event__kind=EventKind.NAGGED, channel="email")
    with at(dt.timedelta(days=DAYS, hours=24, minutes=3)):
        assert deliver_notification(notification_id=nag_mail.pk) == "sent"
    assert [(m.to, "Check-in overdue" in m.subject) for m in mailoutbox] == [([liaison.email], True)]

    with at(dt.timedelta(days=DAYS, hours=25)):
        checkins.check_in(actor=liaison, situation=watched, answer="changed", note="Two new camps in the north.")
        assert SituationChange.objects.filter(situation=watched).exists(), "the check-in is recorded in the outbox"
        run_minute(due + dt.timedelta(hours=25))
    condition.refresh_from_db()
    assert condition.status == AlertStatus.RESOLVED and not condition.condition_active
    assert not AlertGroup.objects.exclude(status=AlertStatus.RESOLVED).exists()


def test_the_grace_delays_the_condition(watched, manager):
    rule = EscalationRule.objects.get(trigger=Trigger.CHECKIN_MISSED)
    services.rule_update(actor=manager, rule=rule, params={"grace_hours": 6, "nag_hours": 24})
    with at(dt.timedelta(days=DAYS, hours=5)):
        run_minute(T0 + dt.timedelta(days=DAYS, hours=5))
    assert not Alert.objects.exists()
    with at(dt.timedelta(days=DAYS, hours=6, minutes=1)):
        run_minute(T0 + dt.timedelta(days=DAYS, hours=6, minutes=1))
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1


def test_the_scan_reads_only_what_just_fell_due(watched, django_assert_max_num_queries):
    # Long past due and already seen by the scans then: not woken again.
    with at(dt.timedelta(days=DAYS + 3)):
        assert periodic.situations_with_checkins_newly_missed(T0 + dt.timedelta(days=DAYS + 3)) == []
    with at(dt.timedelta(days=DAYS, minutes=1)):
        with django_assert_max_num_queries(2):
            assert periodic.situations_with_checkins_newly_missed(T0 + dt.timedelta(days=DAYS, minutes=1)) == [
                watched.pk]
