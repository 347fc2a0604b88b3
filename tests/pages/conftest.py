import datetime as dt

import pytest
from django.utils import timezone

from coordination.models import SignoffKind, SignoffRequest
from testkit.world import open_escalation


@pytest.fixture
def alert(db, rule, situation):
    return open_escalation(rule, situation, "Attacks on civilians above critical")


@pytest.fixture
def foreign_alert(db, rule, foreign_situation):
    return open_escalation(rule, foreign_situation, "Secret highland alert")


def _signoff(situation, requester):
    now = timezone.now()
    return SignoffRequest.objects.create(situation=situation, kind=SignoffKind.LOWER_RISK, requested_by=requester,
                                         payload={"changes": {"risk_level": "low"}, "named_liaisons": None},
                                         requested_at=now, expires_at=now + dt.timedelta(hours=72))


@pytest.fixture
def signoff(db, situation, desk_officer):
    """A pending request, asked by the desk officer, to lower the home situation's risk."""
    return _signoff(situation, desk_officer)


@pytest.fixture
def foreign_signoff(db, foreign_situation, desk_officer):
    return _signoff(foreign_situation, desk_officer)
