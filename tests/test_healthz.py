"""/healthz names the part an alert cannot travel through: database, broker, worker."""
import socket
import time

import pytest

from config.celery import app as celery_app


def closed_port() -> int:
    """A port on loopback that nothing listens on: bound by us, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_broker(monkeypatch):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration,
    # so both are pointed at the closed port; monkeypatch restores them afterwards.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    assert celery_app.connection_for_write().as_uri().endswith(url.rsplit(":", 1)[1])
    return url


@pytest.mark.worker
def test_it_is_healthy_when_the_database_the_broker_and_a_worker_answer(celery_worker_thread, client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "broker": True, "worker": True}
    assert body["checks"]["worker"]["detail"] == "1 worker(s) answered"


def test_it_names_the_worker_when_no_worker_answers(db, client, settings):
    settings.HEALTHZ_WORKER_PING_TIMEOUT = 0.3
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_it_names_the_broker_quickly_when_the_broker_is_unreachable(db, client, dead_broker):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert "broker" in body["failing"] and "database" not in body["failing"]
    assert body["checks"]["broker"]["ok"] is False
    # A probe that waits out retries is no probe: a load balancer would time out first.
    assert elapsed < 2.0, f"/healthz took {elapsed:.2f}s with a dead broker"


def test_it_answers_get_only_and_is_never_cached(db, client, settings):
    settings.HEALTHZ_WORKER_PING_TIMEOUT = 0.1
    assert client.post("/healthz").status_code == 405
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
