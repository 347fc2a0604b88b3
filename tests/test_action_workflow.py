"""The action workflow of docs/DESIGN.md, through coordination.services.action_transition.

Every pair of statuses is tried: the pairs in ACTION_TRANSITIONS must succeed and log
one ActionUpdate; every other pair must be refused and leave no trace.
"""
from collections import deque

import pytest

from coordination.choices import ACTION_TRANSITIONS, ActionStatus
from core.errors import DomainError, NotPermitted, TransitionNotAllowed, VersionConflict
from coordination.models import Action
from coordination.services import action_transition, action_update, assignment_delete

pytestmark = pytest.mark.django_db

ALLOWED = [(source, target) for source, targets in ACTION_TRANSITIONS.items() for target in targets]
REFUSED = [(source, target) for source in ActionStatus.values for target in ActionStatus.values
           if (source, target) not in ALLOWED]


def _path_to(status: str) -> list[str]:
    """The shortest walk through the workflow from proposed to `status`."""
    paths = {ActionStatus.PROPOSED: []}
    queue = deque([ActionStatus.PROPOSED])
    while queue:
        current = queue.popleft()
        for target in ACTION_TRANSITIONS[current]:
            if target not in paths:
                paths[target] = [*paths[current], target]
                queue.append(target)
    return paths[status]


def action_in(status, action, actor) -> Action:
    for step in _path_to(status):
        action = action_transition(actor=actor, action=action, to_status=step, note=f"to {step}")
    return action


def test_every_status_is_reachable_from_a_proposal():
    assert all(_path_to(status) is not None for status in ActionStatus.values)


def test_the_workflow_is_the_one_design_describes():
    assert set(ALLOWED) == {
        ("proposed", "agreed"), ("agreed", "in_progress"), ("in_progress", "completed"),
        ("agreed", "blocked"), ("in_progress", "blocked"), ("blocked", "in_progress"),
        ("proposed", "cancelled"), ("agreed", "cancelled"), ("in_progress", "cancelled"), ("blocked", "cancelled"),
    }


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_an_allowed_transition_succeeds_and_logs_one_update(action, desk_officer, source, target):
    action = action_in(source, action, desk_officer)
    updates_before, version_before = action.updates.count(), action.version

    result = action_transition(actor=desk_officer, action=action, to_status=target, note="Agreed by the capitals.",
                               expected_version=version_before)

    stored = Action.objects.get(pk=action.pk)
    assert stored.status == target == result.status
    assert stored.version == version_before + 1
    assert action.updates.count() == updates_before + 1
    update = action.updates.latest("created_at", "id")
    assert (update.author, update.old_status, update.new_status, update.note) == (
        desk_officer, source, target, "Agreed by the capitals.")


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_any_other_transition_is_refused_and_changes_nothing(action, desk_officer, source, target):
    action = action_in(source, action, desk_officer)
    before = Action.objects.values("status", "version", "progress_note", "agreed_at", "completed_at").get(pk=action.pk)
    updates_before = action.updates.count()

    with pytest.raises(TransitionNotAllowed) as refusal:
        action_transition(actor=desk_officer, action=action, to_status=target, note="Trying anyway.")

    assert refusal.value.field == "status"
    assert source in refusal.value.message and target in refusal.value.message
    assert Action.objects.values("status", "version", "progress_note", "agreed_at", "completed_at").get(
        pk=action.pk) == before
    assert action.updates.count() == updates_before


def test_an_unknown_status_is_refused_with_the_field_named(action, desk_officer):
    with pytest.raises(DomainError) as refusal:
        action_transition(actor=desk_officer, action=action, to_status="finished")
    assert refusal.value.field == "status"
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PROPOSED


def test_a_stale_version_is_refused_as_a_conflict_and_changes_nothing(action, desk_officer, manager):
    seen_version = action.version
    action_transition(actor=manager, action=action, to_status=ActionStatus.AGREED, expected_version=seen_version)

    with pytest.raises(VersionConflict) as conflict:
        action_transition(actor=desk_officer, action=action, to_status=ActionStatus.CANCELLED,
                          note="Overtaken by events.", expected_version=seen_version)

    assert (conflict.value.expected, conflict.value.current) == (1, 2)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.version, stored.updates.count()) == (ActionStatus.AGREED, 2, 1)


def test_the_owner_governments_liaison_may_move_the_action_once_the_secretariat_agreed_it(
        action, liaison, desk_officer):
    with pytest.raises(NotPermitted):
        action_transition(actor=liaison, action=action, to_status=ActionStatus.AGREED, note="Capital agrees.")
    action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)
    action_transition(actor=liaison, action=action, to_status=ActionStatus.IN_PROGRESS, note="Under way.")
    assert action.updates.order_by("id").last().author == liaison


def test_a_liaison_of_another_government_is_not_permitted(action, other_liaison):
    with pytest.raises(NotPermitted):
        action_transition(actor=other_liaison, action=action, to_status=ActionStatus.AGREED)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.version, stored.updates.count()) == (ActionStatus.PROPOSED, 1, 0)


def test_a_liaison_whose_government_was_unassigned_can_no_longer_move_its_action(action, liaison, desk_officer):
    action = action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)
    assignment_delete(actor=desk_officer, assignment=action.situation.assignments.get(government=liaison.government))
    with pytest.raises(NotPermitted):
        action_transition(actor=liaison, action=action, to_status=ActionStatus.IN_PROGRESS)


def test_completing_sets_the_completion_time_and_keeps_the_agreement_time(action, desk_officer):
    action = action_in(ActionStatus.BLOCKED, action, desk_officer)
    agreed_at = action.agreed_at
    action = action_transition(actor=desk_officer, action=action, to_status=ActionStatus.IN_PROGRESS)
    assert action.completed_at is None
    action = action_transition(actor=desk_officer, action=action, to_status=ActionStatus.COMPLETED, note="Delivered.")
    stored = Action.objects.get(pk=action.pk)
    assert stored.completed_at is not None and stored.completed_at >= agreed_at
    assert stored.agreed_at == agreed_at  # agreeing happened once; unblocking does not re-date it
    assert stored.progress_note == "Delivered."


def test_the_version_rises_by_one_with_every_write(action, desk_officer):
    versions = [Action.objects.get(pk=action.pk).version]
    for step in (ActionStatus.AGREED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.IN_PROGRESS):
        action = action_transition(actor=desk_officer, action=action, to_status=step)
        versions.append(Action.objects.get(pk=action.pk).version)
    action_update(actor=desk_officer, action=action, progress_note="Envoy travels on Monday.")
    versions.append(Action.objects.get(pk=action.pk).version)
    assert versions == [1, 2, 3, 4, 5, 6]
