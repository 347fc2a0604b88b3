"""The alerts test world: a two-step policy, a threshold rule on the cast's situation,
and webhooks allowed to reach the receivers on loopback (testkit/receiver.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alerts import services
from alerts.choices import Channel, StepTarget
from testkit import world


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
    return world.threshold_rule(manager, policy, cooldown_minutes=60)


@pytest.fixture
def record(desk_officer):
    """Record one reading through the coordination service (the write path of every route)."""
    from coordination.readings import reading_record

    def make(situation, indicator, value, *, at=None):
        reading, _ = reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=value,
                                    observed_at=at or timezone.now() - dt.timedelta(minutes=1))
        return reading

    return make


@pytest.fixture(autouse=True)
def receivers_on_loopback_are_reachable(allow_loopback_webhooks):
    """Every receiver of these tests listens on 127.0.0.1 (testkit/fixtures.py)."""
