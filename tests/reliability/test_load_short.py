"""CI's short form of the load test (tools/reliability/load.py): 10 concurrent clients for
8 s of mixed reads and writes against gunicorn on a private PostgreSQL. Marked `load`."""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.load]

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_clients_get_no_5xx_no_deadlock_and_no_lost_or_doubled_write():
    result = subprocess.run([sys.executable, "tools/reliability/load.py", "--clients", "10", "--seconds", "8"],
                            cwd=ROOT, capture_output=True, text=True, timeout=240)
    report = result.stdout[-6000:]
    assert result.returncode == 0, report + result.stderr[-3000:]
    assert "PASS" in report
