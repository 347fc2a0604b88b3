"""Joint actions (coordination/commitments.py, coordination/joint.py): each partner's
commitment, the done rule, and who may propose and agree."""
import datetime as dt

import pytest
from django.utils import timezone

from coordination import commitments
from coordination.choices import ActionKind, ActionStatus, CommitmentStatus, PartnerRole
from coordination.models import Action, ActionUpdate, Commitment, SituationChange
from coordination.services import action_propose, action_transition
from core.errors import DomainError, NotPermitted, VersionConflict
from testkit import cast
from testkit.factories import AssignmentFactory, SituationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_government(db):
    return cast.government("observer")


@pytest.fixture
def third_liaison(db):
    return cast.user("observer_liaison")


@pytest.fixture
def partners_assigned(situation, other_government, other_liaison, third_government, third_liaison):
    """The home situation with two more partners assigned: other (XOT) and a third (XOB)."""
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.SUPPORT,
                      liaisons=[other_liaison])
    AssignmentFactory(situation=situation, government=third_government, role=PartnerRole.SUPPORT,
                      liaisons=[third_liaison])
    return situation


def propose_joint(actor, situation, lead, partners, **extra):
    return commitments.joint_action_propose(
        actor=actor, situation=situation, title="Joint démarche on the detentions", kind=ActionKind.DEMARCHE,
        owner_government=lead, due_date=timezone.now().date() + dt.timedelta(days=10), partners=partners, **extra)


def part(action, government) -> Commitment:
    return Commitment.objects.get(action=action, government=government)


@pytest.fixture
def agreed_joint(partners_assigned, desk_officer, home_government, other_government, third_government):
    action = propose_joint(desk_officer, partners_assigned, home_government, [other_government, third_government])
    return action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)


def test_a_joint_action_has_the_leads_commitment_accepted_and_each_partner_invited(
        agreed_joint, home_government, other_government, third_government):
    statuses = {c.government_id: c.status for c in agreed_joint.commitments.all()}
    assert statuses == {home_government.pk: CommitmentStatus.ACCEPTED, other_government.pk: CommitmentStatus.INVITED,
                        third_government.pk: CommitmentStatus.INVITED}
    assert {c.due_date for c in agreed_joint.commitments.all()} == {agreed_joint.due_date}


def test_a_joint_action_with_three_accepted_commitments_is_not_done_until_the_third_is_delivered(
        agreed_joint, liaison, other_liaison, third_liaison, home_government, other_government, third_government):
    commitments.commitment_accept(actor=other_liaison, commitment=part(agreed_joint, other_government))
    commitments.commitment_accept(actor=third_liaison, commitment=part(agreed_joint, third_government))
    commitments.commitment_deliver(actor=liaison, commitment=part(agreed_joint, home_government),
                                   note="Delivered in the capital on Monday.")
    commitments.commitment_deliver(actor=other_liaison, commitment=part(agreed_joint, other_government))
    agreed_joint.refresh_from_db()
    assert agreed_joint.status == ActionStatus.AGREED, "two of three delivered: not done"

    commitments.commitment_deliver(actor=third_liaison, commitment=part(agreed_joint, third_government))
    agreed_joint.refresh_from_db()
    assert agreed_joint.status == ActionStatus.COMPLETED and agreed_joint.completed_at is not None
    # Completed through the workflow: the log and the history show each step.
    steps = list(ActionUpdate.objects.filter(action=agreed_joint).values_list("old_status", "new_status"))
    assert steps[-2:] == [("agreed", "in_progress"), ("in_progress", "completed")]
    assert agreed_joint.history.first().status == ActionStatus.COMPLETED


def test_a_declined_commitment_with_a_reason_does_not_block_the_joint_action(
        agreed_joint, liaison, other_liaison, third_liaison, home_government, other_government, third_government):
    with pytest.raises(DomainError) as refused:
        commitments.commitment_decline(actor=third_liaison, commitment=part(agreed_joint, third_government),
                                       reason="  ")
    assert refused.value.field == "reason"
    assert part(agreed_joint, third_government).status == CommitmentStatus.INVITED

    commitments.commitment_decline(actor=third_liaison, commitment=part(agreed_joint, third_government),
                                   reason="Our embassy is closed until March.")
    commitments.commitment_accept(actor=other_liaison, commitment=part(agreed_joint, other_government))
    commitments.commitment_deliver(actor=other_liaison, commitment=part(agreed_joint, other_government))
    commitments.commitment_deliver(actor=liaison, commitment=part(agreed_joint, home_government))
    agreed_joint.refresh_from_db()
    assert agreed_joint.status == ActionStatus.COMPLETED
    assert part(agreed_joint, third_government).decline_reason == "Our embassy is closed until March."


def test_a_pending_invitation_holds_the_action_back(agreed_joint, liaison, other_liaison, home_government,
                                                     other_government):
    commitments.commitment_accept(actor=other_liaison, commitment=part(agreed_joint, other_government))
    commitments.commitment_deliver(actor=other_liaison, commitment=part(agreed_joint, other_government))
    commitments.commitment_deliver(actor=liaison, commitment=part(agreed_joint, home_government))
    agreed_joint.refresh_from_db()
    assert agreed_joint.status == ActionStatus.AGREED, "the third government has not answered"


def test_a_joint_action_cannot_be_completed_by_hand_while_commitments_are_owed(agreed_joint, desk_officer):
    action = action_transition(actor=desk_officer, action=agreed_joint, to_status=ActionStatus.IN_PROGRESS)
    with pytest.raises(DomainError) as refused:
        action_transition(actor=desk_officer, action=action, to_status=ActionStatus.COMPLETED)
    assert refused.value.field == "status" and "accepted commitment" in refused.value.message
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_only_the_commitments_government_or_staff_may_answer_for_it(agreed_joint, liaison, other_liaison,
                                                                      desk_officer, other_government):
    invitation = part(agreed_joint, other_government)
    with pytest.raises(NotPermitted):
        commitments.commitment_accept(actor=liaison, commitment=invitation)
    with pytest.raises(VersionConflict):
        commitments.commitment_accept(actor=other_liaison, commitment=invitation, expected_version=9)
    accepted = commitments.commitment_accept(actor=desk_officer, commitment=invitation, note="Confirmed by phone.")
    assert accepted.status == CommitmentStatus.ACCEPTED and accepted.accepted_at is not None
    assert accepted.updates.last().author == desk_officer


def test_the_lead_cannot_withdraw_and_nothing_is_delivered_before_agreement(
        partners_assigned, desk_officer, liaison, other_liaison, home_government, other_government):
    action = propose_joint(desk_officer, partners_assigned, home_government, [other_government])
    commitments.commitment_accept(actor=other_liaison, commitment=part(action, other_government))
    with pytest.raises(DomainError, match="still proposed"):
        commitments.commitment_deliver(actor=other_liaison, commitment=part(action, other_government))
    with pytest.raises(DomainError, match="cannot withdraw"):
        commitments.commitment_withdraw(actor=liaison, commitment=part(action, home_government))
    withdrawn = commitments.commitment_withdraw(actor=other_liaison, commitment=part(action, other_government),
                                                note="Elections at home.")
    assert withdrawn.status == CommitmentStatus.WITHDRAWN


def test_invited_partners_must_be_assigned_and_come_once(situation, desk_officer, home_government,
                                                        other_government):
    with pytest.raises(DomainError) as refused:
        propose_joint(desk_officer, situation, home_government, [other_government])
    assert refused.value.field == "partners" and not Action.objects.filter(situation=situation).exists()
    AssignmentFactory(situation=situation, government=other_government)
    action = propose_joint(desk_officer, situation, home_government, [other_government])
    with pytest.raises(DomainError) as twice:
        commitments.commitment_invite(actor=desk_officer, action=action, government=other_government)
    assert twice.value.code == "duplicate"


def test_the_lead_governments_liaison_invites_partners_and_a_plain_action_becomes_joint(
        partners_assigned, action, liaison, other_liaison, home_government, other_government):
    with pytest.raises(NotPermitted):
        commitments.commitment_invite(actor=other_liaison, action=action, government=other_government)
    invited = commitments.commitment_invite(actor=liaison, action=action, government=other_government,
                                            due_date=action.due_date + dt.timedelta(days=3))
    assert invited.due_date == action.due_date + dt.timedelta(days=3)
    assert {c.government_id for c in action.commitments.all()} == {home_government.pk, other_government.pk}


def test_a_commitments_due_date_is_staff_work_and_its_note_is_logged_and_recorded_for_the_engine(
        agreed_joint, other_liaison, desk_officer, other_government):
    invitation = part(agreed_joint, other_government)
    with pytest.raises(NotPermitted) as refused:
        commitments.commitment_update(actor=other_liaison, commitment=invitation,
                                      due_date=invitation.due_date + dt.timedelta(days=1))
    assert refused.value.field == "due_date"
    SituationChange.objects.all().delete()
    noted = commitments.commitment_update(actor=other_liaison, commitment=invitation,
                                          progress_note="Asking the capital.", liaison=other_liaison)
    assert noted.progress_note == "Asking the capital." and noted.liaison == other_liaison
    assert noted.updates.last().note == "Asking the capital."
    assert SituationChange.objects.filter(situation_id=agreed_joint.situation_id).exists()
    later = commitments.commitment_update(actor=desk_officer, commitment=noted,
                                          due_date=noted.due_date + dt.timedelta(days=7),
                                          expected_version=noted.version)
    assert later.due_date == agreed_joint.due_date + dt.timedelta(days=7)


# --- Liaisons propose; the secretariat agrees ---------------------------------------------


def propose(actor, situation, government):
    return action_propose(actor=actor, situation=situation, title="Statement by the home capital",
                          kind=ActionKind.PUBLIC_STATEMENT, owner_government=government,
                          due_date=timezone.now().date() + dt.timedelta(days=5))


def test_a_liaisons_proposal_cannot_be_agreed_by_that_liaison_and_a_desk_officers_agreement_works(
        situation, liaison, desk_officer, home_government):
    proposed = propose(liaison, situation, home_government)
    assert proposed.status == ActionStatus.PROPOSED and proposed.created_by == liaison
    with pytest.raises(NotPermitted) as refused:
        action_transition(actor=liaison, action=proposed, to_status=ActionStatus.AGREED)
    assert refused.value.field == "status"
    proposed.refresh_from_db()
    assert proposed.status == ActionStatus.PROPOSED and proposed.agreed_at is None

    agreed = action_transition(actor=desk_officer, action=proposed, to_status=ActionStatus.AGREED)
    assert agreed.status == ActionStatus.AGREED and agreed.agreed_at is not None
    # Once agreed, the liaison moves their government's action along as before.
    moving = action_transition(actor=liaison, action=agreed, to_status=ActionStatus.IN_PROGRESS)
    assert moving.status == ActionStatus.IN_PROGRESS


def test_a_liaison_proposes_only_for_their_government_and_only_where_it_is_assigned(
        situation, foreign_situation, liaison, home_government, other_government):
    with pytest.raises(NotPermitted) as other_gov:
        propose(liaison, situation, other_government)
    assert other_gov.value.field == "owner_government"
    with pytest.raises(NotPermitted):
        propose(liaison, foreign_situation, home_government)
    assert not Action.objects.exists()


def test_a_liaison_proposes_a_joint_action_inviting_other_partners(partners_assigned, liaison, home_government,
                                                                  other_government):
    action = propose_joint(liaison, partners_assigned, home_government, [other_government])
    assert action.created_by == liaison
    assert part(action, other_government).status == CommitmentStatus.INVITED
    with pytest.raises(NotPermitted):
        action_transition(actor=liaison, action=action, to_status=ActionStatus.AGREED)


def test_a_liaison_may_not_propose_on_an_unseen_red_situation(db, home_government, liaison):
    red = SituationFactory(title="Red coast", marking="red")
    AssignmentFactory(situation=red, government=home_government)
    with pytest.raises(NotPermitted):
        propose(liaison, red, home_government)
