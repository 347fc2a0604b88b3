import pytest


@pytest.fixture
def policy(db, manager):
    from alerts import services

    return services.policy_create(actor=manager, name="Two steps",
                                  steps=[{"targets": ["desk_officers"], "wait_minutes": 30},
                                         {"targets": ["managers"], "wait_minutes": 60}])


@pytest.fixture
def rule(db, manager, policy):
    from alerts import services

    return services.rule_create(actor=manager, name="Critical threshold", trigger="threshold_crossed",
                                params={"min_level": "critical"}, severity="critical", policy=policy)


def _alert(rule, situation, title):
    from django.utils import timezone

    from alerts.models import Alert

    now = timezone.now()
    return Alert.objects.create(rule=rule, situation=situation, dedup_key=f"test:{situation.pk}:{title}",
                                severity="critical", title=title, first_seen=now, last_seen=now)


@pytest.fixture
def alert(db, rule, situation):
    return _alert(rule, situation, "Attacks on civilians above critical")


@pytest.fixture
def foreign_alert(db, rule, foreign_situation):
    return _alert(rule, foreign_situation, "Secret highland alert")
