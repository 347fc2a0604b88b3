"""The alerts test world: a two-step policy, a threshold rule on the cast's situation,
and a real HTTP receiver on loopback for webhooks."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time

import pytest
from django.utils import timezone

from alerts import services
from alerts.choices import Channel, Scope, StepTarget, Trigger

SECRET = "test-webhook-secret-0123456789"


class Receiver:
    """A webhook receiver on 127.0.0.1. `plan` is the list of status codes to answer in
    turn (the last one repeats); every request is recorded with its headers and body."""

    def __init__(self, plan=(200,)):
        self.plan = list(plan)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body,
                                              "received": time.monotonic()})
                    code = receiver.plan[min(len(receiver.requests) - 1, len(receiver.plan) - 1)]
                self.send_response(code)
                if code == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    made = []

    def make(plan=(200,)) -> Receiver:
        r = Receiver(plan)
        r.thread.start()
        made.append(r)
        return r

    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


@pytest.fixture
def fast_retries(settings):
    settings.ALERTS_RETRY_BASE_SECONDS = 0.05
    settings.ALERTS_RETRY_MAX_SECONDS = 0.2
    settings.ALERTS_DELIVERY_MAX_ATTEMPTS = 4
    settings.ALERTS_WEBHOOK_READ_TIMEOUT = 2


@pytest.fixture
def policy(manager):
    """Step 1: the situation's desk officer and partner liaisons; 30 minutes later the
    managers, and again every 30 minutes until someone acknowledges."""
    return services.policy_create(actor=manager, name="Test ladder", repeat_last_step=True, steps=[
        {"targets": [StepTarget.DESK_OFFICERS, StepTarget.LIAISONS], "channels": [Channel.EMAIL, Channel.IN_APP],
         "wait_minutes": 30},
        {"targets": [StepTarget.MANAGERS], "channels": [Channel.EMAIL, Channel.IN_APP], "wait_minutes": 30},
    ])


@pytest.fixture
def threshold_rule(manager, policy):
    return services.rule_create(actor=manager, name="Over threshold", trigger=Trigger.THRESHOLD_CROSSED,
                                params={"min_level": "warning"}, policy=policy, scope=Scope.ALL,
                                cooldown_minutes=60)


@pytest.fixture
def record(desk_officer):
    """Record one reading through the coordination service (the write path of every route)."""
    from coordination.services import reading_record

    def make(situation, indicator, value, *, at=None):
        reading, _ = reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=value,
                                    observed_at=at or timezone.now() - dt.timedelta(minutes=1))
        return reading

    return make


@pytest.fixture(autouse=True)
def allow_loopback_webhooks(settings):
    """These tests' receivers listen on 127.0.0.1, which webhooks may reach only when a
    setting allows it (alerts/delivery/addresses.py; tests/security tries the refusals)."""
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
