"""The pytest fixtures every test folder shares, bench/ included: a plugin registered by
the root conftest.py, so that `bin/test tests/...` and `bin/test bench/...` see the
same cast, the same objects and the same worker.

The cast (testkit/cast.py), and the objects around it:
- `situation` is assigned to home (support role, AMBER); `foreign_situation` only to other.
- `indicator` is tracked on `situation` by `tracked`; `action` and `foreign_action` hang
  off the two situations; `policy` and `rule` are a plain two-step ladder and a
  critical-threshold rule.
- `start_receiver(*answers, secret=None, tls=None)` starts a webhook receiver on
  loopback (testkit/receiver.py), stopped after the test; `allow_loopback_webhooks`
  lets delivery reach it.
"""
import pytest

from coordination.choices import Marking, PartnerRole
from testkit import cast, world
from testkit.factories import ActionFactory, AssignmentFactory, SituationFactory, TrackedIndicatorFactory
from testkit.receiver import Receiver

# PBKDF2 at production strength costs a quarter of a second per password on a two-core
# machine, which the suite pays hundreds of times; what is tested is who may do what.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def home_government(db):
    return cast.government("home")


@pytest.fixture
def other_government(db):
    return cast.government("other")


@pytest.fixture
def desk_officer(db):
    return cast.user("desk_officer")


@pytest.fixture
def manager(db):
    return cast.user("manager")


@pytest.fixture
def admin_user(db):
    return cast.user("admin_user")


@pytest.fixture
def liaison(db):
    return cast.user("liaison")


@pytest.fixture
def second_liaison(db):
    return cast.user("second_liaison")


@pytest.fixture
def other_liaison(db):
    return cast.user("other_liaison")


@pytest.fixture
def situation(db, home_government, liaison, desk_officer):
    situation = SituationFactory(title="Lowland displacement", country_code="XA", marking=Marking.AMBER,
                                 lead_officer=desk_officer)
    AssignmentFactory(situation=situation, government=home_government, role=PartnerRole.SUPPORT, liaisons=[liaison])
    return situation


@pytest.fixture
def foreign_situation(db, other_government, other_liaison):
    situation = SituationFactory(title="Secret highland crisis", country_code="XB", marking=Marking.AMBER)
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.LEAD, liaisons=[other_liaison])
    return situation


@pytest.fixture
def indicator(db):
    return world.attacks_indicator()


@pytest.fixture
def tracked(db, situation, indicator):
    return TrackedIndicatorFactory(situation=situation, indicator=indicator)


@pytest.fixture
def action(db, situation, home_government):
    return ActionFactory(situation=situation, owner_government=home_government, title="Joint démarche")


@pytest.fixture
def foreign_action(db, foreign_situation, other_government):
    return ActionFactory(situation=foreign_situation, owner_government=other_government, title="Secret envoy")


@pytest.fixture
def policy(db, manager):
    """A plain two-step ladder: desk officers, then managers an hour later."""
    from alerts import services

    return services.policy_create(actor=manager, name="Two steps",
                                  steps=[{"targets": ["desk_officers"], "wait_minutes": 30},
                                         {"targets": ["managers"], "wait_minutes": 60}])


@pytest.fixture
def rule(db, manager, policy):
    from alerts import services

    return services.rule_create(actor=manager, name="Critical threshold", trigger="threshold_crossed",
                                params={"min_level": "critical"}, severity="critical", policy=policy)


@pytest.fixture
def celery_worker_thread(transactional_db, settings):
    """A real Celery worker consuming from the configured broker (Redis in the suite),
    in a thread of this process so it shares the test database. Tests using it must
    commit their data (transactional_db), as a real worker only sees committed rows."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with app.connection_for_write() as conn:
        # Wake-up calls left by earlier tests point at rows that no longer exist.
        queues = app.amqp.queues.keys() or [app.conf.task_default_queue]
        for name in queues:
            try:
                conn.default_channel.queue_purge(name)
            except Exception:  # queue not declared yet
                pass
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def start_receiver():
    started = []

    def start(*answers, **options) -> Receiver:
        started.append(Receiver(*answers, **options).start())
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def allow_loopback_webhooks(settings):
    """The receivers listen on 127.0.0.1, which webhooks may reach only when a setting
    allows it (alerts/delivery/addresses.py; tests/security tries the refusals)."""
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The suite runs with DEBUG off and without collectstatic; production's hashed
    manifest storage would refuse every {% static %} without its manifest. What the
    tests check is pages and access, not hashed asset names."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every cast member gets a password (FAST_PASSWORD_HASHERS says why). Login
    throttling and token hashing are unaffected."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
