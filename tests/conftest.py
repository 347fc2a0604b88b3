"""The fixed cast of the test world (after healthchecks and Zulip): every permission
test has its natural negative case at hand.

- Two partner governments, "home" (XHA) and "other" (XOT), each with a liaison.
- `situation` is assigned to home (support role, AMBER); `foreign_situation` only to other.
- A desk officer, a manager and an admin see everything.
"""
import pytest

from accounts.models import Role
from coordination.choices import Marking, PartnerRole
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    GovernmentFactory,
    IndicatorFactory,
    SituationFactory,
    TrackedIndicatorFactory,
    UserFactory,
)


@pytest.fixture
def home_government(db):
    return GovernmentFactory(code="XHA", name="Home Republic")


@pytest.fixture
def other_government(db):
    return GovernmentFactory(code="XOT", name="Other Federation")


@pytest.fixture
def desk_officer(db):
    return UserFactory(username="desk", role=Role.DESK_OFFICER, first_name="Dana", last_name="Desk")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=Role.MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def liaison(db, home_government):
    return UserFactory(username="liaison", role=Role.LIAISON, government=home_government)


@pytest.fixture
def other_liaison(db, other_government):
    return UserFactory(username="other-liaison", role=Role.LIAISON, government=other_government)


@pytest.fixture
def situation(db, home_government, liaison, desk_officer):
    situation = SituationFactory(title="Lowland displacement", country_code="XA", marking=Marking.AMBER,
                                 lead_officer=desk_officer)
    AssignmentFactory(situation=situation, government=home_government, role=PartnerRole.SUPPORT, liaison=liaison)
    return situation


@pytest.fixture
def foreign_situation(db, other_government, other_liaison):
    situation = SituationFactory(title="Secret highland crisis", country_code="XB", marking=Marking.AMBER)
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.LEAD, liaison=other_liaison)
    return situation


@pytest.fixture
def indicator(db):
    return IndicatorFactory(code="fa-11-civilian-attacks", name="Attacks on civilians (30 days)", risk_factor=11,
                            warning_threshold=10, critical_threshold=25)


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


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The suite runs with DEBUG off and without collectstatic; production's hashed
    manifest storage would refuse every {% static %} without its manifest. What the
    tests check is pages and access, not hashed asset names."""
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every cast member gets a password; PBKDF2 at production strength costs a quarter
    of a second each on a two-core machine, which the suite pays hundreds of times.
    What is tested is who may do what, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
