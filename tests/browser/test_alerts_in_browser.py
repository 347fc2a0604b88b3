"""The escalation path in a real browser: a reading typed by a desk officer becomes an
alert in a manager's open queue (through Redis and a real worker), and the manager
works it."""
import datetime as dt

import pytest
from django.utils import timezone

from alerts.defaults import ensure_default_rules
from alerts.models import Alert
from coordination import services
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
                                                      manager, situation, tracked, indicator):
    ensure_default_rules()
    services.reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=40,
                            observed_at=timezone.now() - dt.timedelta(minutes=5))
    page = open_page("manager")
    page.goto(f"{live_server.url}/alerts/")
    row = page.locator("tbody.alert-row", has_text=situation.title)
    row.wait_for(timeout=20_000)
    alert = Alert.objects.get(situation=situation)

    row.get_by_role("button", name="Acknowledge").click()
    page.locator(f"#alert-row-{alert.pk} [data-role=status]", has_text="Acknowledged").wait_for()
    row = page.locator(f"#alert-row-{alert.pk}")
    row.locator("summary", has_text="Resolve").click()
    row.get_by_label("How was it resolved?").fill("Envoy deployed; partners briefed.")
    row.get_by_role("button", name="Resolve", exact=True).click()
    page.locator(f"#alert-row-{alert.pk} [data-role=status]", has_text="Resolved").wait_for()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolution_note == "Envoy deployed; partners briefed."

    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    timeline = page.locator("#alert-timeline").inner_text()
    assert "Acknowledged" in timeline and "Resolved" in timeline and "Envoy deployed" in timeline
    assert page.locator("#alert-notifications tbody tr").count() >= 1
    screenshot(page, "c-alert-acknowledged-then-resolved")
