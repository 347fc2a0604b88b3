"""Two-person sign-off on escalations: a snooze longer than 7 days and the resolution of a
critical escalation whose condition still holds wait for a second person; one person
alone silences nothing (coordination/signoffs.py, alerts/services.py)."""
import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.audit import AuditEvent, AuditKind
from accounts.models import Role
from alerts import periodic, services
from alerts.choices import AlertStatus, EventKind
from alerts.models import AlertEvent, AlertGroup
from coordination.choices import PartnerRole
from coordination.models import SignoffRequest, SignoffStatus
from testkit import cast
from testkit.factories import AssignmentFactory, SituationFactory, UserFactory
from testkit.world import open_escalation

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(hours: float):
    return time_machine.travel(T0 + dt.timedelta(hours=hours), tick=False)


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def second_manager(db):
    return UserFactory(username="manager-two", role=Role.MANAGER, first_name="Sam", last_name="Second")


@pytest.fixture
def led_situation(db, home_government, other_government, liaison, other_liaison, desk_officer):
    """Home leads it, other supports it: each with its liaison."""
    situation = SituationFactory(title="Delta watch", lead_officer=desk_officer)
    AssignmentFactory(situation=situation, government=home_government, role=PartnerRole.LEAD, liaisons=[liaison])
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.SUPPORT,
                      liaisons=[other_liaison])
    return situation


@pytest.fixture
def escalation(rule, led_situation):
    with at(0):
        return open_escalation(rule, led_situation, "Attacks on civilians above critical", policy_frozen=True)


def snooze_for_ten_days(client, group):
    return client.post(f"/api/v1/alert-groups/{group.pk}/snooze",
                       {"until": (T0 + dt.timedelta(days=10)).isoformat(), "note": "Talks next week."}, format="json")


def silenced(group) -> bool:
    group.refresh_from_db()
    return group.status == AlertStatus.SNOOZED or AlertEvent.objects.filter(group=group,
                                                                            kind=EventKind.SNOOZED).exists()


def test_a_long_snooze_by_one_manager_waits_for_a_second_the_same_manager_cannot_approve_and_it_expires_unapproved(
        escalation, manager, second_manager):
    client = api(manager)
    with at(0):
        asked = snooze_for_ten_days(client, escalation)
        assert asked.status_code == 202, asked.content
        body = asked.json()
        assert (body["kind"], body["status"], body["group"]) == ("long_snooze", "pending", escalation.pk)
        assert body["expires_at"] == "2026-03-05T09:00:00Z"  # 72 hours
        assert not silenced(escalation)

        own = client.post(f"/api/v1/sign-offs/{body['id']}/approve", {}, format="json")
        assert own.status_code == 403
        assert SignoffRequest.objects.get().status == SignoffStatus.PENDING
        assert not silenced(escalation)

    with at(71.9):
        assert client.get(f"/api/v1/sign-offs/{body['id']}").json()["status"] == "pending"
    with at(72):
        assert client.get(f"/api/v1/sign-offs/{body['id']}").json()["status"] == "expired"
        late = api(second_manager).post(f"/api/v1/sign-offs/{body['id']}/approve", {}, format="json")
        assert late.status_code == 400 and "expired" in late.json()["detail"]
        assert periodic.expire_signoffs() == 1
        assert periodic.expire_signoffs() == 0
    request = SignoffRequest.objects.get()
    assert (request.status, request.decided_by, request.decided_at) == (SignoffStatus.EXPIRED, None,
                                                                        T0 + dt.timedelta(hours=72))
    assert not silenced(escalation)
    kinds = list(AuditEvent.objects.filter(object_type="coordination.signoffrequest").order_by("id")
                 .values_list("kind", flat=True))
    assert kinds == [AuditKind.SIGNOFF_REQUESTED, AuditKind.SIGNOFF_EXPIRED]
    assert not AuditEvent.objects.filter(kind=AuditKind.ALERT_SNOOZED).exists()


def test_a_second_managers_approval_carries_the_long_snooze_out_as_the_first_managers(
        escalation, manager, second_manager):
    with at(0):
        body = snooze_for_ten_days(api(manager), escalation).json()
    with at(1):
        approved = api(second_manager).post(f"/api/v1/sign-offs/{body['id']}/approve", {"note": "Agreed."},
                                            format="json")
        assert approved.status_code == 200, approved.content
        assert approved.json()["status"] == "approved"
        assert approved.json()["decided_by"]["username"] == "manager-two"
    escalation.refresh_from_db()
    assert escalation.status == AlertStatus.SNOOZED
    assert escalation.snoozed_until == T0 + dt.timedelta(days=10)
    event = AlertEvent.objects.get(group=escalation, kind=EventKind.SNOOZED)
    assert event.actor == manager and event.note == "Talks next week."
    audit = AuditEvent.objects.get(kind=AuditKind.SIGNOFF_APPROVED)
    assert audit.actor == second_manager and audit.detail["requested_by_id"] == manager.pk
    again = api(second_manager).post(f"/api/v1/sign-offs/{body['id']}/approve", {}, format="json")
    assert again.status_code == 400


def test_a_snooze_of_seven_days_or_less_needs_no_second_person(escalation, manager):
    with at(0):
        answer = api(manager).post(f"/api/v1/alert-groups/{escalation.pk}/snooze",
                                   {"until": (T0 + dt.timedelta(days=7)).isoformat()}, format="json")
    assert answer.status_code == 200, answer.content
    assert silenced(escalation) and not SignoffRequest.objects.exists()


def test_a_lead_government_liaison_may_approve_and_another_governments_liaison_may_not(
        escalation, manager, liaison, other_liaison, db):
    with at(0):
        body = snooze_for_ten_days(api(manager), escalation).json()
        url = f"/api/v1/sign-offs/{body['id']}/approve"
        assert api(other_liaison).post(url, {}, format="json").status_code == 403  # supports: sees it, may not
        assert api(cast.user("lonely_liaison")).post(url, {}, format="json").status_code == 404  # not assigned
        assert api(cast.user("desk_officer")).post(url, {}, format="json").status_code == 403
        assert not silenced(escalation)
        done = api(liaison).post(url, {}, format="json")  # a liaison of the lead government
        assert done.status_code == 200, done.content
    assert silenced(escalation)


def test_resolving_a_critical_escalation_while_its_condition_holds_waits_for_a_second_person(
        escalation, manager, second_manager):
    with at(0):
        asked = api(manager).post(f"/api/v1/alert-groups/{escalation.pk}/resolve", {"note": "Calmer now."},
                                  format="json")
        assert asked.status_code == 202, asked.content
        assert asked.json()["kind"] == "resolve_holding"
        escalation.refresh_from_db()
        assert escalation.status == AlertStatus.OPEN
        done = api(second_manager).post(f"/api/v1/sign-offs/{asked.json()['id']}/approve", {}, format="json")
        assert done.status_code == 200
    escalation.refresh_from_db()
    assert escalation.status == AlertStatus.RESOLVED and escalation.resolved_by == manager
    assert escalation.resolution_note == "Calmer now."


def test_resolving_a_critical_escalation_whose_conditions_cleared_or_a_warning_one_needs_no_second_person(
        escalation, rule, situation, manager):
    escalation.conditions.update(condition_active=False)
    assert services.group_resolve(actor=manager, group=escalation, note="Cleared.").status == AlertStatus.RESOLVED
    warning = open_escalation(rule, situation, "A warning")
    AlertGroup.objects.filter(pk=warning.pk).update(severity="warning")
    warning.refresh_from_db()
    assert services.group_resolve(actor=manager, group=warning, note="Fine.").status == AlertStatus.RESOLVED
    assert not SignoffRequest.objects.exists()


def test_the_bulk_resolve_refuses_an_escalation_that_needs_a_sign_off_and_changes_nothing(escalation, manager):
    answer = api(manager).post("/api/v1/alert-groups/bulk", {"verb": "resolve", "groups": [escalation.pk],
                                                             "note": "All done."}, format="json")
    assert answer.status_code == 400 and "sign-off" in answer.json()["fields"]["groups"][0]
    escalation.refresh_from_db()
    assert escalation.status == AlertStatus.OPEN and not SignoffRequest.objects.exists()


def test_a_second_long_snooze_while_one_waits_is_refused_naming_the_first(escalation, manager):
    with at(0):
        first = snooze_for_ten_days(api(manager), escalation).json()
        second = snooze_for_ten_days(api(manager), escalation)
    assert second.status_code == 400 and f"#{first['id']}" in second.json()["detail"]
    assert SignoffRequest.objects.count() == 1


def test_the_sweep_runs_on_beat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["alerts-expire-signoffs"]["task"] == "alerts.expire_signoffs"
    assert settings.CELERY_TASK_ROUTES["alerts.expire_signoffs"] == {"queue": "periodic"}
