"""The benchmark writes its rows by the million in SQL, past the models (bench/data.py).
A column added NOT NULL without a database default breaks it and no other test sees it:
`bin/bench` failed so once situations had an outcome. Here the same SQL writes a few
rows of each kind into the test database, and the models and the pages' selectors read
them back as they would rows written by the services."""
import datetime as dt

import pytest

from alerts.models import Alert, AlertGroup
from alerts.selectors import group_list
from bench import data
from coordination.models import Action, PartnerAssignment, Situation
from coordination.selectors import situation_list
from testkit import cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_benchmarks_rows_fit_todays_schema(allow_loopback_webhooks):
    world = data.base(receiver_url="http://127.0.0.1:9/hook")
    layout = data.bands(queue=4, latency=2, deadline=3, ingest=1)
    data.situations(world, layout)
    data.alerts(world, layout, total=8, unresolved=4)
    data.actions(world, layout, first=1, last=6, due=2, today=dt.date.today())

    manager = cast.user("manager")
    assert Situation.objects.count() == layout.total
    assert PartnerAssignment.objects.count() == 3 * layout.total
    assert all(s.outcome == "" and not s.is_closed for s in situation_list(user=manager))
    assert AlertGroup.objects.count() == 8 and Alert.objects.count() == 8
    assert group_list(user=manager).count() == 4, "the unresolved escalations are on the queue"
    assert Action.objects.count() == 6
