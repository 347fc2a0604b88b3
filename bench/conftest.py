# The benchmarks run in the test world: the same cast, a real worker, a real receiver.
from tests.alerts.conftest import *  # noqa: F401,F403
from tests.conftest import *  # noqa: F401,F403
