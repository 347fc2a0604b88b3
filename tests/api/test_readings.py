"""Readings over the API: bad numbers and times are 400 naming the field, batches are
all or nothing, and a resent client id creates nothing new."""
import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from coordination.models import IndicatorReading
from testkit.factories import IndicatorFactory


@pytest.fixture
def post_readings(client_for, desk_officer, situation, tracked):
    client = client_for(desk_officer)

    def post(body, raw=None):
        return client.generic("POST", f"/api/v1/situations/{situation.pk}/readings",
                              raw if raw is not None else json.dumps(body), content_type="application/json")

    return post


def reading(indicator, **overrides):
    return {"indicator": indicator.pk, "value": 12, "observed_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            **overrides}


def test_a_reading_is_recorded(post_readings, indicator):
    response = post_readings(reading(indicator, source="Field report"))
    assert response.status_code == 201, response.json()
    assert response.json()["indicator_code"] == indicator.code
    assert IndicatorReading.objects.count() == 1


@pytest.mark.parametrize("raw_value", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_as_bare_json_are_400(post_readings, indicator, raw_value):
    body = json.dumps(reading(indicator)).replace('"value": 12', f'"value": {raw_value}')
    response = post_readings(None, raw=body)
    assert response.status_code == 400
    assert IndicatorReading.objects.count() == 0


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", 1e13, "twelve", True])
def test_non_finite_out_of_range_or_wrong_type_values_are_400_naming_value(post_readings, indicator, value):
    response = post_readings(reading(indicator, value=value))
    assert response.status_code == 400
    assert "value" in response.json()["fields"]
    assert IndicatorReading.objects.count() == 0


def test_a_time_far_in_the_future_is_400(post_readings, indicator):
    response = post_readings(reading(indicator, observed_at="2999-01-01T00:00:00Z"))
    assert response.status_code == 400
    assert "observed_at" in response.json()["fields"]


def test_a_bad_date_is_400(post_readings, indicator):
    response = post_readings(reading(indicator, observed_at="2025-02-30T10:00:00Z"))
    assert response.status_code == 400
    assert "observed_at" in response.json()["fields"]


def test_an_indicator_not_tracked_on_the_situation_is_400(post_readings):
    elsewhere = IndicatorFactory(code="fa-7-4-arms")
    response = post_readings(reading(elsewhere))
    assert response.status_code == 400
    assert "indicator" in response.json()["fields"]
    assert IndicatorReading.objects.count() == 0


def test_resending_the_same_client_id_creates_nothing_and_answers_the_same(post_readings, indicator):
    body = reading(indicator, client_id=str(uuid.uuid4()))
    first = post_readings(body)
    again = post_readings(body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert IndicatorReading.objects.count() == 1


def test_a_batch_is_all_or_nothing_and_names_the_bad_row(post_readings, indicator):
    batch = [reading(indicator), reading(indicator, value="NaN"), reading(indicator)]
    response = post_readings(batch)
    assert response.status_code == 400
    assert "1.value" in response.json()["fields"]
    assert IndicatorReading.objects.count() == 0


def test_a_batch_is_recorded_and_resending_it_creates_nothing(post_readings, indicator):
    batch = [reading(indicator, value=n, client_id=str(uuid.uuid4())) for n in range(5)]
    created = post_readings(batch)
    assert created.status_code == 201, created.json()
    resent = post_readings(batch)
    assert resent.status_code == 200
    assert [row["id"] for row in resent.json()] == [row["id"] for row in created.json()]
    assert IndicatorReading.objects.count() == 5


def test_a_batch_of_more_than_a_thousand_is_refused(post_readings, indicator):
    response = post_readings([reading(indicator)] * 1001)
    assert response.status_code == 400
    assert IndicatorReading.objects.count() == 0


def test_a_liaison_may_read_and_record_their_governments_readings(client_for, liaison, situation, tracked,
                                                                  indicator):
    client = client_for(liaison)
    url = f"/api/v1/situations/{situation.pk}/readings"
    assert client.post(url, reading(indicator), format="json").status_code == 201
    assert client.get(url).json()["results"][0]["assessing_government"]["code"] == "XHA"


def test_readings_are_paged_by_cursor_and_filtered_by_time(client_for, desk_officer, situation, tracked, indicator):
    from testkit.factories import ReadingFactory

    now = timezone.now()
    for hours in range(5):
        ReadingFactory(situation=situation, indicator=indicator, observed_at=now - dt.timedelta(hours=hours + 1))
    client = client_for(desk_officer)
    url = f"/api/v1/situations/{situation.pk}/readings"
    page = client.get(url, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    assert client.get(page["next"]).json()["results"][0]["observed_at"] < page["results"][-1]["observed_at"]
    recent = client.get(url, {"observed_after": (now - dt.timedelta(hours=2, minutes=30)).isoformat()}).json()
    assert len(recent["results"]) == 2


def test_a_batch_of_a_thousand_is_accepted_in_one_request(post_readings, indicator):
    now = timezone.now()
    batch = [reading(indicator, value=n % 30, observed_at=(now - dt.timedelta(minutes=n + 1)).isoformat(),
                     client_id=str(uuid.uuid4())) for n in range(1000)]
    response = post_readings(batch)
    assert response.status_code == 201
    assert len(response.json()) == 1000
    assert IndicatorReading.objects.count() == 1000


def test_a_batch_costs_the_same_number_of_queries_for_10_rows_as_for_100(post_readings, indicator,
                                                                         django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def batch(n):
        return [reading(indicator, value=k % 30, client_id=str(uuid.uuid4())) for k in range(n)]

    with CaptureQueriesContext(connection) as small:
        assert post_readings(batch(10)).status_code == 201
    with django_assert_max_num_queries(len(small)):
        assert post_readings(batch(100)).status_code == 201
