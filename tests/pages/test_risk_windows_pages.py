"""Risk windows on the situation page, as a desk officer checks them: the list says which
window is open now and what it changes, the form refuses out-of-range values at the
field, and the trend chart shades the window's days and shows the heightened lines."""
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import RiskWindow
from testkit.factories import IndicatorFactory, ReadingFactory, TrackedIndicatorFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 9, 10, 0, tzinfo=dt.timezone.utc)
ELECTION_DAY = dt.date(2026, 5, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def detail(situation):
    return reverse("pages:situation-detail", args=[situation.pk])


def window(situation, **kwargs):
    indicators = kwargs.pop("indicators", ())
    values = {"kind": "election", "title": "General election", "event_date": ELECTION_DAY, "days_before": 3,
              "days_after": 2, "threshold_shift_percent": 20, "wait_factor": 0.5, **kwargs}
    made = RiskWindow.objects.create(situation=situation, **values)
    made.indicators.set(indicators)
    return made


def add(client, situation, **fields):
    data = {"kind": "election", "title": "Presidential election", "event_date": "2026-05-10", "days_before": 3,
            "days_after": 2, "threshold_shift_percent": 25, "wait_factor": 0.5, **fields}
    return client.post(reverse("pages:risk-window-create", args=[situation.pk]),
                       {f"window-{name}": value for name, value in data.items()})


def test_staff_add_a_window_and_the_page_says_it_is_open_and_what_it_changes(client, desk_officer, situation,
                                                                           tracked):
    client.force_login(desk_officer)
    body = client.get(detail(situation)).content.decode()
    assert 'id="window-form"' in body and tracked.indicator.name in body.split('id="window-form"', 1)[1]
    response = add(client, situation)
    assert response.status_code == 302 and response["Location"].endswith("#windows")
    body = client.get(detail(situation)).content.decode()
    row = body.split('id="risk-windows"', 1)[1].split("</table>", 1)[0]
    assert "Presidential election" in row and "active now" in row
    assert "Thresholds 25 % closer to normal; escalation waits × 0.5<" in row
    assert "for every tracked indicator" in row


def test_a_liaison_reads_the_windows_but_gets_no_form(client, liaison, situation, tracked):
    window(situation, title="Census week", kind="census")
    client.force_login(liaison)
    body = client.get(detail(situation)).content.decode()
    assert "Census week" in body and "Census" in body
    assert 'id="window-form"' not in body and "pages:risk-window-delete" not in body and ">Remove<" not in body


@pytest.mark.parametrize(("fields", "field"), [
    ({"days_before": 400}, "days_before"),
    ({"threshold_shift_percent": 95}, "threshold_shift_percent"),
    ({"wait_factor": 0}, "wait_factor"),
    ({"event_date": "soon"}, "event_date"),
    ({"title": ""}, "title"),
])
def test_a_refused_window_is_shown_again_with_the_reason_at_the_field(client, desk_officer, situation, fields,
                                                                     field):
    client.force_login(desk_officer)
    response = add(client, situation, **fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_window-{field}_errors"' in body
    assert '<details id="add-window" open>' in body
    assert not RiskWindow.objects.exists()


def test_only_indicators_tracked_on_the_situation_can_be_chosen(client, desk_officer, situation, tracked):
    stranger = IndicatorFactory(code="fa-9-elsewhere", name="Tracked elsewhere")
    client.force_login(desk_officer)
    assert "Tracked elsewhere" not in client.get(detail(situation)).content.decode()
    response = add(client, situation, indicators=stranger.pk)
    assert response.status_code == 400 and 'id="id_window-indicators_errors"' in response.content.decode()
    assert add(client, situation, indicators=tracked.indicator_id).status_code == 302
    assert list(RiskWindow.objects.get().indicators.all()) == [tracked.indicator]


def test_staff_remove_a_window_and_a_stale_removal_says_so(client, desk_officer, liaison, situation):
    made = window(situation)
    remove = reverse("pages:risk-window-delete", args=[situation.pk])
    client.force_login(liaison)
    assert client.post(remove, {"window": made.pk}).status_code == 403
    client.force_login(desk_officer)
    assert client.post(remove, {"window": made.pk}).status_code == 302
    assert not RiskWindow.objects.exists()
    again = client.post(remove, {"window": made.pk})
    assert again.status_code == 400 and "not on this situation" in again.content.decode()


def test_a_window_of_another_situation_cannot_be_removed_through_this_one(client, desk_officer, situation,
                                                                          foreign_situation):
    theirs = window(foreign_situation)
    client.force_login(desk_officer)
    response = client.post(reverse("pages:risk-window-delete", args=[situation.pk]), {"window": theirs.pk})
    assert response.status_code == 400 and RiskWindow.objects.filter(pk=theirs.pk).exists()


def test_the_chart_shades_an_open_window_and_draws_the_heightened_thresholds(client, desk_officer, situation,
                                                                             tracked):
    for days in (20, 10, 1):
        ReadingFactory(situation=situation, indicator=tracked.indicator, value=days,
                       observed_at=NOW - dt.timedelta(days=days))
    open_window = window(situation)
    client.force_login(desk_officer)
    body = client.get(detail(situation)).content.decode()
    chart = body.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]
    assert f'<g class="window active" data-window="{open_window.pk}">' in chart
    assert 'class="window-band"' in chart and "General election" in chart
    # warning 10 and critical 25, 20 % closer to normal: 8 and 20.
    assert "Risk window open: heightened to" in chart and "warning 8\n" in chart and "critical 20<" in chart
    assert 'data-threshold="heightened-warning"' in chart and 'data-threshold="heightened-critical"' in chart
    assert "style=" not in body


def test_an_upcoming_window_is_drawn_without_heightened_lines(client, desk_officer, situation, tracked):
    ReadingFactory(situation=situation, indicator=tracked.indicator, value=3, observed_at=NOW - dt.timedelta(days=2))
    coming = window(situation, title="Verdict day", kind="verdict", event_date=ELECTION_DAY + dt.timedelta(days=30))
    client.force_login(desk_officer)
    chart = client.get(detail(situation)).content.decode().split('<figure class="chart">', 1)[1]
    chart = chart.split("</figure>", 1)[0]
    assert f'<g class="window" data-window="{coming.pk}">' in chart
    assert "heightened" not in chart


def test_a_window_naming_another_indicator_is_not_drawn_on_this_chart(client, desk_officer, situation, tracked):
    other = TrackedIndicatorFactory(situation=situation, indicator=IndicatorFactory(code="fa-8-7-hate",
                                                                                  name="Hate speech"))
    for tracked_indicator in (tracked, other):
        ReadingFactory(situation=situation, indicator=tracked_indicator.indicator, value=2,
                       observed_at=NOW - dt.timedelta(days=2))
    named = window(situation, indicators=[other.indicator])
    client.force_login(desk_officer)
    body = client.get(detail(situation)).content.decode()
    charts = {figure.split("</strong>", 1)[0].rsplit(">", 1)[1]: figure
              for figure in body.split('<figure class="chart">')[1:]}
    assert f'data-window="{named.pk}"' in charts["Hate speech"]
    assert f'data-window="{named.pk}"' not in charts[tracked.indicator.name]


def test_far_and_past_windows_are_listed_but_not_drawn_nor_on_the_timeline(client, desk_officer, situation,
                                                                            tracked):
    ReadingFactory(situation=situation, indicator=tracked.indicator, value=3, observed_at=NOW - dt.timedelta(days=2))
    far = window(situation, title="Census next year", kind="census", event_date=ELECTION_DAY + dt.timedelta(days=200))
    past = window(situation, title="Last year's verdict", kind="verdict",
                  event_date=ELECTION_DAY - dt.timedelta(days=300))
    near = window(situation, title="General election")
    client.force_login(desk_officer)
    body = client.get(detail(situation)).content.decode()
    listed = body.split('id="risk-windows"', 1)[1].split("</table>", 1)[0]
    assert "Census next year" in listed and "upcoming" in listed and "past" in listed
    chart = body.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]
    assert f'data-window="{near.pk}"' in chart
    assert f'data-window="{far.pk}"' not in chart and f'data-window="{past.pk}"' not in chart
    timeline = body.split('id="timeline"', 1)[1].split('id="history"', 1)[0]
    assert "risk window" in timeline and "General election" in timeline
    assert "Census next year" not in timeline and "Last year" not in timeline


@pytest.mark.parametrize("role", ["manager", "liaison"])
def test_the_page_costs_the_same_with_2_windows_as_with_10(client, request, situation, tracked, role):
    ReadingFactory(situation=situation, indicator=tracked.indicator, value=3, observed_at=NOW - dt.timedelta(days=2))
    others = [TrackedIndicatorFactory(situation=situation).indicator for _ in range(2)]

    def grow(n):
        for index in range(n):
            made = window(situation, title=f"Window {RiskWindow.objects.count()}",
                          event_date=ELECTION_DAY + dt.timedelta(days=index * 7))
            made.indicators.set(others[: index % 3])

    client.force_login(request.getfixturevalue(role))
    grow(2)
    client.get(detail(situation))
    with CaptureQueriesContext(connection) as two:
        assert client.get(detail(situation)).status_code == 200
    grow(8)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(detail(situation))
    assert response.content.decode().count("<tr data-window=") == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_the_time_axis_stretches_to_reach_an_upcoming_window(situation, tracked):
    from coordination.views.charts import build_chart

    readings = [ReadingFactory(situation=situation, indicator=tracked.indicator, value=v,
                               observed_at=NOW - dt.timedelta(days=d)) for v, d in ((4, 10), (6, 0))]
    coming = window(situation, event_date=ELECTION_DAY + dt.timedelta(days=20), days_before=2, days_after=1)
    chart = build_chart(tracked, readings, windows=[coming], today=NOW.date())
    [band] = chart.bands
    last_point = chart.points[-1]["x"]
    assert chart.plot_left == chart.points[0]["x"] < last_point < band["x"]
    assert band["x"] + band["width"] == pytest.approx(chart.plot_right, abs=0.2)
    assert chart.x_last.date() == coming.ends_on + dt.timedelta(days=1) and not band["active"]
    assert not chart.heightened
