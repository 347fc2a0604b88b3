"""The "waiting for your sign-off" list and a request's page, as a second person uses
them: what waits for whom, approving and rejecting from the page, the pending request
on the escalation's page, and a list that costs the same for 5 requests as for 30."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils import timezone

from alerts.choices import AlertStatus
from coordination.choices import PartnerRole, RiskLevel
from coordination.models import Situation, SignoffKind, SignoffRequest, SignoffStatus
from testkit.factories import AssignmentFactory, SituationFactory

pytestmark = pytest.mark.django_db


def ask(situation, requester, kind=SignoffKind.LOWER_RISK, payload=None):
    now = timezone.now()
    return SignoffRequest.objects.create(situation=situation, kind=kind, requested_by=requester,
                                         payload=payload or {"changes": {"risk_level": "low"}, "named_liaisons": None},
                                         requested_at=now, expires_at=now + dt.timedelta(hours=72))


def listed(client):
    body = client.get(reverse("pages:signoff-list")).content.decode()
    return body, {int(pk) for pk in
                  [chunk.split('"', 1)[0] for chunk in body.split('data-signoff="')[1:]]}


def test_the_list_shows_managers_what_to_decide_requesters_their_own_and_liaisons_only_their_lead(
        client, situation, foreign_situation, desk_officer, manager, liaison, other_liaison):
    home, foreign = ask(situation, desk_officer), ask(foreign_situation, desk_officer)
    client.force_login(manager)
    body, ids = listed(client)
    assert ids == {home.pk, foreign.pk} and "Approve and carry it out" in body
    client.force_login(desk_officer)
    body, ids = listed(client)
    assert ids == {home.pk, foreign.pk} and "Cancel my request" in body and "Approve and carry it out" not in body
    client.force_login(liaison)  # home only supports its situation
    assert listed(client)[1] == set()
    client.force_login(other_liaison)  # other leads the foreign one
    body, ids = listed(client)
    assert ids == {foreign.pk} and "Lowland displacement" not in body


def test_the_header_links_to_the_list(client, liaison):
    client.force_login(liaison)
    body = client.get(reverse("pages:dashboard")).content.decode()
    assert f'href="{reverse("pages:signoff-list")}" id="nav-signoffs"' in body


def waiting_badge(client) -> str | None:
    """The count beside the header's Sign-offs link, or None when there is none."""
    body = client.get(reverse("pages:dashboard")).content.decode()
    link = body.split('id="nav-signoffs">', 1)[1].split("</a>", 1)[0]
    return link.split('class="count"', 1)[1].split(">", 1)[1].split("<", 1)[0] if 'class="count"' in link else None


def test_the_header_counts_what_waits_for_this_persons_sign_off_only(
        client, situation, foreign_situation, desk_officer, manager, liaison, other_liaison):
    ask(situation, desk_officer)
    ask(foreign_situation, desk_officer)
    client.force_login(manager)
    assert waiting_badge(client) == "2"
    client.force_login(desk_officer)
    assert waiting_badge(client) is None, "a requester cannot decide their own"
    client.force_login(other_liaison)
    assert waiting_badge(client) == "1", "the lead government's liaison decides the foreign one only"
    client.force_login(liaison)
    assert waiting_badge(client) is None, "a supporting government's liaison decides nothing"


def test_approving_on_the_page_carries_the_change_out(client, situation, desk_officer, manager):
    Situation.objects.filter(pk=situation.pk).update(risk_level=RiskLevel.CRITICAL)
    request = ask(situation, desk_officer)
    client.force_login(manager)
    answer = client.post(reverse("pages:signoff-approve", args=[request.pk]), {f"s{request.pk}-approve-note": "Yes."})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "Signed off: the change is made." in page and "Approved and carried out" in page
    assert Situation.objects.get(pk=situation.pk).risk_level == RiskLevel.LOW


def test_a_rejection_without_a_note_is_shown_again_at_its_field_and_with_one_changes_nothing(
        client, situation, desk_officer, manager):
    request = ask(situation, desk_officer)
    client.force_login(manager)
    url = reverse("pages:signoff-reject", args=[request.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400 and f'id="id_s{request.pk}-reject-note_errors"' in refused.content.decode()
    assert client.post(url, {f"s{request.pk}-reject-note": "Too early."}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_note, request.decided_by) == (SignoffStatus.REJECTED, "Too early.",
                                                                          manager)
    assert Situation.objects.get(pk=situation.pk).risk_level == RiskLevel.MODERATE


def test_the_requester_is_refused_the_approval_on_the_page(client, situation, manager):
    request = ask(situation, manager)
    client.force_login(manager)
    assert client.post(reverse("pages:signoff-approve", args=[request.pk]), {}).status_code == 403
    assert SignoffRequest.objects.get().status == SignoffStatus.PENDING


def test_a_long_snooze_on_the_escalation_page_waits_and_shows_there(client, alert, manager):
    client.force_login(manager)
    until = (timezone.now() + dt.timedelta(days=12)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(reverse("alert-pages:alert-act", args=[alert.pk, "snooze"]),
                         {f"g{alert.pk}-snooze-preset": "custom", f"g{alert.pk}-snooze-until": until,
                          f"g{alert.pk}-snooze-note": "Talks."}, follow=True)
    body = answer.content.decode()
    assert answer.status_code == 200, body[:500]
    assert "Waiting for a second person" in body and "Snooze an escalation for more than 7 days" in body
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_an_expired_request_reads_as_expired_and_offers_no_decision(client, situation, desk_officer, manager):
    request = ask(situation, desk_officer)
    SignoffRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now() - dt.timedelta(hours=80),
                                                        expires_at=timezone.now() - dt.timedelta(hours=8))
    client.force_login(manager)
    page = client.get(reverse("pages:signoff-detail", args=[request.pk])).content.decode()
    assert "Expired unapproved" in page and "Approve and carry it out" not in page
    assert listed(client)[1] == set()


def test_the_list_costs_the_same_for_5_and_30_requests(client, manager, desk_officer, home_government,
                                                       django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            situation = SituationFactory()
            AssignmentFactory(situation=situation, government=home_government, role=PartnerRole.LEAD)
            ask(situation, desk_officer)

    client.force_login(manager)
    grow(5)
    client.get(reverse("pages:signoff-list"))
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("pages:signoff-list"))
    grow(25)
    with django_assert_max_num_queries(len(five)):
        body = client.get(reverse("pages:signoff-list")).content.decode()
    assert body.count('data-signoff="') == 30


def test_a_requests_page_says_in_words_what_changes_from_what_to_what(client, situation, desk_officer, manager):
    situation.marking, situation.risk_level = "red", "critical"
    situation.save(update_fields=["marking", "risk_level"])
    edit = ask(situation, desk_officer, kind=SignoffKind.LOWER_MARKING,
               payload={"changes": {"marking": "amber", "risk_level": "moderate", "lead_officer": manager.pk},
                        "named_liaisons": None})
    closing = ask(situation, desk_officer, kind=SignoffKind.CLOSE,
                  payload={"outcome": "risk_receded", "note": "Calm for a month.", "open_actions": "keep",
                           "cancel_reason": "", "merged_into_id": None})
    client.force_login(manager)
    page = client.get(reverse("pages:signoff-detail", args=[edit.pk])).content.decode()
    assert "from TLP:RED to TLP:AMBER" in page and "from Critical to Moderate" in page
    assert escape(f"from {situation.lead_officer or 'none'} to {manager}") in page
    page = client.get(reverse("pages:signoff-detail", args=[closing.pk])).content.decode()
    assert "kept open for their owners to finish" in page and "Risk receded" in page
    assert f"from {situation.get_status_display()} to Closed" in page
    assert ">keep<" not in page and "risk_receded" not in page
