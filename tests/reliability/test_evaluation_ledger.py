"""A change that may open an alert leaves its evaluation request in the database in the
same transaction, so a process or database lost between the commit and the on-commit
hook (the fault test saw a reading stored whose answer was a 503) delays the alert
until the next sweep instead of losing it."""
import datetime as dt

from django.utils import timezone

from alerts import periodic
from coordination import services
from coordination.choices import ActionStatus
from coordination.models import SituationChange
from coordination.readings import reading_record


def test_a_reading_commits_its_evaluation_request_even_if_the_on_commit_hook_never_runs(
        situation, tracked, indicator, desk_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=30,
                       observed_at=timezone.now() - dt.timedelta(minutes=1))
    assert hooks, "the wake-up call is still published after the commit"
    assert list(SituationChange.objects.values_list("situation_id", flat=True)) == [situation.pk]
    # ...and the sweep, once the grace period is over, finds it.
    later = timezone.now() + dt.timedelta(minutes=5)
    assert periodic.sweep_unevaluated(now=later) == 1


def test_an_action_transition_commits_its_evaluation_request_too(action, desk_officer,
                                                                  django_capture_on_commit_callbacks):
    SituationChange.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        services.action_transition(actor=desk_officer, action=action, to_status=ActionStatus.AGREED)
    assert SituationChange.objects.filter(situation_id=action.situation_id).exists()
