"""Readings a broken or hostile sender might post: not-a-number, infinity, times in the
future, replays of the same client id, a 10 MB body. Each is refused (400 naming the
field, or 413) or deduplicated — and none of it opens an alert. The evaluation is run
right after each attempt, as the worker would, and the alert count must not move; a
valid critical reading, evaluated the same way, is the control that does open one."""
import datetime as dt
import io
import json
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.evaluation import evaluate_situation
from alerts.models import Alert
from core.api.parsers import BoundedJSONParser, PayloadTooLarge
from coordination.models import IndicatorReading

CRITICAL = 1000  # far above the cast indicator's critical threshold (25)


@pytest.fixture
def poster(desk_officer, situation, tracked, rule):
    client = APIClient()
    client.force_login(desk_officer)
    url = f"/api/v1/situations/{situation.pk}/readings"

    def post(body, *, raw=False):
        if raw:
            return client.generic("POST", url, body, content_type="application/json")
        return client.post(url, body, format="json")

    return post


def reading(indicator, **overrides):
    return {"indicator": indicator.pk, "value": CRITICAL,
            "observed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(), **overrides}


@pytest.fixture
def unchanged(situation):
    """After the test: no reading stored, no alert opened, even once evaluated."""
    readings, alerts = IndicatorReading.objects.count(), Alert.objects.count()
    yield
    evaluate_situation(situation_id=situation.pk)
    assert IndicatorReading.objects.count() == readings
    assert Alert.objects.count() == alerts


def test_the_control_a_valid_critical_reading_opens_an_alert(poster, indicator, situation):
    assert poster(reading(indicator)).status_code == 201
    evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.filter(situation=situation).count() == 1


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", True, None, "", "12abc",
                                   [1], {"v": 1}, 1e300])
def test_a_value_that_is_not_a_finite_number_in_range_is_refused(poster, indicator, value, unchanged):
    response = poster(reading(indicator, value=value))
    assert response.status_code == 400, response.content
    assert "value" in response.json()["fields"]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_bare_json_nan_and_infinity_tokens_are_refused(poster, indicator, token, unchanged):
    body = json.dumps(reading(indicator, value=0)).replace('"value": 0', f'"value": {token}')
    response = poster(body, raw=True)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "parse_error")


@pytest.mark.parametrize("when", [dt.timedelta(days=1), dt.timedelta(minutes=10), dt.timedelta(days=365 * 100)])
def test_an_observation_in_the_future_is_refused(poster, indicator, when, unchanged):
    response = poster(reading(indicator, observed_at=(timezone.now() + when).isoformat()))
    assert response.status_code == 400 and "observed_at" in response.json()["fields"]


# A time without a zone is read as UTC (the API's documented zone), not refused.
@pytest.mark.parametrize("observed_at", ["9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2026-13-45T00:00:00Z",
                                         "yesterday", "0000-00-00T00:00:00Z", "2026-01-01T00:00:00+99:00"])
def test_an_impossible_time_is_refused(poster, indicator, observed_at, unchanged):
    response = poster(reading(indicator, observed_at=observed_at))
    assert response.status_code == 400, response.content
    assert "observed_at" in response.json()["fields"]


def test_the_same_client_id_twice_in_one_body_is_refused_whole(poster, indicator, unchanged):
    client_id = str(uuid.uuid4())
    response = poster([reading(indicator, client_id=client_id), reading(indicator, client_id=client_id, value=1)])
    assert response.status_code == 400 and "client_id" in json.dumps(response.json()["fields"])


def test_one_bad_row_in_a_bulk_refuses_the_whole_bulk(poster, indicator, unchanged):
    rows = [reading(indicator, value=5) for _ in range(10)] + [reading(indicator, value="NaN")]
    response = poster(rows)
    assert response.status_code == 400 and "10.value" in response.json()["fields"]


def test_a_replayed_reading_is_stored_once(poster, indicator, situation):
    row = reading(indicator, client_id=str(uuid.uuid4()))
    assert poster(row).status_code == 201
    for _ in range(3):
        assert poster(row).status_code == 200
    assert IndicatorReading.objects.filter(client_id=row["client_id"]).count() == 1
    evaluate_situation(situation_id=situation.pk)
    evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.filter(situation=situation).count() == 1


def test_a_replayed_client_id_with_a_different_value_is_refused(poster, indicator, situation):
    row = reading(indicator, client_id=str(uuid.uuid4()), value=1)
    assert poster(row).status_code == 201
    tampered = poster({**row, "value": CRITICAL})
    assert tampered.status_code in (400, 409) and "client_id" in tampered.json()["fields"]
    evaluate_situation(situation_id=situation.pk)
    assert not Alert.objects.filter(situation=situation).exists()
    assert IndicatorReading.objects.get(client_id=row["client_id"]).value == 1


def test_more_than_the_bulk_limit_is_refused(poster, indicator, unchanged):
    response = poster([reading(indicator, value=1)] * 1001)
    assert response.status_code == 400


def test_a_10_mb_body_answers_413_with_a_short_json_error(poster, indicator, unchanged):
    big = json.dumps([reading(indicator, note="x" * 5000)] * 2100)  # about 10.6 MB
    assert len(big) > 10_000_000
    response = poster(big, raw=True)
    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "detail": "The request body is too large."}
    assert len(response.content) < 200


def test_a_body_that_hides_its_length_is_still_cut_at_the_limit(settings):
    """Behind a proxy that streams a chunked body, no Content-Length is declared: the
    parser still reads no more than the limit (plus one byte to know it was exceeded)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    stream = io.BytesIO(b"[" + b'"x",' * 100_000 + b'"x"]')
    undeclared = SimpleNamespace(META={})
    with pytest.raises(PayloadTooLarge):
        BoundedJSONParser().parse(stream, parser_context={"request": undeclared})
    assert stream.tell() == 1001


def test_a_large_form_encoded_body_is_413_too_not_500(desk_officer, situation, unchanged):
    client = APIClient()
    client.force_login(desk_officer)
    response = client.generic("POST", f"/api/v1/situations/{situation.pk}/readings", "a=" + "x" * 7_000_000,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code in (413, 415), response.status_code
