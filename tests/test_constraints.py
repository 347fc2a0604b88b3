"""The database itself refuses rows that break an absolute rule.

Rows are written with Model.save() or QuerySet.update(), which skip full_clean, so
nothing but PostgreSQL stands between the bad row and the table. Each refusal is
matched on the constraint's name, so a test cannot pass on some other error.
"""
import math
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from coordination.choices import ActionStatus, Direction
from coordination.models import Action, Government, Indicator, IndicatorReading, PartnerAssignment, Situation
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    GovernmentFactory,
    IndicatorFactory,
    ReadingFactory,
    SituationFactory,
    TrackedIndicatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(constraint: str):
    return pytest.raises(IntegrityError, match=constraint)


# --- Users ----------------------------------------------------------------------------

def test_a_liaison_without_a_government_is_refused():
    with refused("liaison_has_government"), transaction.atomic():
        User(username="stray", role=Role.LIAISON, government=None).save()


def test_a_liaison_cannot_lose_their_government_afterwards(liaison):
    with refused("liaison_has_government"), transaction.atomic():
        User.objects.filter(pk=liaison.pk).update(government=None)


def test_staff_roles_need_no_government():
    for role in (Role.DESK_OFFICER, Role.MANAGER, Role.ADMIN):
        User(username=f"staff-{role}", role=role).save()
    assert User.objects.filter(government__isnull=True).count() == 3


# --- Governments and situations ----------------------------------------------------------

@pytest.mark.parametrize("code", ["xab", "X", "X1", "X B", ""])
def test_a_badly_written_government_code_is_refused(code):
    with refused("government_code_format"), transaction.atomic():
        Government(code=code, name=f"Government {code!r}").save()


@pytest.mark.parametrize("code", ["xa", "X", "X1", "xA"])
def test_a_badly_written_country_code_is_refused(code):
    with refused("situation_country_code_format"), transaction.atomic():
        SituationFactory(country_code=code)


@pytest.mark.parametrize(("field", "constraint"), [
    ("status", "situation_status_valid"),
    ("risk_level", "situation_risk_level_valid"),
    ("marking", "situation_marking_valid"),
])
def test_a_situation_choice_outside_its_list_is_refused(situation, field, constraint):
    with refused(constraint), transaction.atomic():
        Situation.objects.filter(pk=situation.pk).update(**{field: "white"})


def test_a_government_is_assigned_to_a_situation_only_once(situation, home_government):
    with refused("one_assignment_per_government"), transaction.atomic():
        PartnerAssignment(situation=situation, government=home_government).save()


def test_an_assignment_role_outside_its_list_is_refused(situation):
    with refused("assignment_role_valid"), transaction.atomic():
        situation.assignments.update(role="sponsor")


# --- Indicators ---------------------------------------------------------------------------

@pytest.mark.parametrize(("direction", "warning", "critical"), [
    (Direction.HIGHER_IS_WORSE, 20, 10),
    (Direction.LOWER_IS_WORSE, 10, 20),
])
def test_thresholds_out_of_order_for_the_direction_of_harm_are_refused(direction, warning, critical):
    with refused("indicator_thresholds_in_order"), transaction.atomic():
        IndicatorFactory(direction=direction, warning_threshold=warning, critical_threshold=critical)


def test_flipping_the_direction_under_existing_thresholds_is_refused(indicator):
    with refused("indicator_thresholds_in_order"), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(direction=Direction.LOWER_IS_WORSE)


@pytest.mark.parametrize(("direction", "warning", "critical"), [
    (Direction.HIGHER_IS_WORSE, 10, 10),
    (Direction.LOWER_IS_WORSE, 20, 10),
    (Direction.HIGHER_IS_WORSE, None, 10),
    (Direction.LOWER_IS_WORSE, 10, None),
])
def test_thresholds_in_order_or_partly_unset_are_accepted(direction, warning, critical):
    IndicatorFactory(direction=direction, warning_threshold=warning, critical_threshold=critical)


@pytest.mark.parametrize("risk_factor", [0, 15])
def test_a_risk_factor_outside_the_frameworks_1_to_14_is_refused(risk_factor):
    with refused("indicator_risk_factor_1_14"), transaction.atomic():
        IndicatorFactory(risk_factor=risk_factor)


@pytest.mark.parametrize(("field", "constraint"), [
    ("value_kind", "indicator_value_kind_valid"),
    ("direction", "indicator_direction_valid"),
])
def test_an_indicator_choice_outside_its_list_is_refused(field, constraint):
    with refused(constraint), transaction.atomic():
        IndicatorFactory(warning_threshold=None, critical_threshold=None, **{field: "sideways"})


def test_an_indicator_is_tracked_once_per_situation(tracked):
    with refused("indicator_tracked_once_per_situation"), transaction.atomic():
        TrackedIndicatorFactory(situation=tracked.situation, indicator=tracked.indicator)


# --- Readings -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e12 + 1e6, -2e12])
def test_a_reading_that_is_not_a_finite_bounded_number_is_refused(situation, indicator, value):
    with refused("reading_value_finite_and_bounded"), transaction.atomic():
        ReadingFactory(situation=situation, indicator=indicator, value=value)


def test_a_reading_at_the_bound_is_accepted(situation, indicator):
    ReadingFactory(situation=situation, indicator=indicator, value=1e12)
    ReadingFactory(situation=situation, indicator=indicator, value=-1e12)


def test_a_client_id_names_one_reading_only(situation, indicator):
    client_id = uuid.uuid4()
    ReadingFactory(situation=situation, indicator=indicator, client_id=client_id)
    with refused("client_id"), transaction.atomic():
        ReadingFactory(situation=situation, indicator=indicator, client_id=client_id, value=2)


def test_a_reading_is_superseded_at_most_once(situation, indicator):
    original = ReadingFactory(situation=situation, indicator=indicator, value=4)
    ReadingFactory(situation=situation, indicator=indicator, value=5, supersedes=original)
    with refused("supersedes"), transaction.atomic():
        ReadingFactory(situation=situation, indicator=indicator, value=6, supersedes=original)


# --- Actions ----------------------------------------------------------------------------------

def test_a_completed_action_without_a_completion_time_is_refused(action):
    with refused("action_completed_iff_completed_at"), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status=ActionStatus.COMPLETED, agreed_at=timezone.now(),
                                                   completed_at=None)


@pytest.mark.parametrize("status", [s for s in ActionStatus.values if s != ActionStatus.COMPLETED])
def test_a_completion_time_on_an_action_that_is_not_completed_is_refused(action, status):
    with refused("action_completed_iff_completed_at"), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status=status, agreed_at=timezone.now(),
                                                   completed_at=timezone.now())


@pytest.mark.parametrize("status", [ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED])
def test_an_action_past_the_proposal_without_an_agreement_time_is_refused(home_government, situation, status):
    with refused("action_past_proposal_has_agreed_at"), transaction.atomic():
        ActionFactory(situation=situation, owner_government=home_government, status=status, agreed_at=None)


def test_a_completed_action_without_an_agreement_time_is_refused(action):
    with refused("action_past_proposal_has_agreed_at"), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status=ActionStatus.COMPLETED, completed_at=timezone.now(),
                                                   agreed_at=None)


def test_a_proposal_cancelled_before_agreement_needs_no_agreement_time(action):
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.CANCELLED)
    assert Action.objects.get(pk=action.pk).agreed_at is None


@pytest.mark.parametrize(("field", "constraint"), [
    ("status", "action_status_valid"),
    ("kind", "action_kind_valid"),
    ("priority", "action_priority_valid"),
])
def test_an_action_choice_outside_its_list_is_refused(action, field, constraint):
    with refused(constraint), transaction.atomic():
        # agreed_at set, so that only the choice itself is at fault
        Action.objects.filter(pk=action.pk).update(agreed_at=timezone.now(), **{field: "whenever"})


def test_a_refused_row_leaves_the_table_as_it_was(situation, home_government):
    before = PartnerAssignment.objects.count()
    with refused("one_assignment_per_government"), transaction.atomic():
        AssignmentFactory(situation=situation, government=GovernmentFactory(code="XNE"))
        AssignmentFactory(situation=situation, government=home_government)
    assert PartnerAssignment.objects.count() == before


def test_an_action_due_date_is_required(situation, home_government):
    with refused("due_date"), transaction.atomic():
        ActionFactory(situation=situation, owner_government=home_government, due_date=None)

