"""The demo command builds a believable, fictional world with a past, and building it
again changes nothing."""
import datetime as dt
import statistics
from collections import defaultdict
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts.models import Role, User
from alerts.choices import AlertStatus, Channel, EventKind, NotificationStatus
from alerts.models import Alert, AlertEvent, AlertGroup, Notification
from alerts.selectors import warning_response_gaps
from coordination.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Marking,
    PartnerRole,
    RiskLevel,
    ValueKind,
)
from coordination.models import (
    Action,
    Government,
    IndicatorReading,
    Situation,
    TrackedIndicator,
)
from coordination.sharing import can_see_situation
from coordination.views.dashboard import burden_sharing
from demo.history import PRESENT_MARGIN
from demo.world import DEMO_PASSWORD
from testkit.fixtures import FAST_PASSWORD_HASHERS


# The module's clock, fixed so that the live last half hour of the demo's past (what is
# due when it loads) is the same on every run; the clock ticks on from there.
PRESENT = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.timezone.utc)
# What loading the demo may send at once: what fell due in its live last half hour.
# Measured: 0 at PRESENT and most hours of the day; 2 at 08:20 UTC (snoozes end at
# 08:00); 6 in the half hour after midnight UTC, when due dates move and a situation or
# two opens an escalation live.
MAX_PENDING_EMAILS_AFTER_LOAD = 12


def pending_emails() -> int:
    return Notification.objects.filter(channel=Channel.EMAIL, status=NotificationStatus.PENDING).count()


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """Built once for the module (some seconds), inside a transaction rolled back at
    the end; every test runs in a savepoint within it and sees the same world."""
    out = StringIO()
    # The same fast hasher as the rest of the suite (testkit/fixtures.py), whose fixture
    # applies per test and so after this module-wide world is built.
    fast_hashing = override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), fast_hashing, time_machine.travel(PRESENT, tick=True):
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
    table = world.split("Demo logins", 1)[1]
    printed = {line.split()[0] for line in table.splitlines() if DEMO_PASSWORD in line}
    # Every person of the demo world, the second Aldoria liaison (demo/marking.py) too.
    assert printed == set(User.objects.values_list("username", flat=True))
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


def test_every_partner_has_liaisons_only_and_aldoria_a_desk_of_two(world):
    for government in Government.objects.all():
        roles = list(government.users.values_list("role", flat=True))
        assert roles == [Role.LIAISON] * (2 if government.code == "XAL" else 1), government


def test_aldorias_two_liaisons_speak_on_each_of_its_assignments_and_are_named_on_the_red_one_it_leads(world):
    desk = set(Government.objects.get(code="XAL").users.all())
    assignments = apps.get_model("coordination", "PartnerAssignment").objects.filter(government__code="XAL")
    assert assignments.exists()
    for assignment in assignments:
        assert set(assignment.liaisons.all()) == desk, assignment
    red = Situation.objects.get(marking=Marking.RED, assignments__government__code="XAL",
                                assignments__role=PartnerRole.LEAD)
    assert desk <= set(red.named_liaisons.all())
    assert all(can_see_situation(person, red.pk) for person in desk)


def test_every_risk_level_marking_and_partner_role_appears(world):
    assert set(Situation.objects.values_list("risk_level", flat=True)) == set(RiskLevel.values)
    assert set(Situation.objects.values_list("marking", flat=True)) == set(Marking.values)
    for situation in Situation.objects.prefetch_related("assignments"):
        assert situation.assignments.exists(), situation
        assert all(a.liaisons.exists() for a in situation.assignments.all()), situation
    roles = set(apps.get_model("coordination", "PartnerAssignment").objects.values_list("role", flat=True))
    assert roles == set(PartnerRole.values)


def test_red_situations_are_seen_by_their_named_liaisons_only(world):
    red = Situation.objects.filter(marking=Marking.RED)
    assert red.count() >= 2
    for situation in red:
        named = list(situation.named_liaisons.all())
        assert named, situation
        assert all(can_see_situation(liaison, situation.pk) for liaison in named)
        observers = [u for a in situation.assignments.filter(role=PartnerRole.OBSERVER) for u in a.liaisons.all()]
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


# --- the past -------------------------------------------------------------------------------

def test_loading_it_sends_only_what_is_due_now_and_loading_it_again_sends_nothing(world):
    first = pending_emails()
    assert first <= MAX_PENDING_EMAILS_AFTER_LOAD
    assert Notification.objects.filter(channel=Channel.EMAIL, status=NotificationStatus.SENT).count() > 100
    call_command("demo_data", stdout=StringIO())
    assert pending_emails() == first


def test_what_was_notified_in_the_past_was_delivered_then(world):
    past = Notification.objects.filter(created_at__lt=timezone.now() - PRESENT_MARGIN - dt.timedelta(minutes=5))
    assert past.exists()
    assert not past.exclude(status=NotificationStatus.SENT).exists()
    assert not past.exclude(sent_at=models.F("created_at")).exists()


def test_the_queue_holds_at_most_one_escalation_per_situation_with_open_conditions(world):
    queue = AlertGroup.objects.exclude(status=AlertStatus.RESOLVED)
    with_open_conditions = Alert.objects.filter(status=AlertStatus.OPEN).values("situation").distinct().count()
    assert 0 < queue.count() <= with_open_conditions
    per_group = [group.conditions.filter(status=AlertStatus.OPEN).count() for group in queue]
    assert min(per_group) >= 1 and statistics.median(per_group) < 10


def test_escalations_opened_over_the_weeks_the_evidence_crossed(world):
    now = timezone.now()
    opened = list(AlertGroup.objects.values_list("opened_at", flat=True))
    assert min(opened) <= now - dt.timedelta(weeks=4)
    assert len({(now - at).days // 7 for at in opened}) >= 8, "spread over many weeks"
    for group in AlertGroup.objects.all():
        times = list(group.events.values_list("created_at", flat=True))
        assert min(times) >= group.opened_at and max(times) <= now, group


def test_people_worked_the_queue_in_the_past(world):
    kinds = set(AlertEvent.objects.exclude(actor=None).values_list("kind", flat=True))
    assert {EventKind.ACKNOWLEDGED, EventKind.SNOOZED, EventKind.RESOLVED, EventKind.NOTE} <= kinds
    assert AlertEvent.objects.filter(kind=EventKind.SNOOZE_ENDED).exists(), "snoozed, then woken"
    resolved = AlertGroup.objects.filter(status=AlertStatus.RESOLVED, resolved_by__isnull=False)
    assert resolved.exclude(resolution_note="").exists()
    roles = set(AlertEvent.objects.exclude(actor=None).values_list("actor__role", flat=True))
    assert {Role.MANAGER, Role.DESK_OFFICER} <= roles
    weeks_ago = timezone.now() - dt.timedelta(weeks=4)
    assert AlertEvent.objects.filter(kind=EventKind.ACKNOWLEDGED, created_at__lt=weeks_ago).exists()


def test_risk_levels_were_raised_and_lowered_over_the_months(world):
    moved = 0
    for situation in Situation.objects.all():
        records = list(situation.history.order_by("history_date").values_list("history_date", "risk_level"))
        assert records[-1][1] == situation.risk_level
        moved += len({level for _at, level in records}) > 1
        assert records[0][0] < timezone.now() - dt.timedelta(weeks=8), "opened months ago"
    assert moved >= 6


def test_the_warning_response_gaps_show_real_figures(world):
    gaps = warning_response_gaps(Situation.objects.values_list("pk", flat=True)).values()
    warned = [gap for gap in gaps if gap.first_warning_at is not None]
    assert any(gap.open for gap in warned) and not all(gap.open for gap in warned)
    closed = [gap.seconds for gap in warned if not gap.open]
    assert any(seconds < 3 * 86400 for seconds in closed), "some answered within days"
    assert any(seconds > 14 * 86400 for seconds in closed), "some late"


def test_burden_sharing_shows_actions_completed_on_time_and_late(world):
    rows = burden_sharing(User.objects.get(username="manager"))
    assert sum(row["completed_on_time"] for row in rows) and sum(row["completed_late"] for row in rows)
    assert sum(row["overdue"] for row in rows) and sum(row["open"] for row in rows)


def test_actions_moved_at_past_times_and_their_log_agrees(world):
    now = timezone.now()
    for action in Action.objects.prefetch_related("updates"):
        updates = list(action.updates.order_by("id"))
        times = [update.created_at for update in updates]
        assert times == sorted(times) and times[0] == action.created_at, action
        assert action.last_activity_at == times[-1] <= now, action
        if action.agreed_at:
            assert action.created_at < action.agreed_at == next(
                u.created_at for u in updates if u.new_status == ActionStatus.AGREED), action
        if action.completed_at:
            assert action.agreed_at < action.completed_at == times[-1], action
    assert Action.objects.filter(created_at__lt=now - dt.timedelta(weeks=8)).exists()


def test_partners_disagree_on_two_situations_one_was_reconciled_and_partners_wrote_notes(world):
    from alerts.choices import Trigger
    from coordination.models import SituationNote

    diverging = Alert.objects.filter(rule__trigger=Trigger.DIVERGENT_ASSESSMENT, condition_active=True)
    assert diverging.values("situation").distinct().count() == 2
    for condition in diverging:
        assert len({a["government"] for a in condition.detail["assessments"]}) >= 2
    assert Alert.objects.filter(rule__trigger=Trigger.DIVERGENT_ASSESSMENT, condition_active=False).exists()
    assert SituationNote.objects.filter(reconciles=True).count() == 1
    assert SituationNote.objects.filter(government__isnull=False).count() >= 3
    assert IndicatorReading.objects.filter(assessing_government__isnull=False).count() >= 6


def test_the_partners_checked_in_on_time_but_one_missed_it_and_its_condition_is_open(world):
    from coordination.models import CheckIn, PartnerAssignment

    now = timezone.now()
    missed = PartnerAssignment.objects.filter(checkin_due_at__lte=now).exclude(situation__status="closed")
    assert [(a.situation.country_code, a.government.code) for a in missed.select_related("situation", "government")
            ] == [("XG", "XCU")]
    assert not PartnerAssignment.objects.filter(situation__marking="amber_strict", role="observer",
                                                checkin_due_at__isnull=False).exists(), "they cannot see it"
    assert CheckIn.objects.filter(answer="changed").exists() and CheckIn.objects.filter(
        answer="still_accurate").count() > 10
    condition = Alert.objects.get(government__code="XCU", situation__country_code="XG")
    assert condition.status == AlertStatus.OPEN and condition.condition_active


def test_a_desk_officer_waits_for_a_second_persons_sign_off(world):
    from coordination.models import SignoffRequest

    waiting = SignoffRequest.objects.get(status="pending")
    assert (waiting.kind, waiting.requested_by.username, waiting.situation.country_code) == (
        "lower_marking", "desk2", "XB")
    assert waiting.situation.marking == "amber_strict", "nothing changes before it is signed off"


def test_a_joint_demarche_has_four_partners_at_different_stages(world):
    from coordination.models import Commitment

    action = Action.objects.get(title="Joint démarche on the expulsion of relief agencies")
    stages = dict(Commitment.objects.filter(action=action).values_list("government__code", "status"))
    assert stages == {"XDM": "accepted", "XLP": "delivered", "XAL": "invited", "XBV": "declined"}
    assert Commitment.objects.get(action=action, government__code="XBV").decline_reason
    assert action.status == ActionStatus.AGREED and action.created_by.role == Role.LIAISON
    assigned = set(action.situation.assignments.values_list("government__code", flat=True))
    assert set(stages) <= assigned
