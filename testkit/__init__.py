"""What the tests, the benchmarks (bench/) and the reliability scripts (tools/) share.

    cast.py       one cast of users and their governments, and how the pages see them
    world.py      the world they work in: alerting set up through the services,
                  situations opened by a desk officer, tokens, alerts, and the
                  authorization matrix's sharing world
    factories.py  factory_boy factories for single rows with sensible defaults
    receiver.py   one webhook receiver on loopback, in a thread of its caller
    polling.py    waiting for another thread or process without guessed sleeps
    host.py       what the machine offers: a free loopback port, PostgreSQL's programs
    fixtures.py   the pytest fixtures over all of the above: a plugin that the root
                  conftest.py registers for tests/ and bench/ alike

It lives beside the apps, not under tests/, so that bench/ and tools/ can use it without
importing a test folder, and outside the apps because they never import it: nothing
here is installed in production (it is not in INSTALLED_APPS and has no models).
"""
