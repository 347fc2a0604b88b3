"""Load test: 50 concurrent clients for 60 s against gunicorn on a private PostgreSQL, with
a Celery worker evaluating every reading, then the final state compared with what the
API accepted.

    bin/load                      50 clients, 60 s
    bin/load --clients 10 --seconds 10

Each client loops over a mix: readings (a third resent with the same client_id), action
progress notes and workflow transitions with If-Match (read the ETag, then write; many
collide, and the loser must get 412 and change nothing), alert acknowledgements, and
reads (lists, details, readings). Pass: zero 5xx; zero deadlocks (pg_stat_database and
the server log); zero lost or doubled writes: every accepted reading stored exactly once,
every accepted note or transition in the action's progress log exactly once, every 412'd
note absent, each action's version = its start + accepted writes, each alert's
acknowledgements = the 200s it got. Prints the counts; exits 1 on any failure.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tools.reliability.stack import Stack, exit_status, record_crash  # noqa: E402

SITUATIONS = 10
ACTIONS_PER_SITUATION = 2


def build_world() -> dict:
    """Through the services, as the cast's desk officer and manager would: every
    situation assigned to the home government, its actions agreed and in progress."""
    from coordination import services
    from coordination.choices import ActionStatus
    from coordination.models import Action
    from testkit import cast, world

    desk, manager = cast.user("desk_officer"), cast.user("manager")
    home = cast.government("home")
    indicator = world.attacks_indicator()
    world.threshold_rule(manager, world.in_app_ladder(manager), cooldown_minutes=0)
    situations = world.open_situations(desk, indicator, [f"Load situation {i}" for i in range(SITUATIONS)],
                                       government=home)
    actions = []
    for i, situation in enumerate(situations):
        for j in range(ACTIONS_PER_SITUATION):
            action = world.propose_action(desk, situation, f"Démarche {i}.{j}", government=home, due_in_days=30)
            for status in (ActionStatus.AGREED, ActionStatus.IN_PROGRESS):
                action = services.action_transition(actor=desk, action=action, to_status=status)
            actions.append(action.pk)
    return {"situations": [s.pk for s in situations], "actions": actions, "indicator": indicator.pk,
            "versions": dict(Action.objects.values_list("pk", "version")),
            "tokens": [world.api_token(user) for user in (desk, manager)]}


class Client:
    """One of the concurrent clients; appends what the API answered to the shared ledger."""

    def __init__(self, base_url: str, world: dict, ledger: "Ledger", seed: int):
        self.base, self.world, self.ledger = base_url, world, ledger
        self.rng = random.Random(seed)
        self.http = requests.Session()
        token = world["tokens"][seed % 2]  # half desk officers, half managers
        self.http.headers["Authorization"] = f"Token {token}"
        self.sent_client_ids: list[str] = []

    def call(self, method: str, path: str, kind: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        r = self.http.request(method, self.base + path, timeout=30, **kwargs)
        self.ledger.record(kind, r, time.monotonic() - started)
        return r

    def reading(self) -> None:
        if self.sent_client_ids and self.rng.random() < 0.33:
            client_id = self.rng.choice(self.sent_client_ids)  # a resend: must store nothing new
            body = self.ledger.reading_bodies[client_id]
        else:
            client_id = str(uuid.uuid4())
            body = {"indicator": self.world["indicator"], "value": self.rng.randint(0, 30), "client_id": client_id,
                    "observed_at": (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)).isoformat(),
                    "_situation": self.rng.choice(self.world["situations"])}
            self.ledger.reading_bodies[client_id] = body
        payload = {k: v for k, v in body.items() if not k.startswith("_")}
        r = self.call("POST", f"/api/v1/situations/{body['_situation']}/readings", "reading", json=payload)
        if r.status_code in (200, 201):
            self.sent_client_ids.append(client_id)
            self.ledger.add("readings_accepted", client_id)

    def action_write(self, transition: bool) -> None:
        pk = self.rng.choice(self.world["actions"])
        r = self.call("GET", f"/api/v1/actions/{pk}", "action read")
        if r.status_code != 200:
            return
        etag, status = r.headers.get("ETag"), r.json()["status"]
        note = f"load-{uuid.uuid4()}"
        if transition:
            target = "blocked" if status == "in_progress" else "in_progress"
            r = self.call("POST", f"/api/v1/actions/{pk}/transition", "action transition",
                          json={"status": target, "note": note}, headers={"If-Match": etag})
        else:
            r = self.call("PATCH", f"/api/v1/actions/{pk}", "action note", json={"progress_note": note},
                          headers={"If-Match": etag})
        self.ledger.add(f"action_{r.status_code}", (pk, note))

    def acknowledge(self) -> None:
        r = self.call("GET", "/api/v1/alerts?status=open", "alert list")
        if r.status_code != 200:
            return
        results = r.json().get("results", [])
        if not results:
            return
        pk = self.rng.choice(results)["id"]
        r = self.call("POST", f"/api/v1/alerts/{pk}/acknowledge", "alert acknowledge", json={"note": "load"})
        if r.status_code == 200:
            self.ledger.add("acks_accepted", pk)

    def read(self) -> None:
        sid = self.rng.choice(self.world["situations"])
        path = self.rng.choice(["/api/v1/situations", f"/api/v1/situations/{sid}", "/api/v1/actions",
                                f"/api/v1/situations/{sid}/readings", "/api/v1/alerts", "/api/v1/notifications"])
        self.call("GET", path, "read")

    def run(self, until: float) -> None:
        ops = [(0.30, self.reading), (0.20, lambda: self.action_write(False)), (0.10, lambda: self.action_write(True)),
               (0.10, self.acknowledge), (0.30, self.read)]
        while time.monotonic() < until:
            roll, acc = self.rng.random(), 0.0
            for weight, op in ops:
                acc += weight
                if roll < acc:
                    try:
                        op()
                    except requests.RequestException as exc:
                        self.ledger.add("errors", f"{exc.__class__.__name__}: {exc}")
                    break


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.items: dict[str, list] = defaultdict(list)
        self.reading_bodies: dict[str, dict] = {}
        self.latencies: list[float] = []
        self.server_errors: list[str] = []

    def record(self, kind: str, r: requests.Response, seconds: float) -> None:
        with self.lock:
            self.statuses[kind][r.status_code] += 1
            self.latencies.append(seconds)
            if r.status_code >= 500:
                self.server_errors.append(f"{kind} {r.request.method} {r.request.path_url}: {r.status_code} "
                                          f"{r.text[:200]!r}")

    def add(self, key: str, value) -> None:
        with self.lock:
            self.items[key].append(value)


def verify(world: dict, ledger: Ledger, stack: Stack) -> tuple[dict, list[str]]:
    from alerts.choices import EventKind
    from alerts.models import AlertEvent
    from coordination.models import Action, ActionUpdate, IndicatorReading

    failures = []
    accepted_ids = set(ledger.items["readings_accepted"])
    stored = Counter(str(c) for c in IndicatorReading.objects.filter(client_id__isnull=False)
                     .values_list("client_id", flat=True))
    if set(stored) != accepted_ids or any(n != 1 for n in stored.values()):
        failures.append(f"readings: {len(accepted_ids)} accepted client ids, {len(stored)} stored, "
                        f"{sum(n > 1 for n in stored.values())} doubled, {len(accepted_ids - set(stored))} lost")
    notes = Counter(ActionUpdate.objects.filter(note__startswith="load-").values_list("note", flat=True))
    ok_writes = ledger.items["action_200"]
    refused = ledger.items["action_412"]
    lost = [n for _, n in ok_writes if notes[n] != 1]
    leaked = [n for _, n in refused if notes[n]]
    if lost:
        failures.append(f"{len(lost)} accepted action writes not logged exactly once")
    if leaked:
        failures.append(f"{len(leaked)} refused (412) action writes changed something")
    accepted_per_action = Counter(pk for pk, _ in ok_writes)
    versions = dict(Action.objects.values_list("pk", "version"))
    wrong = {pk: (versions[pk], world["versions"][pk] + accepted_per_action[pk]) for pk in world["actions"]
             if versions[pk] != world["versions"][pk] + accepted_per_action[pk]}
    if wrong:
        failures.append(f"action versions != start + accepted writes: {wrong}")
    acks = Counter(AlertEvent.objects.filter(kind=EventKind.ACKNOWLEDGED).values_list("alert_id", flat=True))
    if acks != Counter(ledger.items["acks_accepted"]):
        failures.append("acknowledgement events differ from the accepted acknowledgements")
    deadlocks = int(stack.pg.psql(stack.database, "SELECT deadlocks FROM pg_stat_database "
                                                  f"WHERE datname = '{stack.database}'") or 0)
    logged = stack.pg.log.read_text(errors="replace").count("deadlock detected")
    if deadlocks or logged:
        failures.append(f"deadlocks: pg_stat_database {deadlocks}, server log {logged}")
    if ledger.server_errors:
        failures.append(f"{len(ledger.server_errors)} 5xx answers, e.g. {ledger.server_errors[:3]}")
    if ledger.items["errors"]:
        failures.append(f"{len(ledger.items['errors'])} connection errors, e.g. {ledger.items['errors'][:3]}")
    latencies = sorted(ledger.latencies)
    counts = {
        "requests": len(latencies),
        "answers by kind": {k: dict(v) for k, v in sorted(ledger.statuses.items())},
        "5xx": len(ledger.server_errors),
        "deadlocks (pg_stat_database, server log)": [deadlocks, logged],
        "readings accepted (distinct client ids)": len(accepted_ids),
        "readings stored with those ids": sum(stored[c] for c in accepted_ids),
        "action writes accepted (200)": len(ok_writes),
        "action writes refused (412)": len(refused),
        "accepted writes found exactly once in the progress log": len(ok_writes) - len(lost),
        "refused writes found in the progress log": len(leaked),
        "actions whose version != start + accepted": len(wrong),
        "acknowledgements accepted": len(ledger.items["acks_accepted"]),
        "acknowledged events": sum(acks.values()),
        "latency ms p50/p95/max": [round(1000 * latencies[int(q * (len(latencies) - 1))]) for q in (0.5, 0.95, 1.0)]
        if latencies else [],
    }
    return counts, failures


def run(clients: int, seconds: float, keep: bool) -> int:
    started = time.monotonic()
    stack = Stack(database="concert_load", workers=1, beat=False, web_workers=4, keep=keep,
                  extra_env={"LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "60"})
    failures: list[str] = []
    try:
        world = stack.boot(build_world)
        print(f"stack up in {time.monotonic() - started:.1f}s: {stack.folder}", flush=True)
        ledger = Ledger()
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=Client(stack.base_url, world, ledger, i).run, args=(until,))
                   for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ran = time.monotonic() - (until - seconds)
        print(f"{clients} clients for {ran:.1f}s", flush=True)
        counts, failures = verify(world, ledger, stack)
        counts["requests per second"] = round(counts["requests"] / ran, 1)
        counts["unplanned process exits"] = len(stack.unplanned_exits)
        counts["wall time seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(counts, indent=2))
        for line in stack.unplanned_exits:
            failures.append(f"unplanned exit: {line}")
    except Exception as exc:
        record_crash(stack, failures, exc)
    finally:
        stack.close()
    return exit_status(failures, started)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) afterwards")
    args = parser.parse_args(argv)
    return run(args.clients, args.seconds, args.keep)


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[2])
    sys.exit(main())
