"""The seam between coordination and whatever reacts to its changes (the escalation
engine): coordination records "this situation changed" in its own table, in the
change's transaction, and says so after commit through `situation_changed`. It never
imports its consumers; they connect to the signal (alerts/apps.py) and consume the rows.

Why both a row and a signal: the row is the ledger — if the process or the database
goes away between the commit and the on-commit hook (bin/fault saw a reading stored
whose answer was a 503), the row is still there for the consumer's sweep. The signal
is only the wake-up call that makes the common case fast.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from coordination.models import Situation, SituationChange

log = logging.getLogger(__name__)

# Sent after commit with situation_ids=[…]: the changes are in the database.
situation_changed = Signal()


def _upsert(situation_ids: list[int], now: dt.datetime) -> None:
    SituationChange.objects.bulk_create([SituationChange(situation_id=pk, changed_at=now) for pk in situation_ids],
                                        update_conflicts=True, unique_fields=["situation"],
                                        update_fields=["changed_at"])


def _announce(situation_ids: list[int]) -> None:
    situation_changed.send(sender=SituationChange, situation_ids=situation_ids)


def record_change(situation_id: int) -> None:
    """Inside a change's transaction: record that the situation changed; announce it
    once the transaction commits."""
    if connection.vendor == "postgresql":
        # Lock order: the situation (key share) before the outbox row, as the evaluation
        # does (situation FOR UPDATE, then it deletes the row). Without this the deferred
        # foreign-key check took the situation at COMMIT, after the outbox row, and
        # bin/load found deadlocks against running evaluations.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Situation._meta.db_table} WHERE id = %s FOR KEY SHARE", [situation_id])
    _upsert([situation_id], timezone.now())
    transaction.on_commit(lambda: _after_commit(situation_id))


def _after_commit(situation_id: int) -> None:
    # Written again after the commit, so that an evaluation which started before the
    # commit (and so did not see the change) cannot consume the row without seeing it.
    try:
        _upsert([situation_id], timezone.now())
    except Exception:
        log.exception("could not record the change of situation %s after commit", situation_id)
    _announce([situation_id])


def record_changes(situation_ids: Iterable[int]) -> None:
    """For many situations at once, outside a change (the deadline scan: time passing
    is what changed): one statement records them all, then one announcement."""
    ids = list(situation_ids)
    if not ids:
        return
    try:
        _upsert(ids, timezone.now())
    except Exception:
        log.exception("could not record the changes of %d situations", len(ids))
    transaction.on_commit(lambda: _announce(ids))


def pending(*, older_than: dt.datetime, limit: int) -> list[int]:
    """Situations whose change nobody has consumed since `older_than`, oldest first."""
    return list(SituationChange.objects.filter(changed_at__lte=older_than).order_by("changed_at")
                .values_list("situation_id", flat=True)[:limit])


def consume(situation_id: int, *, seen_up_to: dt.datetime) -> None:
    """A consumer has seen the situation as of `seen_up_to`. A change recorded later
    stays, so its own wake-up (or the sweep) runs the consumer again."""
    SituationChange.objects.filter(situation_id=situation_id, changed_at__lte=seen_up_to).delete()
