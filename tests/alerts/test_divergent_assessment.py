"""Divergent assessments: when partners' latest assessments of one indicator are far
apart, one condition opens in the situation's escalation, says who assessed what and
when, and reaches the lead desk officer and the lead government's liaisons whatever
the step; it clears when they converge or when a reconciliation note is recorded."""
import datetime as dt

import pytest
import time_machine

from alerts import services
from alerts.choices import AlertStatus, Channel, StepTarget, Trigger
from alerts.models import Alert, Notification
from coordination.choices import PartnerRole, ValueKind
from coordination.notes import note_add
from coordination.readings import reading_record
from core.errors import NotPermitted
from testkit.factories import AssignmentFactory, IndicatorFactory, TrackedIndicatorFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def managers_only(manager):
    """A policy whose only step targets managers: the addressees are not on it."""
    return services.policy_create(actor=manager, name="Managers only", steps=[
        {"targets": [StepTarget.MANAGERS], "channels": [Channel.EMAIL, Channel.IN_APP], "wait_minutes": 30}])


@pytest.fixture
def divergence_rule(manager, managers_only):
    return services.rule_create(actor=manager, name="Partners diverge", trigger=Trigger.DIVERGENT_ASSESSMENT,
                                params={}, severity="warning", policy=managers_only, cooldown_minutes=0)


@pytest.fixture
def lead(situation, other_government, other_liaison):
    """The other government leads the cast's situation; home supports it."""
    return AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.LEAD,
                             liaisons=[other_liaison])


@pytest.fixture
def ordinal(situation):
    indicator = IndicatorFactory(code="fa-ordinal-hate-speech", name="Hate speech by officials",
                                 value_kind=ValueKind.ORDINAL, warning_threshold=None, critical_threshold=None)
    TrackedIndicatorFactory(situation=situation, indicator=indicator)
    return indicator


def assess(liaison, situation, indicator, value, minutes):
    with at(minutes):
        reading, _ = reading_record(actor=liaison, situation=situation, indicator=indicator, value=value,
                                    observed_at=T0 + dt.timedelta(minutes=minutes - 1))
        services.evaluate_situation(situation_id=situation.pk)
    return reading


def test_two_partners_assessing_one_and_three_open_one_condition_and_converging_clears_it(
        situation, lead, ordinal, divergence_rule, liaison, other_liaison, desk_officer, manager, mailoutbox):
    assess(liaison, situation, ordinal, 1, 0)
    assert not Alert.objects.exists(), "one partner alone cannot diverge"
    assess(other_liaison, situation, ordinal, 3, 5)
    [condition] = Alert.objects.filter(rule=divergence_rule)
    assert condition.status == AlertStatus.OPEN
    assert condition.dedup_key.endswith(f":d{ordinal.pk}") and condition.indicator_id == ordinal.pk
    assert "XHA 1" in condition.title and "XOT 3" in condition.title
    who = {(a["government"], a["value"]) for a in condition.detail["assessments"]}
    assert who == {("XHA", 1.0), ("XOT", 3.0)}
    assert all(a["observed_at"] for a in condition.detail["assessments"])
    # Addressed to the lead desk officer and the lead government's liaison, although the
    # group's step targets managers only; the supporting partner's liaison is not told.
    told = set(Notification.objects.filter(group=condition.group).values_list("recipient__username", flat=True))
    assert {desk_officer.username, other_liaison.username, manager.username} <= told
    assert liaison.username not in told
    assert Notification.objects.filter(group=condition.group, recipient=desk_officer).count() == 2  # mail + app

    from alerts.delivery import deliver_notification

    mail = Notification.objects.get(group=condition.group, recipient=other_liaison, channel=Channel.EMAIL)
    with at(6):
        deliver_notification(notification_id=mail.pk)
    [message] = mailoutbox
    assert message.to == [other_liaison.email] and situation.title in message.subject
    assert "Partners diverge on Hate speech by officials" in message.body

    assess(other_liaison, situation, ordinal, 3, 10)  # the same view again: still one condition
    assert Alert.objects.filter(rule=divergence_rule).count() == 1

    assess(other_liaison, situation, ordinal, 2, 15)  # 1 against 2: converging
    condition.refresh_from_db()
    assert condition.status == AlertStatus.RESOLVED and not condition.condition_active


def test_a_reconciliation_note_clears_it_until_a_partner_assesses_again(
        situation, lead, ordinal, divergence_rule, liaison, other_liaison):
    assess(liaison, situation, ordinal, 1, 0)
    assess(other_liaison, situation, ordinal, 3, 5)
    condition = Alert.objects.get(rule=divergence_rule)
    with at(20):
        note_add(actor=other_liaison, situation=situation, indicator=ordinal, reconciles=True,
                 body="Talked it through at the desk meeting: both views stand, the lead's is used.")
        services.evaluate_situation(situation_id=situation.pk)
    condition.refresh_from_db()
    assert condition.status == AlertStatus.RESOLVED
    assess(liaison, situation, ordinal, 0, 30)  # a new assessment after the note: diverging again
    assert Alert.objects.filter(rule=divergence_rule, status=AlertStatus.OPEN).count() == 1


def test_only_staff_and_the_lead_governments_liaisons_may_reconcile(situation, lead, ordinal, liaison):
    with pytest.raises(NotPermitted):
        note_add(actor=liaison, situation=situation, indicator=ordinal, reconciles=True, body="We agree now.")
    assert not situation.notes.exists()


def test_the_secretariats_own_reading_is_not_a_partners_assessment(
        situation, lead, ordinal, divergence_rule, liaison, desk_officer):
    assess(liaison, situation, ordinal, 0, 0)
    assess(desk_officer, situation, ordinal, 3, 5)
    assert not Alert.objects.filter(rule=divergence_rule).exists()


def test_numbers_diverge_beyond_the_rules_share_of_the_larger_magnitude(
        situation, lead, divergence_rule, liaison, other_liaison, manager):
    displaced = IndicatorFactory(code="fa-displaced", name="People displaced (thousands)")
    TrackedIndicatorFactory(situation=situation, indicator=displaced)
    assess(liaison, situation, displaced, 10, 0)
    assess(other_liaison, situation, displaced, 16, 5)  # 6 apart: within half of 16
    assert not Alert.objects.filter(rule=divergence_rule).exists()
    assess(other_liaison, situation, displaced, 25, 10)  # 15 apart: more than half of 25
    assert Alert.objects.filter(rule=divergence_rule, status=AlertStatus.OPEN).count() == 1
    services.rule_update(actor=manager, rule=divergence_rule, params={"share": 0.7})
    with at(15):
        services.evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.filter(rule=divergence_rule, status=AlertStatus.OPEN).exists()


def test_yes_no_assessments_diverge_when_they_disagree(situation, lead, divergence_rule, liaison, other_liaison):
    militia = IndicatorFactory(code="fa-militia", name="Militias armed by the state", value_kind=ValueKind.BOOLEAN,
                               warning_threshold=None, critical_threshold=None)
    TrackedIndicatorFactory(situation=situation, indicator=militia)
    assess(liaison, situation, militia, 1, 0)
    assess(other_liaison, situation, militia, 0, 5)
    assert Alert.objects.filter(rule=divergence_rule, status=AlertStatus.OPEN).count() == 1


@pytest.mark.parametrize(("params", "field"), [({"levels": 0}, "params.levels"), ({"share": 0}, "params.share"),
                                               ({"share": "half"}, "params.share")])
def test_bad_parameters_are_refused_naming_them(manager, managers_only, params, field):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.rule_create(actor=manager, name="Bad", trigger=Trigger.DIVERGENT_ASSESSMENT, params=params,
                             severity="warning", policy=managers_only)
    assert refused.value.field == field
