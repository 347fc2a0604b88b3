import pytest


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
