"""Closing a situation and reading its risk windows in a real browser: the merged-into
choice appears only for a merge (concert.js), the page breaks no Content-Security-Policy
rule, and the chart shows the window's band."""
import datetime as dt

import pytest

from coordination.models import RiskWindow, Situation
from tests.browser.conftest import screenshot
from testkit.factories import ReadingFactory, SituationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _watch_console(page) -> list[str]:
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


def test_a_desk_officer_closes_a_situation_as_merged(open_page, live_server, desk_officer, manager, situation,
                                                     action):
    target = SituationFactory(title="Regional displacement crisis")
    page = open_page("desk")
    problems = _watch_console(page)
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    page.get_by_text("Close situation", exact=True).first.click()
    form = page.locator("#close-form")
    merged = form.get_by_label("Merged into")
    assert not merged.is_visible()  # hidden until the outcome asks for it
    form.get_by_label("Outcome").select_option("merged")
    assert merged.is_visible()
    merged.select_option(str(target.pk))
    form.get_by_label("Keep them open for their owners to finish").check()
    form.get_by_label("Note").fill("Now followed as part of the regional crisis.")
    screenshot(page, "close-situation-form")
    form.get_by_role("button", name="Close situation").click()
    # Closing waits for a second person: the desk officer sees the banner and the request.
    page.locator("#signoffs").wait_for()
    assert "Waiting for a second person" in page.locator("main").inner_text()
    assert Situation.objects.get(pk=situation.pk).status != "closed"
    screenshot(page, "signoff-close-waiting-desk-officer")
    second = open_page("manager")
    second.goto(f"{live_server.url}/sign-offs/")
    request = second.locator("article.signoff", has_text=situation.title)
    assert "Close the situation" in request.inner_text()
    screenshot(second, "signoff-list-manager")
    request.get_by_role("button", name="Approve and carry it out").click()
    second.get_by_text("Signed off: the change is made.").wait_for()
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    page.locator("#outcome").wait_for()
    outcome = page.locator("#outcome").inner_text()
    assert "Closed — Merged into another situation" in outcome and "Regional displacement crisis" in outcome
    assert Situation.objects.get(pk=situation.pk).merged_into_id == target.pk
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_an_open_window_is_shaded_on_the_trend_chart(open_page, live_server, desk_officer, situation, tracked):
    today = dt.datetime.now(dt.timezone.utc).date()
    for days in (30, 20, 10, 2):
        ReadingFactory(situation=situation, indicator=tracked.indicator, value=days / 2,
                       observed_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days))
    RiskWindow.objects.create(situation=situation, kind="commemoration", title="Commemoration of the massacres",
                              event_date=today + dt.timedelta(days=2), days_before=5, days_after=3)
    page = open_page("desk")
    problems = _watch_console(page)
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    band = page.locator("svg.trend g.window.active rect.window-band")
    assert band.count() == 1 and band.bounding_box()["width"] > 10
    assert "heightened to" in page.locator("figure.chart figcaption").first.inner_text()
    assert "active now" in page.locator("#risk-windows").inner_text()
    screenshot(page, "risk-window-on-chart")
    assert not [p for p in problems if "Content Security Policy" in p], problems
