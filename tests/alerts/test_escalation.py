import datetime as dt

import pytest
import time_machine

from alerts import services
from alerts.choices import AlertStatus, EventKind
from alerts.models import AlertGroup, Notification
from core.errors import DomainError, NotPermitted
from testkit.signoffs import signed_off

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def alert(situation, tracked, indicator, record, threshold_rule):
    """The situation's escalation (its group), opened by one critical reading at T0."""
    with at(0):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
    return AlertGroup.objects.get()


def managers_notified():
    return Notification.objects.filter(recipient__username="manager").count()


def test_an_unacknowledged_alert_climbs_to_the_next_step_when_its_wait_ends(alert):
    assert alert.next_escalation_at == T0 + dt.timedelta(minutes=30)
    with at(29):
        assert services.escalate_due_alerts() == 0
    assert managers_notified() == 0
    with at(30):
        assert services.escalate_due_alerts() == 1
        assert services.escalate_due_alerts() == 0, "a second scan at the same time does nothing"
    alert.refresh_from_db()
    assert alert.current_step == 1 and managers_notified() == 2  # e-mail and in-app
    assert "manager" in Notification.objects.filter(recipient__username="manager").first().reason


def test_the_last_step_repeats_until_someone_acknowledges(alert):
    for minute in (30, 60, 90):
        with at(minute):
            services.escalate_due_alerts()
    alert.refresh_from_db()
    assert alert.current_step == 1 and managers_notified() == 6  # three rounds, e-mail and in-app
    assert alert.events.filter(kind=EventKind.ESCALATED).count() == 3


def test_an_acknowledged_alert_escalates_no_further(alert, desk_officer):
    with at(10):
        services.group_acknowledge(actor=desk_officer, group=alert)
    with at(300):
        assert services.escalate_due_alerts() == 0
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == desk_officer
    assert managers_notified() == 0


def test_a_snoozed_alert_resumes_its_clock_after_the_snooze(alert, manager):
    with at(10):
        services.group_snooze(actor=manager, group=alert, until=T0 + dt.timedelta(hours=2))
    with at(119):
        assert services.escalate_due_alerts() == 0
    with at(120):
        services.escalate_due_alerts()
        alert.refresh_from_db()
        assert alert.status == AlertStatus.OPEN and managers_notified() == 0
    # 20 minutes of the first step's wait were left when it was snoozed.
    with at(139):
        assert services.escalate_due_alerts() == 0
    with at(140):
        assert services.escalate_due_alerts() == 1
    assert managers_notified() == 2
    assert [e.kind for e in alert.events.filter(kind__in=[EventKind.SNOOZED, EventKind.SNOOZE_ENDED])] == [
        EventKind.SNOOZED, EventKind.SNOOZE_ENDED]


def test_a_liaison_may_acknowledge_an_alert_addressed_to_them_but_not_resolve_it(alert, liaison):
    with pytest.raises(NotPermitted):
        services.group_resolve(actor=liaison, group=alert, note="done")
    services.group_acknowledge(actor=liaison, group=alert)
    assert alert.events.get(kind=EventKind.ACKNOWLEDGED).actor == liaison


def test_a_liaison_of_another_government_cannot_touch_the_alert(alert, other_liaison):
    with pytest.raises(AlertGroup.DoesNotExist):
        services.group_acknowledge(actor=other_liaison, group=alert)


def test_managers_resolve_reassign_and_escalate_now_each_on_the_timeline(alert, manager, desk_officer, other_liaison):
    services.group_escalate_now(actor=manager, group=alert, note="Minister asked")
    with pytest.raises(DomainError) as error:
        services.group_reassign(actor=manager, group=alert, owner=other_liaison)
    assert error.value.field == "owner"
    services.group_reassign(actor=manager, group=alert, owner=desk_officer)
    with pytest.raises(DomainError):
        services.group_resolve(actor=manager, group=alert, note=" ")
    # Critical, its condition holding: the resolution waits for a second manager.
    asked = services.group_resolve(actor=manager, group=alert, note="Envoy dispatched.")
    alert.refresh_from_db()
    assert alert.status != AlertStatus.RESOLVED
    signed_off(asked)
    alert.refresh_from_db()
    assert (alert.status, alert.owner, alert.resolution_note) == (AlertStatus.RESOLVED, desk_officer, "Envoy dispatched.")
    actors = {e.kind: e.actor for e in alert.events.all() if e.actor}
    assert actors == {EventKind.ESCALATED: manager, EventKind.REASSIGNED: manager, EventKind.RESOLVED: manager}
    assert Notification.objects.filter(recipient=desk_officer, event__kind=EventKind.REASSIGNED).count() == 2, \
        "the new owner is told, by e-mail and in the app"
