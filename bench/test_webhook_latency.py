"""Time from a reading's POST to the webhook's receipt, through PostgreSQL, Redis and a
real worker (solo pool, in a thread of this process, as in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/concert_h4 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 bin/test bench/test_webhook_latency.py -s -q

Readings alternate over and under the critical threshold with no cool-down, so each one
opens or auto-resolves an escalation, and each produces exactly one webhook POST.
"""
import datetime as dt
import statistics
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alerts import services
from alerts.choices import Scope, Trigger
from testkit.polling import wait_for
from testkit.world import webhook_endpoint

READINGS = 40


@pytest.mark.worker
@pytest.mark.usefixtures("allow_loopback_webhooks")
def test_median_time_from_reading_post_to_webhook_receipt(celery_worker_thread, situation, tracked, indicator,
                                                          desk_officer, manager, policy, start_receiver):
    services.rule_create(actor=manager, name="Bench", trigger=Trigger.THRESHOLD_CROSSED, policy=policy,
                         scope=Scope.ALL, cooldown_minutes=0)
    hook = start_receiver()
    webhook_endpoint(manager, hook.url, name="Bench hook")
    client = APIClient()
    client.force_login(desk_officer)
    latencies = []
    for i in range(READINGS):
        body = {"indicator": indicator.pk, "value": 30 if i % 2 == 0 else 3,
                "observed_at": (timezone.now() - dt.timedelta(seconds=READINGS - i)).isoformat()}
        started = time.monotonic()
        assert client.post(f"/api/v1/situations/{situation.pk}/readings", body, format="json").status_code == 201
        wait_for(lambda: len(hook.requests) == i + 1, timeout=10, interval=0.002)
        latencies.append(hook.requests[i]["received"] - started)
    latencies.sort()
    print(f"\nreading POST → webhook receipt over {READINGS} readings: "
          f"median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p90 {latencies[int(0.9 * len(latencies)) - 1] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
