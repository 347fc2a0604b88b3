"""CI's short form of the fault test (tools/reliability/fault.py): 100 readings while a
worker is SIGKILLed, Redis and PostgreSQL restarted, on a private cluster and Redis.
Marked `fault` so it can be picked (-m fault) or left out (-m "not fault")."""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.fault]

ROOT = Path(__file__).resolve().parents[2]


def test_no_alert_or_notification_is_lost_or_doubled_when_a_worker_redis_and_postgresql_fail():
    result = subprocess.run([sys.executable, "tools/reliability/fault.py", "--short"], cwd=ROOT,
                            capture_output=True, text=True, timeout=240)
    report = result.stdout[-6000:]
    assert result.returncode == 0, report + result.stderr[-3000:]
    assert "PASS" in report
