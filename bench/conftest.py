# The benchmarks run in the test world: the same cast, a real worker (both from
# testkit/fixtures.py, through the root conftest.py), a real receiver.
from tests.alerts.conftest import allow_loopback_webhooks, receiver  # noqa: F401
