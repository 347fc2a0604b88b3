"""Pages cost a constant number of queries whatever the number of rows: measured with
5 rows, asserted with 30 (django_assert_max_num_queries)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.choices import ActionStatus
from coordination.models import ActionUpdate
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    GovernmentFactory,
    ReadingFactory,
    SituationFactory,
    SituationNoteFactory,
    TrackedIndicatorFactory,
)

QUERY_COUNTS: dict[str, int] = {}


def grow(n, *, situation, action, home_government, indicator, liaison, manager):
    """n more of everything a page lists: situations, actions, readings (a partner's
    assessment every other one), updates, partners' notes."""
    for i in range(n):
        other = SituationFactory(title=f"Grown situation {i}-{SituationFactory._meta.model.objects.count()}",
                                 lead_officer=manager)
        AssignmentFactory(situation=other, government=home_government, liaisons=[liaison])
        AssignmentFactory(situation=other, government=GovernmentFactory())
        TrackedIndicatorFactory(situation=other, indicator=indicator)
        due = timezone.localdate() + dt.timedelta(days=(i % 10) - 3)
        ActionUpdate.objects.create(action=action, author=manager, old_status="proposed", new_status="proposed",
                                    note=f"Grown note {i}")
        grown = ActionFactory(situation=situation, owner_government=home_government, due_date=due,
                               created_by=manager, assignee=manager, title=f"Grown action {i}",
                               status=ActionStatus.AGREED if i % 2 else ActionStatus.PROPOSED,
                               agreed_at=timezone.now() if i % 2 else None)
        ActionFactory(situation=other, owner_government=home_government, due_date=due, created_by=manager)
        ActionUpdate.objects.create(action=grown, author=manager, old_status="proposed", new_status="proposed",
                                    note=f"note {i}")
        ReadingFactory(situation=situation, indicator=indicator, value=float(i),
                       observed_at=timezone.now() - dt.timedelta(hours=i + 1), recorded_by=manager,
                       assessing_government=home_government if i % 2 else None)
        SituationNoteFactory(situation=situation, author=liaison, government=home_government, indicator=indicator,
                             body=f"Grown partner note {i}")


PAGES = [
    ("manager", "pages:dashboard", None),
    ("liaison", "pages:dashboard", None),
    ("desk_officer", "pages:dashboard", None),
    ("manager", "pages:situation-list", None),
    ("liaison", "pages:situation-list", None),
    ("manager", "pages:situation-detail", "situation"),
    ("liaison", "pages:situation-detail", "situation"),
    ("manager", "pages:my-actions", None),
    ("liaison", "pages:my-actions", None),
    ("manager", "pages:action-detail", "action"),
    ("liaison", "pages:action-detail", "action"),
]


@pytest.mark.parametrize(("role", "name", "obj"), PAGES, ids=[f"{n}-{r}" for r, n, _ in PAGES])
def test_page_queries_do_not_grow_with_rows(client, request, django_assert_max_num_queries, role, name, obj,
                                            situation, action, tracked, indicator, home_government, liaison,
                                            manager):
    client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[request.getfixturevalue(obj).pk] if obj else [])
    kwargs = dict(situation=situation, action=action, home_government=home_government, indicator=indicator, liaison=liaison,
                  manager=manager)
    grow(5, **kwargs)
    client.get(url)  # warm up the session and content-type caches
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    grow(25, **kwargs)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Grown" in response.content.decode()
    QUERY_COUNTS[f"{name} as {role}"] = len(five.captured_queries)
    print(f"\nqueries: {name} as {role}: {len(five.captured_queries)}")
