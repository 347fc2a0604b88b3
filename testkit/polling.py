"""Waiting for something another process or thread does (a worker, a receiver, a
restarted server): poll with a deadline instead of sleeping a guessed time."""
import time


def wait_until(condition, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll until `condition()` is truthy and return that value; TimeoutError at the
    deadline. The condition is checked once more after the deadline passes, so a slow
    poll never fails something that did happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout:g}s")
        time.sleep(interval)


def wait_for(condition, timeout: float = 8.0, interval: float = 0.02):
    """wait_until with the short deadline and fine interval that a worker thread or a
    receiver in this process needs."""
    return wait_until(condition, timeout, interval)
