"""/healthz: is each part that an alert travels through alive right now?

Load balancers and the run script poll it; an operator reads the JSON to see which
part failed. Each probe is bounded in time so a dead part answers 503 quickly instead
of hanging the request.
"""
import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

log = logging.getLogger(__name__)


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any driver error means "down" to the caller
        log.warning("healthz: database check failed: %s", exc)
        return False, exc.__class__.__name__


def _check_broker() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            # No retry: kombu sleeps two seconds before retrying, so a single retry kept
            # every poll of a dead broker waiting that long before it could answer 503.
            conn.ensure_connection(max_retries=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        return True, "ok"
    except Exception as exc:
        log.warning("healthz: broker check failed: %s", exc)
        return False, exc.__class__.__name__


def _check_worker() -> tuple[bool, str]:
    try:
        replies = celery_app.control.ping(timeout=settings.HEALTHZ_WORKER_PING_TIMEOUT)
    except Exception as exc:
        log.warning("healthz: worker ping failed: %s", exc)
        return False, exc.__class__.__name__
    if not replies:
        return False, "no worker answered"
    return True, f"{len(replies)} worker(s) answered"


@never_cache
@require_GET
def healthz(request):
    database_ok, database_detail = _check_database()
    broker_ok, broker_detail = _check_broker()
    # Without a broker a ping cannot travel; report the cause once, not twice.
    worker_ok, worker_detail = _check_worker() if broker_ok else (False, "broker down")
    checks = {
        "database": {"ok": database_ok, "detail": database_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker": {"ok": worker_ok, "detail": worker_detail},
    }
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if not failing else "failing", "failing": failing, "checks": checks}
    return JsonResponse(body, status=200 if not failing else 503)
