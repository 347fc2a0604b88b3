"""The partners keep watch (coordination/checkins.py): each government assigned to a
demo situation that can see it checked in recently, on time (one in four saying what
changed), and one did not — the observer on Pellmoor (XCU), whose check-in fell due a
few hours ago: its missed check-in is an open condition on the escalation queue, and its
liaison is nagged when it stays missed (the default rule, every 24 hours).

Made with the situation's past (demo/history.py, Past.add), so a second run finds it
made and adds nothing."""
from __future__ import annotations

import datetime as dt
import random

from coordination import checkins
from coordination.choices import SituationStatus
from coordination.models import CheckIn, CheckInAnswer, PartnerAssignment
from coordination.sharing import can_see_situation

MISSED = ("XG", "XCU")  # (situation's country code, government that missed its check-in)
# A moderate or low situation is checked every "default" days whatever its risk did in
# its past, so the missed one stays missed through the replay.
MISSED_AGO = dt.timedelta(hours=3)
# On time: within the shortest interval (critical), so no replayed risk level makes it late.
RECENT = (dt.timedelta(hours=6), dt.timedelta(days=2, hours=12))
CHANGED_NOTE = "Our embassy reports new checkpoints on the main road; the picture is worse than last week."


def _check_in(liaison, situation, at: dt.datetime, answer: str, note: str = "") -> None:
    checkin = checkins.check_in(actor=liaison, situation=situation, answer=answer, note=note)
    # Backdated as the demo backdates its readings: it happened then.
    CheckIn.objects.filter(pk=checkin.pk).update(checked_in_at=at)


def keep_watch(past, story) -> None:
    situation = story.situation
    if story.spec["status"] == SituationStatus.CLOSED:
        return
    rng = random.Random(f"checkins:{situation.country_code}")
    now = past.now
    for assignment in PartnerAssignment.objects.filter(situation=situation).select_related("government"):
        code = assignment.government.code
        liaison = past.liaison_of[code]
        if not can_see_situation(liaison, situation.pk):
            continue  # a RED situation's observer is not named: it cannot confirm what it cannot see
        if (situation.country_code, code) == MISSED:
            days = checkins.days_for(story.spec["risk"])
            _check_in(liaison, situation, now - MISSED_AGO - dt.timedelta(days=days), CheckInAnswer.STILL_ACCURATE)
            due = now - MISSED_AGO
            past.push(due + dt.timedelta(minutes=1), past.evaluate, story)
            continue
        low, high = RECENT
        at = now - low - (high - low) * rng.random()
        changed = rng.random() < 0.25
        _check_in(liaison, situation, at, CheckInAnswer.CHANGED if changed else CheckInAnswer.STILL_ACCURATE,
                  CHANGED_NOTE if changed else "")
    checkins.reschedule(situation.pk)
