"""The escalation pages as a manager uses them: inline actions that keep what was
typed, rules and policies refused with the services' reasons next to the field, and
queries that do not grow with the queue."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.models import Alert, AlertGroup, EscalationRule
from coordination.models import SignoffRequest
from testkit.world import open_escalation
from testkit.factories import SituationFactory
from testkit.signoffs import signed_off

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_resolving_without_a_note_says_so_in_the_row_and_keeps_it_open(client, manager, alert):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "resolve"]),
                           {f"g{alert.pk}-resolve-note": "   "}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tbody id="alert-row-{alert.pk}"')
    assert f'id="id_g{alert.pk}-resolve-note_errors"' in body and "<details open>" in body
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_snooze_in_the_past_is_refused_next_to_the_time(client, manager, alert):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "snooze"]),
                           {f"g{alert.pk}-snooze-preset": "custom", f"g{alert.pk}-snooze-until": "2020-01-01T10:00",
                            f"g{alert.pk}-snooze-note": "later"})
    body = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_g{alert.pk}-snooze-until_errors"' in body and "future" in body and 'value="later"' not in body \
        or "later" in body
    alert.refresh_from_db()
    assert alert.status == "open"


def test_reassigning_to_someone_who_cannot_see_the_situation_is_refused(client, manager, alert, other_liaison):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "reassign"]),
                           {f"g{alert.pk}-reassign-owner": other_liaison.pk}, **HTMX)
    assert f'id="id_g{alert.pk}-reassign-owner_errors"' in response.content.decode()
    alert.refresh_from_db()
    assert alert.owner_id is None


def test_acknowledge_then_resolve_from_the_queue(client, manager, alert):
    client.force_login(manager)
    client.post(reverse("alert-pages:alert-act", args=[alert.pk, "acknowledge"]), {}, **HTMX)
    response = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "resolve"]),
                           {f"g{alert.pk}-resolve-note": "Handled by the envoy."}, **HTMX)
    # Critical and its condition still holds: the resolution waits for a second manager.
    assert "Waiting for a second person" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    waiting = client.get(reverse("alert-pages:alert-detail", args=[alert.pk])).content.decode()
    assert 'id="signoffs"' in waiting and "Resolve a critical escalation" in waiting
    signed_off(SignoffRequest.objects.get(status="pending"))
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.resolution_note) == ("resolved", manager,
                                                                           "Handled by the envoy.")
    detail = client.get(reverse("alert-pages:alert-detail", args=[alert.pk])).content.decode()
    assert 'data-kind="acknowledged"' in detail and 'data-kind="resolved"' in detail


def test_a_rule_with_a_bad_parameter_is_refused_next_to_the_parameters(client, manager, policy):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:rule-create"), {
        "name": "Soon", "trigger": "deadline_soon", "params": '{"days": 0}', "severity": "info", "scope": "all",
        "cooldown_minutes": 60, "enabled": "on"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="id_params_errors"' in body and 'value="Soon"' in body
    assert not EscalationRule.objects.filter(name="Soon").exists()


def test_a_country_rule_without_a_country_is_refused_at_the_country_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:rule-create"), {
        "name": "Country", "trigger": "deadline_missed", "params": "", "severity": "warning", "scope": "country",
        "cooldown_minutes": 60})
    assert 'id="id_country_code_errors"' in response.content.decode()


def test_a_rule_is_created_edited_and_disabled(client, manager, policy):
    client.force_login(manager)
    data = {"name": "Soon", "trigger": "deadline_soon", "params": '{"days": 5}', "severity": "info",
            "scope": "all", "cooldown_minutes": 60, "enabled": "on", "policy": policy.pk}
    assert client.post(reverse("alert-pages:rule-create"), data).status_code == 302
    rule = EscalationRule.objects.get(name="Soon")
    assert rule.params == {"days": 5} and rule.enabled
    assert client.post(reverse("alert-pages:rule-edit", args=[rule.pk]), {**data, "params": '{"days": 2}'}
                       ).status_code == 302
    client.post(reverse("alert-pages:rule-toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.params == {"days": 2} and not rule.enabled


def test_a_policy_step_without_anyone_to_notify_is_refused_on_that_step(client, manager, liaison):
    client.force_login(manager)
    response = client.post(reverse("alert-pages:policy-create"), {
        "name": "Named only", "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
        "steps-0-targets": ["managers"], "steps-0-wait_minutes": "30",
        "steps-1-users": [liaison.pk], "steps-1-wait_minutes": "30"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_steps-1-users_errors"' in body or "id=\"id_steps-1-targets_errors\"" in body


def test_the_queue_costs_the_same_queries_for_5_and_30_escalations(client, manager, rule,
                                                              django_assert_max_num_queries):
    client.force_login(manager)
    for i in range(5):
        open_escalation(rule, SituationFactory(), f"Grown alert {i}")
    client.get(reverse("alert-pages:queue"))
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("alert-pages:queue"))
    for i in range(5, 30):
        open_escalation(rule, SituationFactory(), f"Grown alert {i}")
    with django_assert_max_num_queries(len(five.captured_queries)):
        body = client.get(reverse("alert-pages:queue")).content.decode()
    assert body.count('class="alert-row"') == 30
    print(f"\nqueries: alert-pages:queue as manager: {len(five.captured_queries)}")


@pytest.mark.parametrize("name", ["alert-pages:alert-detail"])
def test_alert_detail_costs_the_same_for_few_and_many_events(client, manager, alert, name,
                                                             django_assert_max_num_queries):
    from django.utils import timezone

    from alerts.models import AlertEvent

    client.force_login(manager)
    url = reverse(name, args=[alert.pk])
    for _ in range(5):
        AlertEvent.objects.create(group=alert, kind="re_occurred", created_at=timezone.now())
    client.get(url)
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    for _ in range(25):
        AlertEvent.objects.create(group=alert, kind="re_occurred", created_at=timezone.now())
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(url).content.decode().count('data-kind="re_occurred"') == 30
    print(f"\nqueries: alert-pages:alert-detail as manager: {len(five.captured_queries)}")


def test_the_bell_counts_unread_in_app_notifications_of_visible_situations(client, liaison, alert, foreign_alert,
                                                                          other_liaison):
    from django.utils import timezone

    from alerts.models import Notification

    for target, user in ((alert, liaison), (foreign_alert, liaison)):
        Notification.objects.create(group=target, recipient=user, channel="in_app", idempotency_key=f"k{target.pk}",
                                    reason="test", created_at=timezone.now())
    client.force_login(liaison)
    body = client.get(reverse("alert-pages:bell")).content.decode()
    # The foreign situation is out of the liaison's scope: its notification does not count.
    assert '<span class="count">1</span>' in body
    assert AlertGroup.objects.count() == 2


def test_a_snooze_preset_ends_tomorrow_at_nine_in_the_managers_zone(client, manager, alert):
    import datetime as dt
    import zoneinfo

    from django.utils import timezone

    manager.time_zone = "Asia/Tokyo"
    manager.save()
    client.force_login(manager)
    response = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "snooze"]),
                           {f"g{alert.pk}-snooze-preset": "tomorrow"})
    assert response.status_code == 302
    alert.refresh_from_db()
    local = alert.snoozed_until.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    assert (alert.status, local.date(), local.time()) == ("snoozed", today + dt.timedelta(days=1), dt.time(9))


def test_the_queue_resolves_the_ticked_escalations_at_once(client, manager, alert, rule):
    other = open_escalation(rule, SituationFactory(), "Another")
    client.force_login(manager)
    refused = client.post(reverse("alert-pages:queue-bulk"), {"verb": "resolve", "groups": [alert.pk, other.pk]})
    assert refused.status_code == 400 and "note" in refused.content.decode().lower()
    holding = client.post(reverse("alert-pages:queue-bulk"), {"verb": "resolve", "groups": [alert.pk, other.pk],
                                                              "note": "Both handled."})
    assert holding.status_code == 400 and "sign-off" in holding.content.decode()
    assert set(AlertGroup.objects.values_list("status", flat=True)) == {"open"}
    # Once their conditions no longer hold, one manager may resolve them together.
    Alert.objects.update(condition_active=False)
    done = client.post(reverse("alert-pages:queue-bulk"), {"verb": "resolve", "groups": [alert.pk, other.pk],
                                                           "note": "Both handled at the ministerial meeting."})
    assert done.status_code == 302
    assert set(AlertGroup.objects.values_list("status", flat=True)) == {"resolved"}


def test_the_queue_offers_the_verbs_the_service_does_and_refuses_others(client, manager, alert):
    # One list of bulk verbs (alerts.services.BULK_VERBS): the page's choice is the API's.
    client.force_login(manager)
    page = client.get(reverse("alert-pages:queue")).content.decode()
    assert '<option value="acknowledge">Acknowledge</option><option value="resolve">Resolve</option></select>' in page
    refused = client.post(reverse("alert-pages:queue-bulk"), {"verb": "snooze", "groups": [alert.pk]})
    assert refused.status_code == 400
    alert.refresh_from_db()
    assert alert.status == "open"
