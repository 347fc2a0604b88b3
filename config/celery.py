import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("concert")
# Every Celery setting lives in config/settings.py under the CELERY_ prefix, with why.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="concert.ping")
def ping(token: str) -> str:
    """Round-trip probe used by the tests that prove a real worker consumes tasks."""
    return token
