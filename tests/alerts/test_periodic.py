import datetime as dt

import pytest
from django.utils import timezone

from alerts import periodic, services
from alerts.choices import NotificationStatus, Trigger
from alerts.defaults import ensure_default_rules
from alerts.models import Alert, EscalationPolicy, EscalationRule, Notification
from coordination.models import SituationChange
from coordination.choices import ActionStatus
from testkit.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_the_deadline_scan_wakes_only_situations_with_open_actions_due(situation, foreign_situation, home_government,
                                                                       other_government, manager, policy):
    services.rule_create(actor=manager, name="Missed", trigger=Trigger.DEADLINE_MISSED, policy=policy)
    yesterday = timezone.now().date() - dt.timedelta(days=1)
    ActionFactory(situation=situation, owner_government=home_government, due_date=yesterday)
    ActionFactory(situation=foreign_situation, owner_government=other_government, due_date=yesterday,
                  status=ActionStatus.CANCELLED)
    ActionFactory(situation=foreign_situation, owner_government=other_government)  # due in two weeks
    assert periodic.scan_deadlines() == 1
    assert list(SituationChange.objects.values_list("situation_id", flat=True)) == [situation.pk]


def test_the_deadline_scan_does_nothing_without_a_deadline_rule(situation, home_government):
    ActionFactory(situation=situation, owner_government=home_government,
                  due_date=timezone.now().date() - dt.timedelta(days=1))
    assert periodic.scan_deadlines() == 0


def test_the_sweep_publishes_pending_notifications_whose_time_has_passed(situation, tracked, indicator, record,
                                                                         threshold_rule):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    pending = Notification.objects.filter(status=NotificationStatus.PENDING)
    assert periodic.sweep_pending_notifications(grace_seconds=60) == 0, "their own wake-up is still on its way"
    assert periodic.sweep_pending_notifications(now=timezone.now() + dt.timedelta(minutes=2)) == pending.count()


def test_the_daily_digest_goes_once_a_day_to_people_with_alerts_they_may_see(
        situation, tracked, indicator, record, threshold_rule, mailoutbox, other_liaison, manager):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    sent = periodic.send_daily_digests()
    recipients = {m.to[0] for m in mailoutbox}
    assert "manager@example.org" in recipients and other_liaison.email not in recipients
    assert sent == len(mailoutbox)
    assert periodic.send_daily_digests() == 0


def test_the_default_rules_are_created_once_and_produce_alerts(situation, tracked, indicator, record):
    ensure_default_rules()
    ensure_default_rules()
    assert EscalationPolicy.objects.count() == 1 and EscalationRule.objects.count() == len(Trigger), "one per trigger"
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.filter(rule__trigger=Trigger.THRESHOLD_CROSSED).count() == 1
