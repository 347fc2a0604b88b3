"""The demo command builds a believable, fictional world, and building it again changes nothing."""
import datetime as dt
from collections import defaultdict
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import Role, User
from coordination.sharing import can_see_situation
from coordination.choices import OPEN_ACTION_STATUSES, ActionStatus, Marking, PartnerRole, RiskLevel, ValueKind
from demo.world import DEMO_PASSWORD
from coordination.models import Action, Government, IndicatorReading, Situation, TrackedIndicator
from testkit.fixtures import FAST_PASSWORD_HASHERS


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """Built once for the module (a few seconds), inside a transaction rolled back at
    the end; every test runs in a savepoint within it and sees the same world."""
    out = StringIO()
    # The same fast hasher as the rest of the suite (testkit/fixtures.py), whose fixture
    # applies per test and so after this module-wide world is built.
    fast_hashing = override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), fast_hashing:
        with transaction.atomic():
            call_command("demo_data", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def world(demo_world, db):
    return demo_world


def count_every_model() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_running_it_a_second_time_changes_nothing(world):
    before = count_every_model()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert count_every_model() == before
    assert before["coordination.IndicatorReading"] > 12 * 5 * 10


def test_running_it_again_weeks_later_changes_nothing_either(world):
    # bin/run loads the demo on every start: its series must not depend on the day.
    before = count_every_model()
    with time_machine.travel(timezone.now() + dt.timedelta(days=23)):
        call_command("demo_data", stdout=StringIO())
    assert count_every_model() == before


def test_it_prints_the_logins_and_what_it_made(world):
    assert "Demo logins" in world
    for username in ("admin", "manager", "desk", "liaison-xal"):
        assert username in world
    assert DEMO_PASSWORD in world
    assert "situations" in world and "readings" in world


def test_there_is_a_user_of_every_role_and_each_can_log_in(world, client):
    for role in Role.values:
        users = User.objects.filter(role=role)
        assert users.exists(), f"no demo user with role {role}"
        for user in users:
            # Axes guards logins and wants the request that carries the attempt.
            assert client.login(request=RequestFactory().post("/"), username=user.username, password=DEMO_PASSWORD)
            client.logout()


def test_the_admin_is_staff_and_reaches_the_django_admin(world, client, settings):
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.role == Role.ADMIN
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_every_partner_has_exactly_one_liaison(world):
    for government in Government.objects.all():
        assert list(government.users.values_list("role", flat=True)) == [Role.LIAISON], government


def test_every_risk_level_marking_and_partner_role_appears(world):
    assert set(Situation.objects.values_list("risk_level", flat=True)) == set(RiskLevel.values)
    assert set(Situation.objects.values_list("marking", flat=True)) == set(Marking.values)
    for situation in Situation.objects.prefetch_related("assignments"):
        assert situation.assignments.exists(), situation
        assert all(a.liaison_id for a in situation.assignments.all()), situation
    roles = set(apps.get_model("coordination", "PartnerAssignment").objects.values_list("role", flat=True))
    assert roles == set(PartnerRole.values)


def test_red_situations_are_seen_by_their_named_liaisons_only(world):
    red = Situation.objects.filter(marking=Marking.RED)
    assert red.count() >= 2
    for situation in red:
        named = list(situation.named_liaisons.all())
        assert named, situation
        assert all(can_see_situation(liaison, situation.pk) for liaison in named)
        observers = [a.liaison for a in situation.assignments.filter(role=PartnerRole.OBSERVER)]
        assert observers and not any(can_see_situation(liaison, situation.pk) for liaison in observers)


def test_the_world_is_fictional(world):
    assert all(len(code) == 2 and "XA" <= code <= "XZ" for code in Situation.objects.values_list("country_code",
                                                                                              flat=True))
    assert all(code.startswith("X") for code in Government.objects.values_list("code", flat=True))


def test_actions_are_in_every_status_and_some_are_overdue_or_due_this_week(world):
    assert set(Action.objects.values_list("status", flat=True)) == set(ActionStatus.values)
    today = timezone.localdate()
    open_actions = Action.objects.filter(status__in=OPEN_ACTION_STATUSES)
    assert open_actions.filter(due_date__lt=today).exists()
    assert open_actions.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7)).exists()
    completed = Action.objects.filter(status=ActionStatus.COMPLETED)
    assert all(action.completed_at for action in completed)
    # Every status change left its line in the progress log.
    for action in Action.objects.exclude(status=ActionStatus.PROPOSED):
        assert action.updates.filter(new_status=action.status).exists(), action


def test_months_of_readings_cross_warning_and_critical_thresholds(world):
    kinds = set(TrackedIndicator.objects.values_list("indicator__value_kind", flat=True))
    assert kinds == set(ValueKind.values)
    levels = defaultdict(int)
    for tracked in TrackedIndicator.objects.select_related("indicator"):
        readings = IndicatorReading.objects.filter(situation_id=tracked.situation_id, indicator=tracked.indicator)
        times = list(readings.values_list("observed_at", flat=True))
        assert len(times) >= 12 and max(times) - min(times) >= dt.timedelta(days=90), tracked
        for value in readings.values_list("value", flat=True):
            indicator = tracked.indicator
            if indicator.value_reaches(value, tracked.effective_critical):
                levels["critical"] += 1
            elif indicator.value_reaches(value, tracked.effective_warning):
                levels["warning"] += 1
            else:
                levels["calm"] += 1
    assert levels["critical"] and levels["warning"] and levels["calm"], levels
