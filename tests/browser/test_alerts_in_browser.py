"""The escalation path in a real browser: a reading typed by a desk officer becomes an
alert in a manager's open queue (through Redis and a real worker), and the manager
works it."""
import datetime as dt

import pytest
from django.utils import timezone

from alerts.defaults import ensure_default_rules
from alerts.models import AlertGroup
from coordination.readings import ReadingInput, reading_record, readings_record
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.worker


def test_a_critical_reading_appears_in_the_managers_queue_without_a_reload(
        open_page, live_server, celery_worker_thread, desk_officer, manager, situation, tracked, indicator):
    ensure_default_rules()
    queue = open_page("manager")
    queue.goto(f"{live_server.url}/alerts/")
    assert "The queue is empty." in queue.locator("#queue").inner_text()
    # A marker that a reload would lose: the page must still be this very document.
    queue.evaluate("window.__sameDocument = true")

    desk = open_page("desk")
    desk.goto(f"{live_server.url}/situations/{situation.pk}/")
    form = desk.locator("#reading-form")
    form.get_by_label("Indicator").select_option(str(indicator.pk))
    form.get_by_label("Value").fill("31")
    form.get_by_label("Source").fill("OCHA field report")
    form.get_by_role("button", name="Record").click()
    desk.locator("#indicators >> text=Reading recorded").wait_for()
    screenshot(desk, "a1-desk-officer-records-critical-reading")

    row = queue.locator("tbody.alert-row", has_text=situation.title)
    row.wait_for(timeout=20_000)
    assert queue.evaluate("window.__sameDocument") is True
    assert "Critical" in row.inner_text()
    screenshot(queue, "a2-alert-appears-in-managers-queue")


def test_a_manager_acknowledges_then_resolves_an_alert(open_page, live_server, celery_worker_thread, desk_officer,
                                                      manager, admin_user, situation, tracked, indicator):
    ensure_default_rules()
    reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=40,
                   observed_at=timezone.now() - dt.timedelta(minutes=5))
    page = open_page("manager")
    page.goto(f"{live_server.url}/alerts/")
    row = page.locator("tbody.alert-row", has_text=situation.title)
    row.wait_for(timeout=20_000)
    alert = AlertGroup.objects.get(situation=situation)

    row.get_by_role("button", name="Acknowledge").click()
    page.locator(f"#alert-row-{alert.pk} [data-role=status]", has_text="Acknowledged").wait_for()
    row = page.locator(f"#alert-row-{alert.pk}")
    row.locator("summary", has_text="Resolve").click()
    row.get_by_label("How was it resolved?").fill("Envoy deployed; partners briefed.")
    row.get_by_role("button", name="Resolve", exact=True).click()
    # Critical and still holding: the resolution waits for a second manager's sign-off.
    page.locator(f"#alert-row-{alert.pk}", has_text="Waiting for a second person").wait_for()
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    second = open_page("admin")
    second.goto(f"{live_server.url}/alerts/{alert.pk}/")
    second.locator("#signoffs").get_by_role("button", name="Approve and carry it out").click()
    second.get_by_text("Signed off: the change is made.").wait_for()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolution_note == "Envoy deployed; partners briefed."

    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    timeline = page.locator("#alert-timeline").inner_text()
    assert "Acknowledged" in timeline and "Resolved" in timeline and "Envoy deployed" in timeline
    assert page.locator("#alert-notifications tbody tr").count() >= 1
    screenshot(page, "c-alert-acknowledged-then-resolved")


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_queue_and_an_escalations_page_fit_the_screen_with_its_conditions_listed(
        open_page, live_server, manager, desk_officer, situation, indicator, width, height):
    from alerts import evaluation
    from coordination.models import TrackedIndicator
    from testkit.factories import IndicatorFactory

    ensure_default_rules()
    watched = [indicator] + [IndicatorFactory(code=f"fa-{n}-shown", name=f"Shown indicator {n}", risk_factor=n,
                                              warning_threshold=10, critical_threshold=25) for n in (4, 7)]
    for each in watched:
        TrackedIndicator.objects.get_or_create(situation=situation, indicator=each)
    readings_record(actor=desk_officer, situation=situation, readings=[
        ReadingInput(indicator=each, value=30, observed_at=timezone.now() - dt.timedelta(minutes=5))
        for each in watched])
    evaluation.evaluate_situation(situation_id=situation.pk)
    group = AlertGroup.objects.get(situation=situation)

    page = open_page("manager", width=width, height=height)
    page.goto(f"{live_server.url}/alerts/")
    row = page.locator(f"#alert-row-{group.pk}")
    assert "3 conditions" in row.inner_text()
    acknowledge = row.get_by_role("button", name="Acknowledge")
    box = acknowledge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, "Acknowledge is on the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing wider than the screen"
    screenshot(page, f"e-queue-of-escalations-{width}")

    page.goto(f"{live_server.url}/alerts/{group.pk}/")
    conditions = page.locator("#alert-conditions").inner_text()
    for each in watched:
        assert each.name in conditions
    assert "1 of 2" in page.locator("#alert-facts").inner_text(), "steps are counted from 1"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"f-escalation-page-{width}")
