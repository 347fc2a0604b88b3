"""Escalations people can trust: one group per situation holding its conditions, one
notification per step however many conditions, batched updates, silent returns within
the cool-down, a single flapping notice, and acknowledgements that must see progress."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from alerts import services
from alerts.choices import AlertStatus, Channel, EventKind
from alerts.models import Alert, AlertGroup, Notification
from coordination.models import TrackedIndicator
from coordination.services import action_transition, action_update
from testkit.factories import IndicatorFactory
from testkit.polling import wait_for

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def to(user, kind=None, channel=None):
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(event__kind=kind)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.count()


@pytest.fixture
def three_indicators(situation, indicator):
    """Three indicators watched on the situation, each with warning 10 and critical 25."""
    others = [IndicatorFactory(code=f"fa-{n}-test", name=f"Indicator {n}", risk_factor=n, warning_threshold=10,
                               critical_threshold=25) for n in (4, 7)]
    for each in [indicator, *others]:
        TrackedIndicator.objects.get_or_create(situation=situation, indicator=each)
    return [indicator, *others]


@pytest.mark.worker
def test_one_reading_crossing_three_indicators_opens_one_group_and_each_recipient_gets_one_message_listing_all(
        celery_worker_thread, situation, three_indicators, threshold_rule, desk_officer, liaison, mailoutbox):
    client = APIClient()
    client.force_login(desk_officer)
    observed = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    response = client.post(f"/api/v1/situations/{situation.pk}/readings", [
        {"indicator": i.pk, "value": 30, "observed_at": observed} for i in three_indicators], format="json")
    assert response.status_code == 201, response.content
    group = wait_for(lambda: AlertGroup.objects.filter(situation=situation).first())
    wait_for(lambda: len(mailoutbox) >= 2)
    wait_for(lambda: not Notification.objects.filter(channel=Channel.EMAIL, status="pending").exists())
    assert AlertGroup.objects.count() == 1
    assert group.conditions.count() == 3 and set(group.conditions.values_list("status", flat=True)) == {"open"}
    for person in (desk_officer, liaison):
        assert to(person, channel=Channel.EMAIL) == 1 and to(person, channel=Channel.IN_APP) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["desk@example.org", "liaison@example.org"]
    for message in mailoutbox:
        for each in three_indicators:
            assert each.name in message.body, "the message lists every condition"
        assert situation.title in message.subject and "3 condition" in message.subject


@pytest.mark.django_db
def test_a_condition_joining_an_open_group_is_batched_into_one_update_per_interval(
        situation, three_indicators, record, threshold_rule, desk_officer, settings):
    settings.ALERTS_GROUP_INTERVAL_SECONDS = 300
    first, second, third = three_indicators
    with at(0):
        record(situation, first, 12)
        services.evaluate_situation(situation_id=situation.pk)
    with at(1):
        record(situation, second, 12)
        services.evaluate_situation(situation_id=situation.pk)
    with at(2):
        record(situation, third, 30)  # critical: the group's severity rises too
        services.evaluate_situation(situation_id=situation.pk)
        assert services.escalate_due_alerts() == 0
    group = AlertGroup.objects.get()
    assert group.severity == "critical" and group.current_step == 0, "a rise keeps the step"
    assert to(desk_officer, EventKind.UPDATED) == 0, "nothing before the interval is over"
    with at(5):
        services.escalate_due_alerts()
        services.escalate_due_alerts()
    assert to(desk_officer, EventKind.UPDATED, Channel.EMAIL) == 1, "one update for both joins and the rise"
    assert to(desk_officer, EventKind.OPENED) == 2  # the first step's e-mail and in-app


@pytest.mark.django_db
def test_a_condition_flapping_twenty_times_keeps_the_acknowledgement_and_snooze_and_sends_one_flapping_notice(
        situation, tracked, indicator, record, threshold_rule, desk_officer, liaison, manager, settings):
    settings.ALERTS_FLAP_LIMIT = 5
    with at(0):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
        group = AlertGroup.objects.get()
        services.group_acknowledge(actor=desk_officer, group=group, note="On it.")
        services.group_snooze(actor=manager, group=group, until=T0 + dt.timedelta(hours=4), note="After the call.")
        services.group_reassign(actor=manager, group=group, owner=desk_officer)
    before = {u.pk: Notification.objects.filter(recipient=u).exclude(event__kind=EventKind.REASSIGNED).count()
              for u in (desk_officer, liaison)}
    for flip in range(20):
        with at(0.5 + flip * 0.5):  # every 30 s over ten minutes, well within the 60-minute cool-down
            record(situation, indicator, 3 if flip % 2 == 0 else 30)
            services.evaluate_situation(situation_id=situation.pk)
            services.escalate_due_alerts()
    group.refresh_from_db()
    assert AlertGroup.objects.count() == 1 and Alert.objects.count() == 1
    assert (group.status, group.snoozed_until) == (AlertStatus.SNOOZED, T0 + dt.timedelta(hours=4))
    assert (group.acknowledged_by, group.owner, group.current_step) == (desk_officer, desk_officer, 0)
    assert group.is_flapping
    assert group.events.filter(kind=EventKind.FLAPPING).count() == 1
    for person in (desk_officer, liaison):
        after = Notification.objects.filter(recipient=person).exclude(event__kind=EventKind.REASSIGNED)
        new = after.count() - before[person.pk]
        assert to(person, EventKind.UPDATED, Channel.EMAIL) <= 1
        assert to(person, EventKind.FLAPPING, Channel.EMAIL) == 1, "one flapping notice"
        assert new <= 4, "at most one update and the notice, by e-mail and in the app"
        print(f"\nflap: {person.username} got {new} notification(s) during 20 returns "
              f"({to(person, EventKind.FLAPPING)} flapping notice rows, {to(person, EventKind.UPDATED)} update rows)")


@pytest.fixture
def acknowledged(situation, tracked, indicator, record, threshold_rule, policy, desk_officer, manager):
    """A group the desk officer acknowledged at T0, under a policy that reminds after 4
    hours without progress and lets the acknowledgement lapse 2 hours later."""
    services.policy_update(actor=manager, policy=policy, ack_reminder_hours=4, ack_lapse_hours=2)
    with at(0):
        record(situation, indicator, 30)
        services.evaluate_situation(situation_id=situation.pk)
        group = AlertGroup.objects.get()
        services.group_acknowledge(actor=desk_officer, group=group)
    return group


@pytest.mark.django_db
def test_an_acknowledgement_without_progress_brings_a_reminder_then_lapses_and_the_next_step_is_notified(
        acknowledged, desk_officer, manager):
    group = acknowledged
    with at(4 * 60 - 1):
        services.escalate_due_alerts()
    assert to(desk_officer, EventKind.ACK_REMINDED) == 0
    with at(4 * 60):
        services.escalate_due_alerts()
    group.refresh_from_db()
    assert group.status == AlertStatus.ACKNOWLEDGED
    assert to(desk_officer, EventKind.ACK_REMINDED, Channel.EMAIL) == 1, "the reminder goes to who acknowledged"
    assert to(manager) == 0
    with at(6 * 60):
        services.escalate_due_alerts()
    group.refresh_from_db()
    assert group.status == AlertStatus.OPEN and group.acknowledged_by is None and group.current_step == 1
    assert to(manager, EventKind.ESCALATED, Channel.EMAIL) == 1, "escalation resumed at the next step"
    kinds = list(group.events.values_list("kind", flat=True))
    assert kinds.index(EventKind.ACK_REMINDED) < kinds.index(EventKind.UNACKNOWLEDGED) < kinds.index(
        EventKind.ESCALATED)


@pytest.mark.django_db
def test_progress_on_the_situation_keeps_an_acknowledgement_standing(acknowledged, desk_officer, manager, action):
    group = acknowledged
    with at(3 * 60):
        action_transition(actor=manager, action=action, to_status="agreed")
    with at(4 * 60):
        services.escalate_due_alerts()
    with at(6 * 60):
        services.group_add_note(actor=desk_officer, group=group, note="Envoy briefed.")
    with at(7 * 60):
        services.escalate_due_alerts()
    group.refresh_from_db()
    assert group.status == AlertStatus.ACKNOWLEDGED and to(desk_officer, EventKind.ACK_REMINDED) == 0


@pytest.mark.django_db
def test_an_overdue_action_nags_its_owner_governments_liaisons_and_assignee_until_it_is_updated(
        situation, action, manager, policy, liaison, desk_officer):
    services.rule_create(actor=manager, name="Overdue", trigger="deadline_missed", params={"nag_days": 2},
                         policy=policy)
    action.due_date, action.assignee = T0.date() - dt.timedelta(days=1), desk_officer
    action.last_activity_at = T0 - dt.timedelta(days=5)  # no news since well before it fell due
    action.save()
    with at(0):
        services.evaluate_situation(situation_id=situation.pk)
    for day in (1, 2, 3, 4):
        with at(day * 24 * 60):
            services.escalate_due_alerts()
    assert to(liaison, EventKind.NAGGED, Channel.EMAIL) == 2 and to(desk_officer, EventKind.NAGGED, Channel.EMAIL) == 2
    with at(4 * 24 * 60 + 1):
        action_update(actor=liaison, action=action, progress_note="Démarche scheduled for Monday.")
    with at(8 * 24 * 60):
        services.escalate_due_alerts()
    assert to(liaison, EventKind.NAGGED, Channel.EMAIL) == 2, "updated: the nagging stops"


@pytest.mark.django_db
def test_the_queue_acknowledges_or_resolves_several_groups_at_once_or_none(
        situation, foreign_situation, tracked, indicator, record, threshold_rule, manager, other_liaison):
    # A warning: one manager may resolve it (a critical one still holding needs a second
    # person's sign-off, which a batch refuses: tests/alerts/test_signoffs.py).
    record(situation, indicator, 12)
    services.evaluate_situation(situation_id=situation.pk)
    group = AlertGroup.objects.get()
    client = APIClient()
    client.force_login(manager)
    refused = client.post("/api/v1/alert-groups/bulk", {"verb": "resolve", "groups": [group.pk]}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()["fields"]
    done = client.post("/api/v1/alert-groups/bulk", {"verb": "resolve", "groups": [group.pk], "note": "Handled."},
                       format="json")
    assert done.status_code == 200 and done.json() == {"done": [group.pk]}
    group.refresh_from_db()
    assert group.status == AlertStatus.RESOLVED and group.resolution_note == "Handled."
    liaison_client = APIClient()
    liaison_client.force_login(other_liaison)
    hidden = liaison_client.post("/api/v1/alert-groups/bulk", {"verb": "acknowledge", "groups": [group.pk]},
                                 format="json")
    assert hidden.status_code == 400 and "No such escalation" in str(hidden.json()), "out of scope is unknown"
    # The verbs are the page's (alerts.services.BULK_VERBS); any other names the field.
    unknown = client.post("/api/v1/alert-groups/bulk", {"verb": "snooze", "groups": [group.pk]}, format="json")
    assert unknown.status_code == 400 and "verb" in unknown.json()["fields"]


@pytest.mark.django_db
def test_the_gap_of_a_situation_whose_crossing_reading_was_observed_30_days_ago_reads_30_days(
        situation, tracked, indicator, record, threshold_rule, manager):
    observed = timezone.now() - dt.timedelta(days=30)
    record(situation, indicator, 30, at=observed)  # backfilled today, observed a month ago
    services.evaluate_situation(situation_id=situation.pk)
    client = APIClient()
    client.force_login(manager)
    gap = client.get(f"/api/v1/situations/{situation.pk}").json()["warning_response_gap"]
    assert gap["open"] is True
    first_warning = dt.datetime.fromisoformat(gap["first_warning_at"].replace("Z", "+00:00"))
    assert abs(first_warning - observed) < dt.timedelta(seconds=1), "the reading's observed_at"
    assert 30 * 86400 - 60 <= gap["seconds"] <= 30 * 86400 + 60, "measured from the evidence, not from the engine"


@pytest.mark.django_db
def test_progress_restarts_the_acknowledgement_wait_once_and_then_the_reminder_comes(acknowledged, desk_officer,
                                                                                    manager, action):
    with at(3 * 60):
        action_transition(actor=manager, action=action, to_status="agreed")
    with at(4 * 60):
        services.escalate_due_alerts()  # progress at 3 h: the wait restarts, to 7 h
    with at(7 * 60):
        services.escalate_due_alerts()
    assert to(desk_officer, EventKind.ACK_REMINDED, Channel.EMAIL) == 1, "no new progress: reminded"
    acknowledged.refresh_from_db()
    assert acknowledged.ack_review_at == T0 + dt.timedelta(hours=9), "then it lapses 2 h later"


@pytest.mark.django_db
def test_an_acknowledged_group_snoozed_escalates_again_once_the_snooze_ends(acknowledged, manager):
    with at(60):
        services.group_snooze(actor=manager, group=acknowledged, until=T0 + dt.timedelta(hours=2))
    with at(120):
        services.escalate_due_alerts()
    with at(149):
        assert services.escalate_due_alerts() == 0
    with at(150):  # the first step's 30 minutes, from the end of the snooze
        assert services.escalate_due_alerts() == 1
    assert to(manager, EventKind.ESCALATED, Channel.EMAIL) == 1
