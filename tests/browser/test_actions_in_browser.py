"""A liaison works on their government's actions in a real browser."""
import pytest

from coordination import services
from coordination.models import ActionUpdate
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.worker


def test_a_liaisons_note_on_an_action_shows_on_the_situations_timeline(open_page, live_server, celery_worker_thread,
                                                                      liaison, desk_officer, situation, action):
    # Agreeing is the desk's step; the liaison moves their government's action on from there.
    services.action_transition(actor=desk_officer, action=action, to_status="agreed")
    page = open_page("liaison")
    page.goto(f"{live_server.url}/actions/mine/")
    card = page.locator(f"#action-{action.pk}")
    card.get_by_label("New status").select_option("in_progress")
    card.get_by_label("Progress note").fill("Démarche under way with the foreign ministry.")
    card.get_by_role("button", name="Update").click()
    # htmx swaps the card in place: no reload, the new state is on the page.
    page.locator(f"#action-{action.pk} >> text=Saved.").wait_for()
    assert page.locator(f"#action-{action.pk} [data-role=status]").inner_text() == "In progress"
    assert ActionUpdate.objects.filter(action=action, note="Démarche under way with the foreign ministry.").exists()

    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    timeline = page.locator("#timeline")
    assert "Démarche under way with the foreign ministry." in timeline.inner_text()
    assert "Agreed → In progress" in timeline.inner_text()
    screenshot(page, "b-liaison-note-on-situation-timeline")


def test_a_stale_action_form_shows_the_conflict_and_keeps_the_note(open_page, live_server, celery_worker_thread,
                                                                  liaison, desk_officer, situation, action):
    page = open_page("liaison")
    page.goto(f"{live_server.url}/actions/mine/")
    card = page.locator(f"#action-{action.pk}")
    card.get_by_label("Progress note").fill("Our ambassador met the minister today.")
    # Meanwhile, a desk officer moves the same action on.
    services.action_transition(actor=desk_officer, action=action, to_status="agreed", note="Agreed at the desk.")
    card.get_by_role("button", name="Update").click()
    page.locator(f"#action-{action.pk} >> text=Someone else changed this action.").wait_for()
    card = page.locator(f"#action-{action.pk}")
    assert card.locator("[data-role=status]").inner_text() == "Agreed"
    assert card.get_by_label("Progress note").input_value() == "Our ambassador met the minister today."
    assert not ActionUpdate.objects.filter(note="Our ambassador met the minister today.").exists()
    screenshot(page, "d-stale-action-form-conflict")

    # Saving again, deliberately, after seeing the new state, goes through.
    card.get_by_role("button", name="Update").click()
    page.locator(f"#action-{action.pk} >> text=Saved.").wait_for()
    assert ActionUpdate.objects.filter(note="Our ambassador met the minister today.").exists()
