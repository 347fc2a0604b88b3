"""A partner answers for its government's part of a joint action, in a real browser."""
import pytest

from coordination.models import Commitment
from testkit import world
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_partner_accepts_its_part_and_the_desk_sees_every_partners_stage(
        open_page, live_server, situation, desk_officer, home_government, other_government, other_liaison):
    action = world.agreed_joint_action(desk_officer, situation, lead=home_government,
                                       partners={other_government: [other_liaison]})
    part = Commitment.objects.get(action=action, government=other_government)

    page = open_page("other-liaison")
    page.goto(f"{live_server.url}/actions/{action.pk}/")
    row = page.locator(f"#commitment-{part.pk}")
    row.get_by_label("Answer").select_option("accepted")
    row.get_by_label("Note (the reason, when declining)").fill("Our envoy joins the démarche.")
    row.get_by_role("button", name="Answer").click()
    page.locator(f"#commitment-{part.pk}[data-status=accepted]").wait_for()
    assert "Our envoy joins the démarche." in page.locator(f"#commitment-{part.pk}").inner_text()
    screenshot(page, "j-joint-action-partner")

    desk = open_page("desk")
    desk.goto(f"{live_server.url}/actions/{action.pk}/")
    assert "Home Republic" in desk.locator("#commitments").inner_text()
    screenshot(desk, "j-joint-action-desk")
