import datetime as dt
import random

from django.conf import settings


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff with "equal jitter": half the step is fixed, half random, so a
    receiver coming back is not hit by every sender at the same instant."""
    base = settings.ALERTS_RETRY_BASE_SECONDS
    step = min(settings.ALERTS_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=step / 2 + random.uniform(0, step / 2))
