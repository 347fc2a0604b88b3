"""Closing a situation with an outcome, and reopening it (coordination/closing.py): what a
desk officer checks afterwards — the status and outcome, what became of the open actions
and their progress log, the history, and that the escalation engine was told."""
import contextlib
import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from coordination import closing
from coordination.choices import ActionStatus, SituationOutcome, SituationStatus
from coordination.models import Action, Situation, SituationChange
from coordination.services import action_propose, action_transition, situation_open, situation_update
from core.errors import DomainError, NotPermitted, VersionConflict
from testkit.factories import ActionFactory, SituationFactory
from testkit.signoffs import signed_off

pytestmark = pytest.mark.django_db


def close(situation, actor, **kwargs):
    """Closing needs a second person: `actor` asks, a second manager signs it off."""
    kwargs.setdefault("outcome", SituationOutcome.RISK_RECEDED)
    return signed_off(closing.situation_close(actor=actor, situation=situation, **kwargs))


def closed_situation(actor, **kwargs):
    situation = SituationFactory(title="Settled dispute")
    return close(situation, actor, note=kwargs.pop("note", "The agreement holds."), **kwargs)


@contextlib.contextmanager
def refused(field):
    """The service says no, and names the input at fault."""
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.field == field, (info.value.field, info.value.message)


# --- Closing ----------------------------------------------------------------------------

def test_closing_records_the_outcome_who_and_when_and_raises_the_version(situation, desk_officer):
    moment = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone.utc)
    with time_machine.travel(moment, tick=False):
        closed = close(situation, desk_officer, note="Talks resumed; the militia withdrew.", expected_version=1)
    stored = Situation.objects.get(pk=situation.pk)
    assert (stored.status, stored.outcome, stored.outcome_note) == (
        SituationStatus.CLOSED, SituationOutcome.RISK_RECEDED, "Talks resumed; the militia withdrew.")
    assert (stored.closed_at, stored.closed_by, stored.version) == (moment, desk_officer, 2)
    assert closed.version == 2
    assert SituationChange.objects.filter(situation_id=situation.pk).exists(), "the engine was not told"


def test_closing_cancels_each_open_action_through_the_workflow_with_the_reason(situation, desk_officer, manager,
                                                                               home_government):
    proposed = ActionFactory(situation=situation, owner_government=home_government, title="Proposed one")
    agreed = action_transition(actor=manager, action=ActionFactory(situation=situation,
                                                                   owner_government=home_government),
                               to_status=ActionStatus.AGREED)
    done = ActionFactory(situation=situation, owner_government=home_government, status=ActionStatus.COMPLETED,
                         agreed_at=timezone.now(), completed_at=timezone.now())
    close(situation, desk_officer, open_actions="cancel", cancel_reason="Overtaken by the agreement.")

    for action in (proposed, agreed):
        action.refresh_from_db()
        assert action.status == ActionStatus.CANCELLED
        update = action.updates.order_by("-id").first()
        assert update.new_status == ActionStatus.CANCELLED and update.note == "Overtaken by the agreement."
        assert update.author == desk_officer
        assert action.history.first().history_change_reason.endswith("→ cancelled")
    done.refresh_from_db()
    assert done.status == ActionStatus.COMPLETED and not done.updates.exists()


def test_closing_may_keep_the_open_actions_open_for_their_owners(situation, desk_officer, action):
    close(situation, desk_officer, open_actions="keep")
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED and not action.updates.exists()
    # Kept actions go on: their owners may still finish them.
    assert action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED).status == "agreed"


def test_cancelling_open_actions_needs_a_reason_and_nothing_changes_without_one(situation, desk_officer, action):
    with refused("cancel_reason") as info:
        close(situation, desk_officer, open_actions="cancel", cancel_reason="  ")
    assert "1 open action" in info.value.message
    action.refresh_from_db()
    situation.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED and situation.status != SituationStatus.CLOSED


def test_without_open_actions_no_reason_is_asked(situation, desk_officer):
    assert close(situation, desk_officer, open_actions="cancel").status == SituationStatus.CLOSED


def test_the_outcome_other_needs_a_note(situation, desk_officer):
    with refused("note"):
        close(situation, desk_officer, outcome=SituationOutcome.OTHER, note=" ")
    assert close(situation, desk_officer, outcome=SituationOutcome.OTHER, note="Mandate ended.").outcome == "other"


def test_an_unknown_outcome_or_open_actions_choice_is_refused(situation, desk_officer):
    with refused("outcome"):
        close(situation, desk_officer, outcome="forgotten")
    with refused("open_actions"):
        close(situation, desk_officer, open_actions="ignore")


def test_a_merge_names_another_open_situation(situation, desk_officer):
    target = SituationFactory(title="Regional crisis")
    with refused("merged_into"):
        close(situation, desk_officer, outcome=SituationOutcome.MERGED)
    with refused("merged_into"):
        close(situation, desk_officer, outcome=SituationOutcome.MERGED, merged_into=situation)
    with refused("merged_into"):
        close(situation, desk_officer, outcome=SituationOutcome.MERGED, merged_into=closed_situation(desk_officer))
    with refused("merged_into"):
        close(situation, desk_officer, outcome=SituationOutcome.RISK_RECEDED, merged_into=target)
    merged = close(situation, desk_officer, outcome=SituationOutcome.MERGED, merged_into=target)
    assert merged.merged_into == target and list(target.merged_from.all()) == [merged]


def test_a_closed_situation_cannot_be_closed_again(desk_officer):
    situation = closed_situation(desk_officer)
    with refused("status"):
        close(situation, desk_officer, outcome=SituationOutcome.OTHER, note="Again")
    assert Situation.objects.get(pk=situation.pk).outcome == SituationOutcome.RISK_RECEDED


def test_a_liaison_may_not_close_a_situation_they_see(situation, liaison):
    with pytest.raises(NotPermitted):
        close(situation, liaison)
    assert Situation.objects.get(pk=situation.pk).status != SituationStatus.CLOSED


def test_closing_over_a_newer_version_changes_nothing(situation, desk_officer, manager, action):
    situation_update(actor=manager, situation=situation, expected_version=1, area="Lower valley")
    with pytest.raises(VersionConflict):
        close(situation, desk_officer, expected_version=1, cancel_reason="Late")
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED
    assert Situation.objects.get(pk=situation.pk).status != SituationStatus.CLOSED


def test_a_closed_situation_takes_no_new_action(desk_officer, home_government):
    situation = closed_situation(desk_officer)
    with refused("situation"):
        action_propose(actor=desk_officer, situation=situation, title="Late idea", kind="demarche",
                       owner_government=home_government, due_date=timezone.localdate())


def test_closure_of_is_what_the_engine_reads_none_while_open(situation, desk_officer):
    assert closing.closure_of(situation) is None
    closed = close(situation, desk_officer, outcome=SituationOutcome.HANDED_OVER, note="The regional office watches.")
    closure = closing.closure_of(closed)
    assert (closure.outcome, closure.outcome_label, closure.closed_by_id) == (
        "handed_over", "Monitoring handed over", desk_officer.pk)
    assert closure.summary == "Situation closed: Monitoring handed over. The regional office watches."
    bare = closing.closure_of(closed_situation(desk_officer, note=""))
    assert bare.summary == "Situation closed: Risk receded."


# --- Status edits may not cross the line ---------------------------------------------------

def test_a_status_edit_may_not_close_a_situation(situation, desk_officer):
    with refused("status") as info:
        situation_update(actor=desk_officer, situation=situation, status=SituationStatus.CLOSED)
    assert "close" in info.value.message
    with refused("status"):
        situation_open(actor=desk_officer, title="Born closed", country_code="XA", status=SituationStatus.CLOSED)


def test_a_status_edit_may_not_reopen_a_situation_but_other_edits_of_it_are_fine(desk_officer):
    situation = closed_situation(desk_officer)
    with refused("status") as info:
        situation_update(actor=desk_officer, situation=situation, status=SituationStatus.ACTIVE)
    assert "reopen" in info.value.message.lower()
    edited = situation_update(actor=desk_officer, situation=situation, status=SituationStatus.CLOSED,
                              summary="Archived with the mediation report.")
    assert (edited.status, edited.summary, edited.outcome) == ("closed", "Archived with the mediation report.",
                                                               "risk_receded")


def test_moving_between_open_statuses_is_still_an_edit(situation, desk_officer):
    edited = situation_update(actor=desk_officer, situation=situation, status=SituationStatus.ACTIVE)
    assert edited.status == SituationStatus.ACTIVE


# --- Reopening ----------------------------------------------------------------------------

def test_reopening_clears_the_outcome_and_the_history_keeps_it_with_the_reason(desk_officer, manager):
    situation = closed_situation(desk_officer, outcome=SituationOutcome.MERGED,
                                 merged_into=SituationFactory(title="Wider crisis"))
    SituationChange.objects.all().delete()
    reopened = closing.situation_reopen(actor=manager, situation=situation, status=SituationStatus.ACTIVE,
                                        note="Attacks resumed in the valley.", expected_version=situation.version)
    stored = Situation.objects.get(pk=situation.pk)
    assert (stored.status, stored.outcome, stored.outcome_note, stored.merged_into, stored.closed_at,
            stored.closed_by) == (SituationStatus.ACTIVE, "", "", None, None, None)
    assert stored.version == reopened.version == situation.version + 1
    latest, before = stored.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_change_reason == "reopened: Attacks resumed in the valley."
    assert latest.history_user == manager
    assert (before.status, before.outcome, before.history_change_reason) == (
        "closed", "merged", "closed: Merged into another situation")
    assert SituationChange.objects.filter(situation_id=situation.pk).exists(), "the engine was not told"


def test_reopening_needs_a_reason_an_open_status_and_a_closed_situation(situation, desk_officer):
    with refused("status"):
        closing.situation_reopen(actor=desk_officer, situation=situation, note="Not closed")
    closed = closed_situation(desk_officer)
    with refused("note"):
        closing.situation_reopen(actor=desk_officer, situation=closed, note="   ")
    with refused("status"):
        closing.situation_reopen(actor=desk_officer, situation=closed, note="Why", status=SituationStatus.CLOSED)
    assert Situation.objects.get(pk=closed.pk).status == SituationStatus.CLOSED


def test_a_liaison_may_not_reopen_and_a_stale_version_is_refused(desk_officer, liaison):
    closed = closed_situation(desk_officer)
    with pytest.raises(NotPermitted):
        closing.situation_reopen(actor=liaison, situation=closed, note="Please")
    with pytest.raises(VersionConflict):
        closing.situation_reopen(actor=desk_officer, situation=closed, note="Late", expected_version=1)


def test_a_long_reopening_reason_is_kept_whole(desk_officer):
    reason = "New reports from the camps. " * 20
    reopened = closing.situation_reopen(actor=desk_officer, situation=closed_situation(desk_officer), note=reason)
    assert reopened.history.first().history_change_reason == f"reopened: {reason.strip()}"


def test_a_reopened_situation_can_be_closed_again(desk_officer):
    situation = closed_situation(desk_officer)
    reopened = closing.situation_reopen(actor=desk_officer, situation=situation, note="Flare-up")
    again = close(reopened, desk_officer, outcome=SituationOutcome.ATROCITIES_OCCURRED,
                  note="Referred to the commission of inquiry.")
    assert (again.outcome, again.version) == ("atrocities_occurred", situation.version + 2)


# --- The database refuses what the services never write ------------------------------------

@pytest.mark.parametrize(("changes", "constraint"), [
    ({"status": "closed"}, "situation_closed_iff_outcome"),
    ({"status": "closed", "outcome": "other"}, "situation_closed_iff_outcome"),
    ({"outcome": "risk_receded", "closed_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)},
     "situation_closed_iff_outcome"),
    ({"status": "closed", "outcome": "vanished", "closed_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)},
     "situation_outcome_valid"),
    ({"status": "closed", "outcome": "merged", "closed_at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)},
     "situation_merged_iff_merged_into"),
])
def test_the_database_refuses_a_closing_half_written(situation, changes, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Situation.objects.filter(pk=situation.pk).update(**changes)


def test_the_database_refuses_a_situation_merged_into_itself(situation):
    with pytest.raises(IntegrityError, match="situation_not_merged_into_itself"), transaction.atomic():
        Situation.objects.filter(pk=situation.pk).update(
            status="closed", outcome="merged", merged_into=situation,
            closed_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))


# --- What the escalation engine does with it today --------------------------------------------

def test_after_closing_no_alert_of_the_situation_stays_unresolved(situation, desk_officer, rule, tracked):
    """The engine learns of the closing from the outbox and evaluates no rule on a closed
    situation, so what was open winds down and nothing is left to escalate."""
    from alerts.escalation import escalate_due_alerts
    from alerts.evaluation import evaluate_situation
    from alerts.models import UNRESOLVED_Q, Alert
    from coordination.readings import reading_record

    reading_record(actor=desk_officer, situation=situation, indicator=tracked.indicator, value=99,
                   observed_at=timezone.now() - dt.timedelta(minutes=5))
    evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.filter(UNRESOLVED_Q, situation=situation).count() == 1

    close(situation, desk_officer, note="Ceasefire verified.")
    assert SituationChange.objects.filter(situation_id=situation.pk).exists()
    evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.filter(UNRESOLVED_Q, situation=situation).exists()
    assert escalate_due_alerts(now=timezone.now() + dt.timedelta(days=2)) == 0


def test_still_open_q_keeps_closed_situations_and_their_rows_out(situation, foreign_situation, desk_officer, action):
    close(foreign_situation, desk_officer)
    assert list(Situation.objects.filter(closing.still_open_q())) == [situation]
    assert list(Action.objects.filter(closing.still_open_q("situation__"))) == [action]
    close(situation, desk_officer, open_actions="keep")
    assert not Action.objects.filter(closing.still_open_q("situation__")).exists()
