"""Every list costs the same number of queries for 5 rows as for 50."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from coordination.choices import PartnerRole
from coordination.models import ActionUpdate
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    GovernmentFactory,
    IndicatorFactory,
    ReadingFactory,
    SituationFactory,
    TrackedIndicatorFactory,
)


def _situations(n, ctx):
    for index in range(n):
        situation = SituationFactory()
        AssignmentFactory(situation=situation, government=ctx["government"], liaisons=[ctx["liaison"]])
        AssignmentFactory(situation=situation, government=GovernmentFactory(), role=PartnerRole.OBSERVER)
        situation.named_liaisons.add(ctx["liaison"])


def _actions(n, ctx):
    for _ in range(n):
        ActionFactory(situation=ctx["situation"], owner_government=ctx["government"], assignee=ctx["liaison"])


def _readings(n, ctx):
    now = timezone.now()
    for index in range(n):
        ReadingFactory(situation=ctx["situation"], indicator=ctx["indicator"],
                       observed_at=now - dt.timedelta(minutes=index + 1), recorded_by=ctx["desk"])


def _tracked(n, ctx):
    for _ in range(n):
        TrackedIndicatorFactory(situation=ctx["situation"], indicator=IndicatorFactory())


def _updates(n, ctx):
    for index in range(n):
        ActionUpdate.objects.create(action=ctx["action"], author=ctx["desk"], old_status="proposed",
                                    new_status="proposed", note=f"note {index}")


def _history(n, ctx):
    for index in range(n):
        ctx["situation"].area = f"area {index}"
        ctx["situation"].save()


def _action_history(n, ctx):
    for index in range(n):
        ctx["action"].progress_note = f"note {index}"
        ctx["action"].save()


def _commitment(action, government, **extra):
    from coordination.models import Commitment

    return Commitment.objects.create(action=action, government=government, due_date=action.due_date,
                                     last_activity_at=timezone.now(), **extra)


def _joint_actions(n, ctx):
    for _ in range(n):
        action = ActionFactory(situation=ctx["situation"], owner_government=ctx["government"])
        _commitment(action, ctx["government"], status="accepted", liaison=ctx["liaison"])
        _commitment(action, GovernmentFactory())


def _commitments(n, ctx):
    for _ in range(n):
        _commitment(ctx["action"], GovernmentFactory(), liaison=None)


def _commitment_updates(n, ctx):
    from coordination.models import CommitmentUpdate

    if "commitment" not in ctx:
        ctx["commitment"] = _commitment(ctx["action"], ctx["government"], status="accepted")
    for index in range(n):
        CommitmentUpdate.objects.create(commitment=ctx["commitment"], author=ctx["liaison"], old_status="accepted",
                                        new_status="accepted", note=f"note {index}")


def _tokens(n, ctx):
    for _ in range(n):
        AuthToken.objects.create(user=ctx["liaison"])


def _escalations(n, ctx):
    from alerts.choices import Trigger
    from alerts.models import EscalationRule
    from testkit.world import open_escalation

    rule = EscalationRule.objects.get_or_create(name="Counted rule", defaults={"trigger": Trigger.DEADLINE_MISSED})[0]
    for index in range(n):
        # One unresolved escalation per situation: each on its own, the liaison's government assigned.
        situation = SituationFactory()
        AssignmentFactory(situation=situation, government=ctx["government"], liaisons=[ctx["liaison"]])
        group = open_escalation(rule, situation, f"condition {index}")
        group.owner = group.acknowledged_by = ctx["desk"]
        group.save()
        group.conditions.update(action=ctx["action"], indicator=ctx["indicator"])


# (name, url, rows builder); the page size is 50, so 50 rows are all on one page.
LISTS = [
    ("situations", lambda c: "/api/v1/situations", _situations),
    ("situation export", lambda c: "/api/v1/situations/export", _situations),
    ("assignments", lambda c: "/api/v1/assignments", _situations),
    ("actions", lambda c: "/api/v1/actions", _actions),
    ("action export", lambda c: "/api/v1/actions/export", _actions),
    ("readings", lambda c: f"/api/v1/situations/{c['situation'].pk}/readings", _readings),
    ("reading export", lambda c: f"/api/v1/situations/{c['situation'].pk}/readings/export?format=excel", _readings),
    ("escalation export", lambda c: "/api/v1/alert-groups/export", _escalations),
    ("escalation export for excel", lambda c: "/api/v1/alert-groups/export?format=excel", _escalations),
    ("alert export", lambda c: "/api/v1/alerts/export", _escalations),
    ("tracked indicators", lambda c: f"/api/v1/situations/{c['situation'].pk}/indicators", _tracked),
    ("action updates", lambda c: f"/api/v1/actions/{c['action'].pk}/updates", _updates),
    ("situation history", lambda c: f"/api/v1/situations/{c['situation'].pk}/history", _history),
    ("action history", lambda c: f"/api/v1/actions/{c['action'].pk}/history", _action_history),
    ("my tokens", lambda c: "/api/v1/auth/tokens", _tokens),
    ("joint actions", lambda c: "/api/v1/actions", _joint_actions),
    ("action commitments", lambda c: f"/api/v1/actions/{c['action'].pk}/commitments", _commitments),
    ("commitment updates", lambda c: f"/api/v1/commitments/{c['commitment'].pk}/updates", _commitment_updates),
    ("governments", lambda c: "/api/v1/governments", lambda n, c: [GovernmentFactory() for _ in range(n)]),
    ("indicators", lambda c: "/api/v1/indicators", lambda n, c: [IndicatorFactory() for _ in range(n)]),
]


@pytest.fixture
def ctx(liaison, desk_officer, situation, action, home_government):
    return {"liaison": liaison, "desk": desk_officer, "situation": situation, "action": action,
            "government": home_government, "indicator": TrackedIndicatorFactory(situation=situation).indicator}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


@pytest.mark.parametrize(("name", "url", "build"), LISTS, ids=[name for name, _u, _b in LISTS])
def test_a_list_costs_the_same_for_5_rows_as_for_50(client_for, ctx, django_assert_max_num_queries, name, url,
                                                    build):
    # Read as the liaison: their lists carry the visibility subqueries too.
    client = client_for(ctx["liaison"])
    build(5, ctx)
    with_5 = _count(client, url(ctx))
    build(45, ctx)
    with django_assert_max_num_queries(with_5):
        client.get(url(ctx))
    print(f"QUERIES {name}: {with_5}")
