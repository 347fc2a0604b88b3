"""Two-person sign-off on situations: lowering a TLP:RED or TLP:AMBER+STRICT marking,
dropping the risk level two steps or more, and closing wait for a second person; who
may decide, rejection, cancellation and the audit log (coordination/signoffs.py)."""
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit import AuditEvent, AuditKind
from accounts.models import Role
from coordination import closing, signoffs
from coordination.choices import ActionStatus, Marking, PartnerRole, RiskLevel, SituationStatus
from coordination.models import Situation, SignoffKind, SignoffRequest, SignoffStatus
from coordination.services import situation_update
from core.errors import DomainError, NotPermitted
from testkit import cast
from testkit.factories import ActionFactory, AssignmentFactory, SituationFactory, UserFactory


def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def etag(client, situation):
    return client.get(f"/api/v1/situations/{situation.pk}")["ETag"]


@pytest.fixture
def second_manager(db):
    return UserFactory(username="manager-two", role=Role.MANAGER)


@pytest.fixture
def red_situation(db, home_government, other_government, liaison, other_liaison, desk_officer):
    """RED and critical; home leads with its liaison named, other supports with its own named."""
    situation = SituationFactory(title="Coastal purge", marking=Marking.RED, risk_level=RiskLevel.CRITICAL,
                                 lead_officer=desk_officer)
    AssignmentFactory(situation=situation, government=home_government, role=PartnerRole.LEAD, liaisons=[liaison])
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.SUPPORT,
                      liaisons=[other_liaison])
    situation.named_liaisons.set([liaison, other_liaison])
    return situation


def patch(client, situation, body):
    return client.patch(f"/api/v1/situations/{situation.pk}", body, format="json",
                        HTTP_IF_MATCH=etag(client, situation))


def fresh(situation) -> Situation:
    return Situation.objects.get(pk=situation.pk)


def audit_kinds():
    return list(AuditEvent.objects.filter(object_type="coordination.signoffrequest").order_by("id")
                .values_list("kind", flat=True))


@pytest.mark.parametrize(("start", "lowered_to", "gated"), [
    (Marking.RED, Marking.AMBER_STRICT, True),
    (Marking.RED, Marking.CLEAR, True),
    (Marking.AMBER_STRICT, Marking.AMBER, True),
    (Marking.AMBER, Marking.GREEN, False),
    (Marking.AMBER_STRICT, Marking.RED, False),  # raising never waits
])
def test_lowering_a_marking_from_red_or_amber_strict_waits_for_a_second_person(
        red_situation, desk_officer, manager, start, lowered_to, gated):
    Situation.objects.filter(pk=red_situation.pk).update(marking=start)
    answer = patch(api(desk_officer), red_situation, {"marking": lowered_to, "title": "Coastal purge (revised)"})
    if not gated:
        assert answer.status_code == 200 and fresh(red_situation).marking == lowered_to
        return
    assert answer.status_code == 202, answer.content
    assert answer.json()["kind"] == SignoffKind.LOWER_MARKING
    assert answer.json()["payload"]["changes"] == {"marking": lowered_to, "title": "Coastal purge (revised)"}
    unchanged = fresh(red_situation)
    assert (unchanged.marking, unchanged.title, unchanged.version) == (start, "Coastal purge", 1)
    done = api(manager).post(f"/api/v1/sign-offs/{answer.json()['id']}/approve", {}, format="json")
    assert done.status_code == 200, done.content
    changed = fresh(red_situation)
    assert (changed.marking, changed.title, changed.version) == (lowered_to, "Coastal purge (revised)", 2)


@pytest.mark.parametrize(("lowered_to", "gated"), [
    (RiskLevel.VERY_HIGH, False), (RiskLevel.HIGH, True), (RiskLevel.LOW, True)])
def test_lowering_the_risk_level_by_two_steps_or_more_waits_for_a_second_person(
        red_situation, desk_officer, second_manager, lowered_to, gated):
    answer = patch(api(desk_officer), red_situation, {"risk_level": lowered_to})
    if not gated:
        assert answer.status_code == 200 and fresh(red_situation).risk_level == lowered_to
        return
    assert answer.status_code == 202 and answer.json()["kind"] == SignoffKind.LOWER_RISK
    assert fresh(red_situation).risk_level == RiskLevel.CRITICAL
    assert api(second_manager).post(f"/api/v1/sign-offs/{answer.json()['id']}/approve", {},
                                    format="json").status_code == 200
    assert fresh(red_situation).risk_level == lowered_to


def test_closing_a_situation_waits_for_a_second_person_then_closes_and_cancels_its_actions(
        red_situation, desk_officer, manager, home_government):
    action = ActionFactory(situation=red_situation, owner_government=home_government, status=ActionStatus.AGREED,
                           agreed_at=timezone.now())
    client = api(desk_officer)
    answer = client.post(f"/api/v1/situations/{red_situation.pk}/close",
                         {"outcome": "risk_receded", "note": "Ceasefire holds.", "cancel_reason": "Moot."},
                         format="json", HTTP_IF_MATCH=etag(client, red_situation))
    assert answer.status_code == 202, answer.content
    assert answer.json()["payload"]["outcome"] == "risk_receded"
    assert fresh(red_situation).status != SituationStatus.CLOSED
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED
    assert api(manager).post(f"/api/v1/sign-offs/{answer.json()['id']}/approve", {},
                             format="json").status_code == 200
    closed = fresh(red_situation)
    assert (closed.status, closed.outcome, closed.outcome_note, closed.closed_by) == (
        SituationStatus.CLOSED, "risk_receded", "Ceasefire holds.", desk_officer)
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_a_closing_that_would_be_refused_is_refused_at_once_not_held(red_situation, desk_officer, home_government):
    ActionFactory(situation=red_situation, owner_government=home_government, status=ActionStatus.AGREED,
                           agreed_at=timezone.now())
    with pytest.raises(DomainError) as refused:
        closing.situation_close(actor=desk_officer, situation=red_situation, outcome="risk_receded")
    assert refused.value.field == "cancel_reason"
    assert not SignoffRequest.objects.exists()


def test_a_lead_government_liaison_may_approve_and_another_governments_liaison_may_not(
        red_situation, desk_officer, liaison, other_liaison):
    request = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    assert isinstance(request, SignoffRequest)
    url = f"/api/v1/sign-offs/{request.pk}/approve"
    assert api(other_liaison).post(url, {}, format="json").status_code == 403  # named, supports: may not
    assert api(cast.user("red_liaison")).post(url, {}, format="json").status_code == 404  # not assigned
    assert fresh(red_situation).marking == Marking.RED
    assert api(liaison).post(url, {}, format="json").status_code == 200
    assert fresh(red_situation).marking == Marking.GREEN


def test_a_lead_liaison_no_longer_named_on_red_cannot_see_the_request(red_situation, desk_officer, liaison):
    request = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    red_situation.named_liaisons.remove(liaison)
    assert api(liaison).get(f"/api/v1/sign-offs/{request.pk}").status_code == 404
    assert api(liaison).post(f"/api/v1/sign-offs/{request.pk}/approve", {}, format="json").status_code == 404
    assert fresh(red_situation).marking == Marking.RED


def test_a_requester_never_approves_their_own_request_even_as_a_manager(red_situation, manager):
    request = situation_update(actor=manager, situation=red_situation, risk_level=RiskLevel.LOW)
    with pytest.raises(NotPermitted):
        signoffs.signoff_approve(actor=manager, request=request)
    assert fresh(red_situation).risk_level == RiskLevel.CRITICAL
    assert SignoffRequest.objects.get().status == SignoffStatus.PENDING


def test_a_rejection_needs_a_note_and_changes_nothing(red_situation, desk_officer, manager):
    request = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.CLEAR)
    url = f"/api/v1/sign-offs/{request.pk}/reject"
    empty = api(manager).post(url, {}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["fields"]
    done = api(manager).post(url, {"note": "Still too sensitive."}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert fresh(red_situation).marking == Marking.RED
    assert api(manager).post(f"/api/v1/sign-offs/{request.pk}/approve", {}, format="json").status_code == 400


def test_only_the_requester_may_cancel(red_situation, desk_officer, manager):
    request = closing.situation_close(actor=desk_officer, situation=red_situation, outcome="handed_over")
    url = f"/api/v1/sign-offs/{request.pk}/cancel"
    assert api(manager).post(url, {}, format="json").status_code == 403
    assert api(desk_officer).post(url, {"note": "Wrong outcome."}, format="json").status_code == 200
    assert SignoffRequest.objects.get().status == SignoffStatus.CANCELLED
    assert fresh(red_situation).status != SituationStatus.CLOSED


def test_every_step_is_in_the_audit_log(red_situation, desk_officer, manager, second_manager):
    first = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    signoffs.signoff_reject(actor=manager, request=first, note="No.")
    second = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    signoffs.signoff_cancel(actor=desk_officer, request=second)
    third = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    signoffs.signoff_approve(actor=second_manager, request=third, note="Yes.")
    assert audit_kinds() == [AuditKind.SIGNOFF_REQUESTED, AuditKind.SIGNOFF_REJECTED,
                             AuditKind.SIGNOFF_REQUESTED, AuditKind.SIGNOFF_CANCELLED,
                             AuditKind.SIGNOFF_REQUESTED, AuditKind.SIGNOFF_APPROVED]
    approved = AuditEvent.objects.get(kind=AuditKind.SIGNOFF_APPROVED)
    assert (approved.actor, approved.object_id, approved.detail["situation_id"]) == (
        second_manager, str(third.pk), red_situation.pk)


def test_the_waiting_list_holds_what_one_may_decide_and_ones_own(red_situation, desk_officer, manager, liaison,
                                                                 other_liaison):
    request = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    for user, expected in ((desk_officer, [request.pk]), (manager, [request.pk]), (liaison, [request.pk]),
                           (other_liaison, []), (cast.user("lonely_liaison"), [])):
        listed = api(user).get("/api/v1/sign-offs?waiting=true").json()["results"]
        assert [row["id"] for row in listed] == expected, user
    everything = api(other_liaison).get("/api/v1/sign-offs").json()["results"]
    assert [(row["id"], row["may_decide"]) for row in everything] == [(request.pk, False)]


def test_the_database_refuses_a_request_approved_by_its_requester(red_situation, desk_officer):
    from django.db import IntegrityError, transaction

    request = situation_update(actor=desk_officer, situation=red_situation, marking=Marking.GREEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignoffRequest.objects.filter(pk=request.pk).update(status=SignoffStatus.APPROVED, decided_by=desk_officer,
                                                            decided_at=timezone.now())


def test_the_situation_page_edit_shows_the_waiting_banner_and_the_request(red_situation, desk_officer, manager):
    page = Client()
    page.force_login(desk_officer)
    form = {"title": red_situation.title, "country_code": red_situation.country_code, "area": "", "summary": "",
            "status": red_situation.status, "risk_level": red_situation.risk_level, "marking": Marking.AMBER,
            "lead_officer": desk_officer.pk, "version": 1,
            "named_liaisons": list(red_situation.named_liaisons.values_list("pk", flat=True))}
    answer = page.post(f"/situations/{red_situation.pk}/edit/", form, follow=True)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Waiting for a second person&#x27;s sign-off" in body or "Waiting for a second person's sign-off" in body
    assert 'id="signoffs"' in body and "Lower the marking from TLP:RED" in body
    assert fresh(red_situation).marking == Marking.RED


def test_a_lead_liaison_deciding_a_merge_does_not_learn_where_it_is_merged(red_situation, desk_officer, manager,
                                                                          liaison, foreign_situation):
    request = closing.situation_close(actor=desk_officer, situation=red_situation, outcome="merged",
                                      merged_into=foreign_situation)
    seen = api(liaison).get(f"/api/v1/sign-offs/{request.pk}").json()
    assert seen["payload"]["outcome"] == "merged" and "merged_into_id" not in seen["payload"]
    page = Client()
    page.force_login(liaison)
    assert "Secret highland crisis" not in page.get(f"/sign-offs/{request.pk}/").content.decode()
    assert api(manager).get(f"/api/v1/sign-offs/{request.pk}").json()["payload"]["merged_into_id"] == \
        foreign_situation.pk
