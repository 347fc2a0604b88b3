"""The marking is printed: in print media the situation page's TLP label stands in a
fixed box at the top (which Chromium repeats on every printed sheet), hidden on screen
where the badge beside the title says it. The PDF is kept beside the screenshots."""
import pytest

from coordination.choices import Marking
from coordination.models import Situation
from tests.browser.conftest import SCREENSHOTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_red_situation_prints_tlp_red_atop_every_page(open_page, live_server, desk_officer, situation):
    Situation.objects.filter(pk=situation.pk).update(marking=Marking.RED, summary="A long account.\n" * 400)
    page = open_page("desk")
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    box = page.locator("#print-marking")
    assert not box.is_visible()  # on screen: the badge by the title says it
    page.emulate_media(media="print")
    assert box.is_visible() and box.inner_text() == "TLP:RED"
    style = box.evaluate("e => { const s = getComputedStyle(e); return [s.position, s.top]; }")
    assert style == ["fixed", "0px"]
    screenshot(page, "situation-printed-red")
    # Kept beside the screenshots for a person to look at: the label heads each sheet.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SCREENSHOTS / "situation-printed-red.pdf"), format="A4")


def test_the_lead_officer_names_a_second_liaison_of_the_desk_on_the_page(
        open_page, live_server, desk_officer, situation, liaison, second_liaison):
    from coordination import services

    Situation.objects.filter(pk=situation.pk).update(marking=Marking.RED)
    services.assignment_update(actor=desk_officer, assignment=situation.assignments.get(),
                               liaisons=[liaison, second_liaison])
    page = open_page("desk")
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    form = page.locator("#named-form")
    form.get_by_label(f"{second_liaison} · XHA").check()
    form.get_by_role("button", name="Save named recipients").click()
    page.wait_for_url(f"**/situations/{situation.pk}/#partners")
    assert str(second_liaison) in page.locator("#named-list").inner_text()
    screenshot(page, "situation-named-recipients")
    assert list(Situation.objects.get(pk=situation.pk).named_liaisons.all()) == [second_liaison]
