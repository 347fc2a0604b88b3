"""The attacker's tools: the fixed cast (testkit/cast.py), and an audit reader."""
import pytest

from accounts.audit import AuditEvent
from testkit.world import open_escalation


@pytest.fixture
def audit_kinds(db):
    """The kinds of audit events written since the fixture was taken, oldest first."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def read(kind=None):
        rows = AuditEvent.objects.filter(id__gt=start).order_by("id")
        return list(rows.filter(kind=kind) if kind else rows)

    return read


@pytest.fixture
def alert(db, rule, situation):
    return open_escalation(rule, situation, "Attacks on civilians above critical", policy_frozen=True)


@pytest.fixture
def foreign_alert(db, rule, foreign_situation):
    return open_escalation(rule, foreign_situation, "Secret highland alert", policy_frozen=True)


@pytest.fixture
def notification_to(manager, situation, rule):
    """A pending webhook notification to any URL, written straight to the tables: an
    endpoint saved before the address rule existed, or whose name now points elsewhere."""
    from django.utils import timezone

    from alerts.choices import Channel
    from alerts.models import Notification, WebhookEndpoint

    alert = open_escalation(rule, situation, "Attacks on civilians above critical", policy_frozen=True)

    def make(url) -> Notification:
        endpoint = WebhookEndpoint.objects.create(name="Receiver", url=url, secret="s" * 32, owner_user=manager)
        return Notification.objects.create(group=alert, endpoint=endpoint, channel=Channel.WEBHOOK,
                                           idempotency_key=f"sec-{endpoint.pk}", reason="test",
                                           created_at=timezone.now())

    return make
