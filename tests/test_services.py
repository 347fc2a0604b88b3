"""The write path (coordination.services, coordination.readings) and the visibility rule it relies on."""
import datetime as dt
import math
import uuid
from contextlib import contextmanager

import pytest
from django.utils import timezone

from accounts.models import Role
from coordination.choices import Marking, PartnerRole, ValueKind
from core.errors import DomainError, NotPermitted, VersionConflict
from coordination.models import IndicatorReading, PartnerAssignment, Situation
from coordination.selectors import situation_get, situation_list
from coordination.readings import ReadingInput, reading_record, readings_record
from coordination.services import assignment_create, assignment_delete, situation_update
from testkit.factories import (
    GovernmentFactory,
    IndicatorFactory,
    SituationFactory,
    TrackedIndicatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def an_hour_ago():
    return timezone.now() - dt.timedelta(hours=1)


def record(actor, situation, indicator, value, **extra):
    extra.setdefault("observed_at", an_hour_ago())
    return reading_record(actor=actor, situation=situation, indicator=indicator, value=value, **extra)


@contextmanager
def refusal(field: str):
    """A DomainError naming `field`: what the API turns into a 400 on that field."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.field == field, info.value.field


# --- Readings ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e12 + 1, -1e13])
def test_a_reading_must_be_a_finite_number_within_bounds(desk_officer, situation, indicator, tracked, value):
    with refusal("value"):
        record(desk_officer, situation, indicator, value)
    assert not IndicatorReading.objects.exists()


@pytest.mark.parametrize(("kind", "accepted", "refused"), [
    (ValueKind.BOOLEAN, [0, 1], [0.5, 2, -1]),
    (ValueKind.ORDINAL, [0, 1, 2, 3], [1.5, 4, -1]),
])
def test_yes_no_and_ordinal_indicators_take_only_their_values(desk_officer, situation, kind, accepted, refused):
    indicator = IndicatorFactory(value_kind=kind, warning_threshold=1, critical_threshold=1)
    TrackedIndicatorFactory(situation=situation, indicator=indicator)
    for value in accepted:
        record(desk_officer, situation, indicator, value)
    for value in refused:
        with refusal("value"):
            record(desk_officer, situation, indicator, value)
    assert sorted(IndicatorReading.objects.values_list("value", flat=True)) == accepted


def test_a_reading_from_the_future_is_refused_but_small_clock_skew_is_not(desk_officer, situation, indicator,
                                                                          tracked):
    with refusal("observed_at"):
        record(desk_officer, situation, indicator, 3, observed_at=timezone.now() + dt.timedelta(hours=1))
    reading, created = record(desk_officer, situation, indicator, 3,
                              observed_at=timezone.now() + dt.timedelta(minutes=2))
    assert created and IndicatorReading.objects.get() == reading


def test_a_reading_without_a_time_zone_is_refused(desk_officer, situation, indicator, tracked):
    with refusal("observed_at"):
        record(desk_officer, situation, indicator, 3, observed_at=dt.datetime(2026, 1, 5, 12, 0))


def test_a_reading_of_an_indicator_the_situation_does_not_track_is_refused(desk_officer, situation, indicator):
    with refusal("indicator"):
        record(desk_officer, situation, indicator, 3)
    assert not IndicatorReading.objects.exists()


def test_resending_a_reading_with_the_same_client_id_returns_the_stored_one(desk_officer, situation, indicator,
                                                                            tracked):
    client_id, observed = uuid.uuid4(), an_hour_ago()
    first, created_first = record(desk_officer, situation, indicator, 12, observed_at=observed, client_id=client_id)
    again, created_again = record(desk_officer, situation, indicator, 12, observed_at=observed, client_id=client_id)
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert IndicatorReading.objects.count() == 1


def test_a_used_client_id_with_a_different_reading_is_refused(desk_officer, situation, indicator, tracked):
    client_id, observed = uuid.uuid4(), an_hour_ago()
    record(desk_officer, situation, indicator, 12, observed_at=observed, client_id=client_id)
    with refusal("client_id") as refused:
        record(desk_officer, situation, indicator, 13, observed_at=observed, client_id=client_id)
    assert refused.value.code == "client_id_conflict"
    assert list(IndicatorReading.objects.values_list("value", flat=True)) == [12]


def test_a_batch_is_all_or_nothing_and_names_the_failing_row(desk_officer, situation, indicator, tracked):
    batch = [ReadingInput(indicator=indicator, value=value, observed_at=an_hour_ago() - dt.timedelta(days=day))
             for day, value in enumerate([4, 7, math.nan, 9])]
    with refusal("2.value"):
        readings_record(actor=desk_officer, situation=situation, readings=batch)
    assert not IndicatorReading.objects.exists()

    stored = readings_record(actor=desk_officer, situation=situation, readings=[*batch[:2], batch[3]])
    assert [created for _reading, created in stored] == [True, True, True]
    assert IndicatorReading.objects.count() == 3


def test_a_correction_supersedes_a_reading_once(desk_officer, situation, indicator, tracked):
    original, _ = record(desk_officer, situation, indicator, 40)
    correction, _ = record(desk_officer, situation, indicator, 4, supersedes=original)
    assert original.superseded_by == correction
    with refusal("supersedes"):
        record(desk_officer, situation, indicator, 5, supersedes=original)


def test_a_liaisons_reading_is_their_governments_and_only_where_they_see(liaison, situation, indicator, tracked,
                                                                         foreign_situation, home_government):
    reading, _created = record(liaison, situation, indicator, 3)
    assert reading.assessing_government == home_government
    TrackedIndicatorFactory(situation=foreign_situation, indicator=indicator)
    with pytest.raises(NotPermitted):
        record(liaison, foreign_situation, indicator, 3)
    assert IndicatorReading.objects.count() == 1


# --- Assignments -------------------------------------------------------------------------

def test_assigning_a_government_twice_is_refused(desk_officer, situation, home_government):
    with refusal("government") as refused:
        assignment_create(actor=desk_officer, situation=situation, government=home_government)
    assert refused.value.code == "duplicate"
    assert situation.assignments.count() == 1


def test_the_liaison_of_an_assignment_must_speak_for_that_government(desk_officer, situation, other_government,
                                                                     liaison):
    with refusal("liaisons"):
        assignment_create(actor=desk_officer, situation=situation, government=other_government, liaisons=[liaison])
    assert not situation.assignments.filter(government=other_government).exists()


def test_an_inactive_government_cannot_be_assigned(desk_officer, situation):
    dormant = GovernmentFactory(code="XDO", is_active=False)
    with refusal("government"):
        assignment_create(actor=desk_officer, situation=situation, government=dormant)


def test_a_liaison_cannot_assign_governments(liaison, foreign_situation, home_government):
    with pytest.raises(NotPermitted):
        assignment_create(actor=liaison, situation=foreign_situation, government=home_government)


def test_unassigning_a_government_cuts_its_liaison_off_at_once(desk_officer, liaison, situation):
    assert list(situation_list(user=liaison)) == [situation]
    assignment_delete(actor=desk_officer, assignment=situation.assignments.get(government=liaison.government))
    assert list(situation_list(user=liaison)) == []
    with pytest.raises(Situation.DoesNotExist):
        situation_get(user=liaison, situation_id=situation.pk)


def test_assigning_a_government_opens_the_situation_to_its_liaison(desk_officer, other_liaison, situation):
    assert not situation_list(user=other_liaison).filter(pk=situation.pk).exists()
    assignment_create(actor=desk_officer, situation=situation, government=other_liaison.government,
                      role=PartnerRole.OBSERVER, liaisons=[other_liaison])
    assert situation_list(user=other_liaison).filter(pk=situation.pk).exists()


# --- Visibility per TLP marking ------------------------------------------------------------

# marking -> the partner roles whose liaisons see the situation (RED: see the tests below)
SEEN_BY = {
    Marking.CLEAR: {PartnerRole.LEAD, PartnerRole.SUPPORT, PartnerRole.OBSERVER},
    Marking.GREEN: {PartnerRole.LEAD, PartnerRole.SUPPORT, PartnerRole.OBSERVER},
    Marking.AMBER: {PartnerRole.LEAD, PartnerRole.SUPPORT, PartnerRole.OBSERVER},
    Marking.AMBER_STRICT: {PartnerRole.LEAD, PartnerRole.SUPPORT},
    Marking.RED: set(),  # assignment alone is not enough under RED
}
CASES = [(marking, role) for marking in SEEN_BY for role in PartnerRole.values]


@pytest.mark.parametrize(("marking", "role"), CASES, ids=[f"{m}-{r}" for m, r in CASES])
def test_an_assigned_liaison_sees_a_situation_as_its_marking_allows(marking, role, liaison, home_government,
                                                                    other_liaison, manager):
    situation = SituationFactory(marking=marking)
    PartnerAssignment.objects.create(situation=situation, government=home_government, role=role).liaisons.set([liaison])
    expected = role in SEEN_BY[marking]
    assert situation_list(user=liaison).filter(pk=situation.pk).exists() is expected
    # Never anyone unassigned; always staff.
    assert not situation_list(user=other_liaison).filter(pk=situation.pk).exists()
    assert situation_list(user=manager).filter(pk=situation.pk).exists()


def test_red_is_seen_only_by_named_liaisons_who_are_still_assigned(desk_officer, liaison, home_government):
    situation = SituationFactory(marking=Marking.RED)
    colleague = UserFactory(username="colleague", role=Role.LIAISON, government=home_government)
    assignment = PartnerAssignment.objects.create(situation=situation, government=home_government,
                                                  role=PartnerRole.LEAD)
    assignment.liaisons.set([liaison])
    situation.named_liaisons.set([liaison])

    assert situation_list(user=liaison).filter(pk=situation.pk).exists()
    # Same government, same assignment, not named: RED excludes them.
    assert not situation_list(user=colleague).filter(pk=situation.pk).exists()

    assignment_delete(actor=desk_officer, assignment=assignment)
    # Still named, no longer assigned: cut off too.
    assert not situation_list(user=liaison).filter(pk=situation.pk).exists()


def test_a_named_liaison_of_an_unassigned_government_does_not_see_a_red_situation(other_liaison):
    situation = SituationFactory(marking=Marking.RED)
    situation.named_liaisons.set([other_liaison])
    assert not situation_list(user=other_liaison).filter(pk=situation.pk).exists()


def test_staff_roles_see_every_situation_and_liaisons_only_theirs(desk_officer, manager, admin_user, liaison,
                                                                 situation, foreign_situation):
    for staff in (desk_officer, manager, admin_user):
        assert set(situation_list(user=staff)) == {situation, foreign_situation}
    assert set(situation_list(user=liaison)) == {situation}


def test_the_liaison_of_a_deactivated_government_sees_nothing(liaison, situation, home_government):
    home_government.is_active = False
    home_government.save()
    liaison.refresh_from_db()
    assert not situation_list(user=liaison).exists()


# --- Situations ------------------------------------------------------------------------------

def test_editing_a_situation_raises_its_version(desk_officer, situation):
    updated = situation_update(actor=desk_officer, situation=situation, expected_version=1, risk_level="high")
    assert (updated.version, Situation.objects.get(pk=situation.pk).risk_level) == (2, "high")


def test_editing_an_older_version_of_a_situation_is_refused_and_changes_nothing(desk_officer, manager, situation):
    situation_update(actor=manager, situation=situation, expected_version=1, title="Lowland displacement (revised)")
    with pytest.raises(VersionConflict):
        situation_update(actor=desk_officer, situation=situation, expected_version=1, risk_level="critical")
    stored = Situation.objects.get(pk=situation.pk)
    assert (stored.title, stored.risk_level, stored.version) == ("Lowland displacement (revised)", "moderate", 2)


def test_a_field_the_service_does_not_edit_is_refused_by_name(desk_officer, situation):
    with refusal("version"):
        situation_update(actor=desk_officer, situation=situation, version=99)
