"""The pages partners work on — a situation with its partners' panels, a joint action
with its commitments, the sign-off list and the staff dashboard — fit a desktop and a
390-px phone: nothing wider than the screen, and the forms a person must use in reach."""
import datetime as dt

import pytest
from django.utils import timezone

from coordination import commitments, services
from coordination.choices import ActionKind, PartnerRole, RiskLevel
from testkit.factories import AssignmentFactory
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _within(page, locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{locator} is off-screen"


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_partners_pages_fit_the_screen(open_page, live_server, situation, desk_officer, manager, home_government,
                                         other_government, other_liaison, tracked, width, height):
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.LEAD,
                      liaisons=[other_liaison])
    action = commitments.joint_action_propose(
        actor=desk_officer, situation=situation, title="Joint démarche with a rather long title on detentions",
        kind=ActionKind.DEMARCHE, owner_government=other_government,
        due_date=timezone.now().date() + dt.timedelta(days=8), partners=[home_government])
    services.action_transition(actor=desk_officer, action=action, to_status="agreed")
    # Raised to critical, then a desk officer asks to drop it two steps: a pending sign-off.
    services.situation_update(actor=desk_officer, situation=situation, risk_level=RiskLevel.CRITICAL)
    services.situation_update(actor=desk_officer, situation=situation, risk_level=RiskLevel.HIGH)

    partner = open_page("other-liaison", width=width, height=height)
    partner.goto(f"{live_server.url}/situations/{situation.pk}/")
    assert partner.evaluate("document.documentElement.scrollWidth") <= width, "the situation page fits"
    _within(partner, partner.locator("#reading-form").get_by_role("button"), width)
    screenshot(partner, f"p-situation-lead-liaison-{width}")

    partner.goto(f"{live_server.url}/actions/{action.pk}/")
    assert partner.evaluate("document.documentElement.scrollWidth") <= width, "the joint action fits"
    assert "Home Republic" in partner.locator("#commitments").inner_text()
    screenshot(partner, f"p-joint-action-lead-liaison-{width}")

    partner.goto(f"{live_server.url}/sign-offs/")
    approve = partner.get_by_role("button", name="Approve and carry it out")
    _within(partner, approve, width)
    assert partner.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(partner, f"p-signoffs-lead-liaison-{width}")

    staff = open_page("manager", width=width, height=height)
    staff.goto(f"{live_server.url}/")
    assert staff.evaluate("document.documentElement.scrollWidth") <= width, "the dashboard fits"
    screenshot(staff, f"p-dashboard-manager-{width}")
