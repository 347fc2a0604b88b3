"""Settings of the benchmark run only (bin/bench): the production settings plus the
baselines' URLs, the no-op task and a per-request query counter. Production never
loads this module, so the baseline views exist nowhere but here."""
from config.settings import *  # noqa: F401,F403
from config.settings import INSTALLED_APPS, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# First, so the count covers everything the request costs (authentication included).
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]

from config.settings import CELERY_TASK_ROUTES  # noqa: E402

# The baseline task rides the delivery queue, like the webhooks it is compared with.
CELERY_TASK_ROUTES = {**CELERY_TASK_ROUTES, "bench.post_to_receiver": {"queue": "delivery"}}
