"""Deadlines per commitment: a joint action's late partner is found, and nagged, alone."""
import datetime as dt

import pytest
import time_machine

from alerts import services
from alerts.choices import Channel, EventKind
from alerts.models import Alert, Notification
from alerts.periodic import scan_deadlines
from coordination import commitments
from coordination.choices import ActionKind, ActionStatus, PartnerRole
from coordination.models import Commitment, SituationChange
from coordination.services import action_transition
from testkit import cast
from testkit.factories import AssignmentFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def nags_to(user) -> int:
    return Notification.objects.filter(recipient=user, event__kind=EventKind.NAGGED, channel=Channel.EMAIL).count()


@pytest.fixture
def third_liaison(db):
    return cast.user("observer_liaison")


@pytest.fixture
def joint(situation, desk_officer, home_government, other_government, other_liaison, third_liaison):
    """Home leads, other and a third partner accepted; all due in ten days."""
    third = third_liaison.government
    for government, liaison in ((other_government, other_liaison), (third, third_liaison)):
        AssignmentFactory(situation=situation, government=government, role=PartnerRole.SUPPORT, liaisons=[liaison])
    with at(-7 * 24 * 60):
        action = commitments.joint_action_propose(
            actor=desk_officer, situation=situation, title="Joint démarche", kind=ActionKind.DEMARCHE,
            owner_government=home_government, due_date=T0.date() + dt.timedelta(days=10),
            partners=[other_government, third])
        action = action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)
        for c in action.commitments.exclude(government=home_government):
            commitments.commitment_accept(actor=desk_officer, commitment=c)
    return action


@pytest.mark.django_db
def test_a_late_commitment_nags_only_its_government(joint, situation, manager, policy, liaison, other_liaison,
                                                    third_liaison, desk_officer, other_government):
    services.rule_create(actor=manager, name="Overdue", trigger="deadline_missed",
                         params={"grace_days": 0, "nag_days": 2}, policy=policy)
    late = Commitment.objects.get(action=joint, government=other_government)
    with at(-3 * 24 * 60):
        late = commitments.commitment_update(actor=desk_officer, commitment=late,
                                             due_date=T0.date() - dt.timedelta(days=1))
    SituationChange.objects.all().delete()
    with at(0):
        assert scan_deadlines() >= 1, "the deadline scan wakes the situation of a late commitment"
        assert SituationChange.objects.filter(situation=situation).exists()
        services.evaluate_situation(situation_id=situation.pk)
    [condition] = Alert.objects.filter(situation=situation)
    assert condition.commitment == late and condition.action == joint
    assert condition.dedup_key.endswith(f":c{late.pk}") and "Other Federation" in condition.title
    for day in (1, 2, 3, 4):
        with at(day * 24 * 60):
            services.escalate_due_alerts()
    assert nags_to(other_liaison) == 2, "the late partner is reminded every two days"
    assert nags_to(liaison) == nags_to(third_liaison) == nags_to(desk_officer) == 0, "nobody else is nagged"

    with at(4 * 24 * 60 + 1):
        commitments.commitment_update(actor=other_liaison, commitment=late, progress_note="Démarche on Tuesday.")
    with at(8 * 24 * 60):
        services.escalate_due_alerts()
    assert nags_to(other_liaison) == 2, "its government wrote: the nagging stops"


@pytest.mark.django_db
def test_a_joint_action_finds_one_deadline_condition_per_late_accepted_commitment_not_one_for_the_action(
        joint, situation, manager, policy, desk_officer, home_government):
    services.rule_create(actor=manager, name="Overdue", trigger="deadline_missed", params={"grace_days": 0},
                         policy=policy)
    for c in joint.commitments.exclude(government=home_government):
        with at(-24 * 60):
            commitments.commitment_update(actor=desk_officer, commitment=c, due_date=T0.date() - dt.timedelta(days=2))
    with at(0):
        services.evaluate_situation(situation_id=situation.pk)
    conditions = Alert.objects.filter(situation=situation)
    assert conditions.count() == 2 and all(c.commitment_id for c in conditions)
    assert home_government.pk not in {c.commitment.government_id for c in conditions}, "the lead is on time"
    # A partner that delivers is no longer late: its condition clears.
    delivered = conditions.first().commitment
    with at(10):
        commitments.commitment_deliver(actor=desk_officer, commitment=delivered)
        services.evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.filter(situation=situation, condition_active=True).count() == 1
