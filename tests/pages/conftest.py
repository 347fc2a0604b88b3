import pytest

from testkit.world import open_escalation


@pytest.fixture
def alert(db, rule, situation):
    return open_escalation(rule, situation, "Attacks on civilians above critical")


@pytest.fixture
def foreign_alert(db, rule, foreign_situation):
    return open_escalation(rule, foreign_situation, "Secret highland alert")
