"""Import indicator readings from a CSV file through coordination.readings.readings_record.

Columns: situation_id, indicator (code), value, observed_at (ISO 8601 with zone), source,
and optionally note and client_id. A row without a client_id gets one derived from its
content, so importing the same file twice stores nothing the second time.

Rows are grouped by situation and sent in batches of at most BULK_READINGS_LIMIT: the
situation is evaluated once per batch, and a batch with one bad row stores none of its
rows. The rules (finite value, tracked indicator, zone-aware past time, who may record
and whose assessment it is) are the service's; this command only parses text and names the file line of an error.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import sys
import uuid
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from coordination import selectors
from coordination.models import Indicator
from coordination.readings import BULK_READINGS_LIMIT, ReadingInput, readings_record
from core.errors import DomainError, NotPermitted

REQUIRED = ("situation_id", "indicator", "value", "observed_at", "source")
# Fixed namespace: the derived client_id of a row must not change between runs or machines.
NAMESPACE = uuid.UUID("5b0c3f4e-8a51-4c36-9d0e-2f6d1c7a9e10")


class RowError(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


class Command(BaseCommand):
    help = "Import indicator readings from a CSV file ('-' reads standard input)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file, or - for standard input")
        parser.add_argument("--actor", required=True, help="username of the desk officer, manager or liaison recording them")
        parser.add_argument("--dry-run", action="store_true", help="validate every row and store nothing")

    def handle(self, *args, path, actor, dry_run, **options):
        try:
            user = User.objects.get(username=actor)
        except User.DoesNotExist:
            raise CommandError(f"No user named {actor!r}.") from None
        handle = sys.stdin if path == "-" else open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
        try:
            rows, errors, duplicates, self.situations = self._parse(csv.DictReader(handle), user)
        finally:
            if handle is not sys.stdin:
                handle.close()
        counts = {"created": 0, "present": duplicates, "failed": 0}
        # A dry run is one transaction rolled back; a real import commits batch by batch,
        # so each batch's evaluation starts while the next is being stored.
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            for batch in self._batches(rows):
                self._record(user, batch, errors, counts)
            if dry_run:
                transaction.set_rollback(True)
        for line, field, reason in sorted(errors.values()):
            self.stderr.write(f"line {line}: {field}: {reason}")
        verb = "would be created" if dry_run else "created"
        self.stdout.write(f"{len(rows) + duplicates} rows read, {counts['created']} {verb}, "
                          f"{counts['present']} already present, {counts['failed']} failed")
        if errors:
            raise CommandError(f"{len(errors)} rows were refused; their batches stored nothing.")

    def _parse(self, reader, user):
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or ())]
        if missing:
            raise CommandError(f"Missing columns: {', '.join(missing)}.")
        indicators = {i.code: i for i in Indicator.objects.all()}
        raw = [(reader.line_num, row) for row in reader]
        ids = {r["situation_id"].strip() for _line, r in raw if (r["situation_id"] or "").strip().isdigit()}
        # Scoped like every read: a situation the actor may not see is "no situation" (a
        # liaison imports their government's assessments of the situations it is on).
        situations = selectors.situation_list(user=user).in_bulk([int(i) for i in ids])
        rows, errors, seen, duplicates = [], {}, set(), 0
        for line, row in raw:
            key = (row["situation_id"] or "").strip()
            try:
                reading = self._row(row, situations, indicators)
            except RowError as error:
                errors[line] = (line, error.field, error.reason)
                reading = None  # kept, so that its batch is refused as a whole
            if reading is not None and reading.client_id in seen:  # the same row twice in one file
                duplicates += 1
                continue
            if reading is not None:
                seen.add(reading.client_id)
            rows.append((line, key, reading))
        return rows, errors, duplicates, situations

    @staticmethod
    def _row(row, situations, indicators):
        text = {key: (value or "").strip() for key, value in row.items() if key}
        if not text["situation_id"].isdigit() or int(text["situation_id"]) not in situations:
            raise RowError("situation_id", "No situation with this id.")
        indicator = indicators.get(text["indicator"])
        if indicator is None:
            raise RowError("indicator", "No indicator with this code.")
        try:
            value = float(text["value"])
        except ValueError:
            raise RowError("value", "Not a number.") from None
        try:
            observed_at = dt.datetime.fromisoformat(text["observed_at"])
        except ValueError:
            raise RowError("observed_at", "Not an ISO 8601 date and time.") from None
        if text.get("client_id"):
            try:
                client_id = uuid.UUID(text["client_id"])
            except ValueError:
                raise RowError("client_id", "Not a UUID.") from None
        else:
            stamp = observed_at.astimezone(dt.timezone.utc).isoformat() if observed_at.tzinfo else observed_at
            client_id = uuid.uuid5(NAMESPACE, "|".join(map(str, (
                text["situation_id"], indicator.code, repr(value), stamp, text["source"], text.get("note", "")))))
        return ReadingInput(indicator=indicator, value=value, observed_at=observed_at,
                            source=text["source"], note=text.get("note", ""), client_id=client_id)

    @staticmethod
    def _batches(rows):
        by_situation = defaultdict(list)
        for item in rows:
            by_situation[item[1]].append(item)
        for items in by_situation.values():
            for start in range(0, len(items), BULK_READINGS_LIMIT):
                yield items[start:start + BULK_READINGS_LIMIT]

    def _record(self, user, batch, errors, counts):
        if any(reading is None for _line, _key, reading in batch):
            counts["failed"] += len(batch)
            return
        try:
            results = readings_record(actor=user, situation=self.situations[int(batch[0][1])],
                                      readings=[reading for _line, _key, reading in batch])
        except NotPermitted as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            index, _dot, field = (error.field or "").partition(".")
            if not index.isdigit():  # a one-row batch names the field without an index
                index, field = "0", error.field or ""
            line = batch[int(index)][0]
            errors[line] = (line, field, str(error))
            counts["failed"] += len(batch)
            return
        for _reading, created in results:
            counts["created" if created else "present"] += 1
