"""Partners' voices in the demo's past: their own assessments of an indicator, and notes
on the situation's timeline. Two situations end with partners who disagree (an open
divergent-assessment condition, addressed to the lead); on a third the disagreement was
talked through and a reconciliation note settled it.

Planned by `plan(past, story)` when a situation is given its past (demo/history.py),
so a second run, which makes no new situation, adds nothing. Rows are back-dated to the
moment replayed, as demo/history.py does for every service's rows.
"""
from __future__ import annotations

import datetime as dt

from django.db import models

from coordination import notes
from coordination.models import Indicator, IndicatorReading, SituationNote
from coordination.readings import reading_record

# country code → (indicator, [(days before the present, partner code, assessed value or
# None for a note only, note text or "", reconciles)])
VOICES = {
    "XB": ("fa-7-5-militias", [
        (11, "XDM", 1, "Our defence attaché counts two irregular units, both under army command.", False),
        (9, "XBV", 3, "", False),
        (8, "XBV", None, "Villagers near Vess describe new units armed from state stocks every week; we rate "
                         "militia support as systematic.", False),
    ]),
    "XC": ("fa-8-7-hate-propaganda", [
        (6, "XEV", 3, "State television ran the 'foreigners' segment nightly this week.", False),
        (5, "XCD", 1, "", False),
        (4, "XCD", None, "The segments stopped after our statement; we see isolated incidents now.", False),
    ]),
    "XE": ("fa-8-7-hate-propaganda", [
        (16, "XFN", 0, "", False),
        (15, "XEV", 2, "Local radio in the eastern towns broadcasts the curfew lists with ethnic slurs.", False),
        (13, "XEV", None, "Desk call with Fennmark: the slurs are on two local stations only; we agreed to "
                          "report them as a local, not national, pattern.", True),
    ]),
}
HOUR = 10  # in the office, UTC


def plan(past, story) -> None:
    voices = VOICES.get(story.situation.country_code)
    if voices is None:
        return
    code, entries = voices
    for days, partner, value, text, reconciles in entries:
        at = dt.datetime.combine((past.limit - dt.timedelta(days=days)).date(), dt.time(HOUR, 0),
                                 tzinfo=dt.timezone.utc)
        past.push(at, _speak, past, story, code, partner, value, text, reconciles)


def _speak(past, story, code: str, partner: str, value, text: str, reconciles: bool, at: dt.datetime) -> None:
    liaison = past.liaison_of[partner]
    situation = story.situation
    indicator = Indicator.objects.get(code=code)
    past.touched = True
    if value is not None:
        reading, _created = reading_record(
            actor=liaison, situation=situation, indicator=indicator, value=value,
            observed_at=at - dt.timedelta(hours=3), source=f"{partner} embassy reporting", note=text)
        IndicatorReading.objects.filter(pk=reading.pk).update(recorded_at=at)
    if text and (value is None or reconciles):
        note = notes.note_add(actor=liaison, situation=situation, body=text, indicator=indicator,
                              reconciles=reconciles)
        # Notes are append-only for every writer; the demo alone back-dates its own.
        models.QuerySet.update(SituationNote.objects.filter(pk=note.pk), created_at=at)
    past.evaluate(story, at)
