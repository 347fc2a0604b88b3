import threading
import uuid

import pytest

from config.celery import app
from testkit.polling import wait_until

# Token → the thread that executed it. The worker runs in a thread of this process
# (testkit/fixtures.py celery_worker_thread), so the task can write here; the message
# itself still goes through Redis: publish, consume, execute.
EXECUTED: dict[str, int] = {}


@app.task(name="tests.record_token")
def record_token(token: str) -> None:
    EXECUTED[token] = threading.get_ident()


@pytest.mark.worker
def test_a_task_published_to_the_broker_is_executed_by_a_real_worker(celery_worker_thread, settings):
    assert not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    token = str(uuid.uuid4())
    record_token.apply_async(args=[token])
    wait_until(lambda: token in EXECUTED, timeout=10, interval=0.02, what="the worker running the task")
    assert EXECUTED[token] != threading.get_ident(), "the task ran inline in the publisher, not in the worker"
