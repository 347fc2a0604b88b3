import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("concert")
# Every Celery setting lives in config/settings.py under the CELERY_ prefix, with why.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
