import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from alerts import services
from alerts.choices import AlertStatus, Trigger
from alerts.models import AlertGroup
from coordination.choices import ActionStatus
from coordination.services import action_transition
from testkit.factories import ActionFactory, SituationFactory, TrackedIndicatorFactory

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def alerts_world(situation, tracked, indicator, record, threshold_rule, foreign_situation):
    """A critical escalation on the cast's situation, a warning one on the foreign situation."""
    TrackedIndicatorFactory(situation=foreign_situation, indicator=indicator)
    record(situation, indicator, 30)
    record(foreign_situation, indicator, 12)
    for s in (situation, foreign_situation):
        services.evaluate_situation(situation_id=s.pk)
    return AlertGroup.objects.get(situation=situation), AlertGroup.objects.get(situation=foreign_situation)


def test_the_queue_lists_the_most_severe_first_with_counts_by_severity(alerts_world, manager):
    ours, foreign = alerts_world
    body = client_for(manager).get("/api/v1/alert-groups").json()
    assert [row["id"] for row in body["results"]] == [ours.pk, foreign.pk]
    assert body["severity_counts"] == {"info": 0, "warning": 1, "critical": 1}
    assert body["results"][0]["warning_response_gap"]["open"] is True
    filtered = client_for(manager).get("/api/v1/alert-groups", {"severity": "warning"}).json()
    assert [row["id"] for row in filtered["results"]] == [foreign.pk]


def test_a_liaison_sees_the_escalations_of_their_situations_only(alerts_world, liaison):
    ours, foreign = alerts_world
    client = client_for(liaison)
    body = client.get("/api/v1/alert-groups").json()
    assert [row["id"] for row in body["results"]] == [ours.pk]
    assert body["severity_counts"]["warning"] == 0
    assert client.get(f"/api/v1/alert-groups/{foreign.pk}").status_code == 404
    assert client.post(f"/api/v1/alert-groups/{foreign.pk}/acknowledge", {}, format="json").status_code == 404


def test_the_queue_costs_the_same_queries_whatever_its_length(situation, indicator, record, threshold_rule, manager,
                                                             django_assert_max_num_queries):
    for _ in range(6):
        extra = SituationFactory()
        TrackedIndicatorFactory(situation=extra, indicator=indicator)
        record(extra, indicator, 30)
        services.evaluate_situation(situation_id=extra.pk)
    client = client_for(manager)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/alert-groups").json()["results"]) == 6


def test_the_detail_shows_the_timeline_and_each_notifications_delivery(alerts_world, manager, liaison):
    ours, _ = alerts_world
    body = client_for(manager).get(f"/api/v1/alert-groups/{ours.pk}").json()
    assert [e["kind"] for e in body["events"]] == ["opened", "notified"]
    assert {n["status"] for n in body["notifications"]} == {"pending", "sent"}  # e-mail waits, in-app is there
    mine = client_for(liaison).get(f"/api/v1/alert-groups/{ours.pk}").json()["notifications"]
    assert {n["recipient"]["username"] for n in mine} == {"liaison"}, "a partner does not see who else was told"


def test_a_liaison_acknowledges_an_alert_addressed_to_them_but_may_not_resolve_it(alerts_world, liaison):
    ours, _ = alerts_world
    client = client_for(liaison)
    assert client.post(f"/api/v1/alert-groups/{ours.pk}/resolve", {"note": "done"}, format="json").status_code == 403
    response = client.post(f"/api/v1/alert-groups/{ours.pk}/acknowledge", {"note": "On it"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == AlertStatus.ACKNOWLEDGED
    assert response.json()["events"][-1]["actor"]["username"] == "liaison"


def test_managers_snooze_reassign_escalate_and_resolve_over_the_api(alerts_world, manager, admin_user, desk_officer,
                                                                   other_liaison):
    ours, _ = alerts_world
    client = client_for(manager)
    url = f"/api/v1/alert-groups/{ours.pk}"
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    bad = client.post(f"{url}/snooze", {"until": past}, format="json")
    assert bad.status_code == 400 and "until" in bad.json()["fields"]
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    assert client.post(f"{url}/snooze", {"until": later}, format="json").json()["status"] == "snoozed"
    refused = client.post(f"{url}/reassign", {"owner": other_liaison.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()["fields"]
    assert client.post(f"{url}/reassign", {"owner": desk_officer.pk}, format="json").json()["owner"]["id"] == \
        desk_officer.pk
    assert client.post(f"{url}/escalate", {}, format="json").json()["step"] == 2
    asked = client.post(f"{url}/resolve", {"note": "Envoy met the governor."}, format="json")
    assert asked.status_code == 202 and asked.json()["kind"] == "resolve_holding"  # critical, still holding
    assert client.get(url).json()["status"] != "resolved"
    approved = client_for(admin_user).post(f"/api/v1/sign-offs/{asked.json()['id']}/approve", {}, format="json")
    assert approved.status_code == 200, approved.content
    resolved = client.get(url).json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"]["id"] == manager.pk


def test_rules_are_validated_by_the_service_and_written_by_managers_only(manager, desk_officer, policy):
    bad = client_for(manager).post("/api/v1/alert-rules", {"name": "Fast rise", "trigger": Trigger.RISE_WITHIN_WINDOW,
                                                           "params": {"window_days": 7}}, format="json")
    assert bad.status_code == 400 and "params.amount" in bad.json()["fields"]
    good = {"name": "Fast rise", "trigger": Trigger.RISE_WITHIN_WINDOW, "params": {"amount": 5, "window_days": 7},
            "policy": policy.pk}
    assert client_for(desk_officer).post("/api/v1/alert-rules", good, format="json").status_code == 403
    created = client_for(manager).post("/api/v1/alert-rules", good, format="json")
    assert created.status_code == 201 and created.json()["params"] == {"amount": 5.0, "window_days": 7,
                                                                       "indicators": []}


def test_policies_are_created_with_ordered_steps_and_bad_steps_are_named(manager):
    client = client_for(manager)
    bad = client.post("/api/v1/escalation-policies", {"name": "P", "steps": [{"targets": ["everyone"]}]}, format="json")
    assert bad.status_code == 400 and "steps.0.targets" in bad.json()["fields"]
    made = client.post("/api/v1/escalation-policies", {"name": "P", "steps": [
        {"targets": ["desk_officers"], "wait_minutes": 15}, {"targets": ["managers"]}]}, format="json")
    assert made.status_code == 201
    assert [s["targets"] for s in made.json()["steps"]] == [["desk_officers"], ["managers"]]


def test_my_notifications_count_unread_and_mark_read(alerts_world, liaison, other_liaison):
    _, foreign = alerts_world
    client = client_for(liaison)
    body = client.get("/api/v1/notifications").json()
    assert body["unread"] == 1 and len(body["results"]) == 1
    assert client.post(f"/api/v1/notifications/{body['results'][0]['id']}/read").status_code == 200
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}
    theirs = client_for(other_liaison).get("/api/v1/notifications").json()["results"]
    assert {row["escalation"]["situation"]["id"] for row in theirs} == {foreign.situation_id}


def test_the_warning_response_gap_closes_with_the_first_action_agreed_after_the_warning(
        alerts_world, manager, situation, home_government):
    ours, _ = alerts_world
    action = ActionFactory(situation=situation, owner_government=home_government)
    action_transition(actor=manager, action=action, to_status=ActionStatus.AGREED)
    action.refresh_from_db()
    gap = client_for(manager).get("/api/v1/alert-groups").json()["results"][0]["warning_response_gap"]
    assert gap["open"] is False
    reading_observed = ours.conditions.get().evidence_at
    assert gap["seconds"] == pytest.approx((action.agreed_at - reading_observed).total_seconds())


def test_webhook_endpoints_show_their_secret_once_at_creation(manager, home_government):
    client = client_for(manager)
    made = client.post("/api/v1/webhook-endpoints", {"name": "Ministry", "url": "https://hooks.example.org/in",
                                                     "owner_government": home_government.pk}, format="json")
    assert made.status_code == 201 and len(made.json()["secret"]) >= 32
    assert "secret" not in client.get(f"/api/v1/webhook-endpoints/{made.json()['id']}").json()
    bad = client.post("/api/v1/webhook-endpoints", {"name": "X", "url": "ftp://x"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()["fields"]


def test_the_situation_resource_carries_its_warning_response_gap_in_constant_queries(
        alerts_world, manager, situation, django_assert_max_num_queries):
    client = client_for(manager)
    detail = client.get(f"/api/v1/situations/{situation.pk}").json()
    assert detail["warning_response_gap"]["open"] is True
    assert detail["warning_response_gap"]["first_warning_at"] is not None
    for _ in range(5):
        SituationFactory()
    with django_assert_max_num_queries(10):
        rows = client.get("/api/v1/situations").json()["results"]
    gaps = {row["id"]: row["warning_response_gap"] for row in rows}
    assert gaps[situation.pk]["open"] is True
    assert sum(1 for gap in gaps.values() if gap["first_warning_at"] is None) == 5


def test_conditions_are_listed_inside_their_group_and_alone_read_only(alerts_world, manager, liaison):
    ours, foreign = alerts_world
    client = client_for(manager)
    detail = client.get(f"/api/v1/alert-groups/{ours.pk}").json()
    assert [c["severity"] for c in detail["conditions"]] == ["critical"] and detail["open_conditions"] == 1
    conditions = client.get("/api/v1/alerts").json()["results"]
    assert {c["group"] for c in conditions} == {ours.pk, foreign.pk}
    assert {c["group"] for c in client_for(liaison).get("/api/v1/alerts").json()["results"]} == {ours.pk}
    condition = conditions[0]["id"]
    assert client.post(f"/api/v1/alerts/{condition}/acknowledge", {}, format="json").status_code == 404, \
        "act through the escalation"
