"""Closing and reopening a situation on its page, as a desk officer does it: the form
offers what to do with the open actions, a refusal shows the form again with the reason
next to the field, a closing waits for a second person's sign-off, and a closed
situation says first what became of it."""
import pytest
from django.test import Client
from django.urls import reverse

from coordination import closing
from coordination.choices import ActionStatus, SituationOutcome, SituationStatus
from coordination.models import Situation, SignoffRequest
from testkit.factories import SituationFactory
from testkit.signoffs import second_person, signed_off

pytestmark = pytest.mark.django_db


def detail(situation):
    return reverse("pages:situation-detail", args=[situation.pk])


def close_post(client, situation, **fields):
    # A browser sends the checked radio button: "keep" unless the test says otherwise.
    data = {"close-version": situation.version, "close-outcome": "risk_receded", "close-open_actions": "keep", **{
        f"close-{name}": value for name, value in fields.items()}}
    return client.post(reverse("pages:situation-close", args=[situation.pk]), data)


def signed_off_on_the_page(situation):
    """The closing waits on the situation; the manager approves it on the sign-off page."""
    request = SignoffRequest.objects.get(situation=situation, status="pending")
    assert Situation.objects.get(pk=situation.pk).status != SituationStatus.CLOSED
    second = Client()
    second.force_login(second_person(request.requested_by))
    answer = second.post(reverse("pages:signoff-approve", args=[request.pk]), {})
    assert answer.status_code == 302, answer.content


def reopen_post(client, situation, **fields):
    data = {"reopen-version": situation.version, "reopen-status": "monitoring", **{
        f"reopen-{name}": value for name, value in fields.items()}}
    return client.post(reverse("pages:situation-reopen", args=[situation.pk]), data)


def test_staff_see_a_close_form_that_counts_the_open_actions_and_liaisons_do_not(client, desk_officer, liaison,
                                                                               situation, action):
    client.force_login(desk_officer)
    body = client.get(detail(situation)).content.decode()
    assert 'id="close-form"' in body and "What to do with its 1 open action" in body
    assert "Merged into another situation" in body and 'data-shown-for-outcome="merged"' in body
    client.force_login(liaison)
    body = client.get(detail(situation)).content.decode()
    assert 'id="close-form"' not in body and "Reopen" not in body


def test_closing_on_the_page_shows_the_outcome_first_and_cancels_the_actions(client, desk_officer, situation, action):
    client.force_login(desk_officer)
    response = close_post(client, situation, note="The agreement holds.", open_actions="cancel",
                          cancel_reason="Overtaken by the agreement.")
    assert response.status_code == 302 and response["Location"].endswith("#signoffs")
    waiting = client.get(response["Location"]).content.decode()
    assert "Waiting for a second person" in waiting and 'id="outcome"' not in waiting
    signed_off_on_the_page(situation)
    body = client.get(detail(situation)).content.decode()
    assert 'id="outcome"' in body and "Closed — Risk receded" in body and "The agreement holds." in body
    assert 'id="reopen-form"' in body and 'id="close-form"' not in body
    assert "closed the situation" in body  # on the timeline
    assert "Overtaken by the agreement." in body  # the cancellation, on the timeline too
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_kept_actions_stay_open(client, desk_officer, situation, action):
    client.force_login(desk_officer)
    assert close_post(client, situation, open_actions="keep").status_code == 302
    signed_off_on_the_page(situation)
    assert Situation.objects.get(pk=situation.pk).status == SituationStatus.CLOSED
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"outcome": ""}, "outcome", "This field is required."),
    ({"outcome": "other", "note": ""}, "note", "needs a note"),
    ({"outcome": "merged"}, "merged_into", "Choose the situation this one was merged into."),
    ({"outcome": "merged", "merged_into": "not-a-number"}, "merged_into", "Select a valid choice"),
    ({"open_actions": "cancel", "cancel_reason": ""}, "cancel_reason", "Say why the 1 open action(s) are cancelled"),
])
def test_a_refused_close_shows_the_form_again_with_the_reason_at_the_field(client, desk_officer, situation, action,
                                                                          fields, field, message):
    client.force_login(desk_officer)
    response = close_post(client, situation, **fields)
    assert response.status_code == 400
    body = response.content.decode()
    errors = body.split(f'id="id_close-{field}_errors"', 1)
    assert len(errors) == 2, f"no error shown at {field}"
    assert message in errors[1].split("</ul>", 1)[0]
    assert "<details class=\"closing\" id=\"close\" open>" in body
    assert Situation.objects.get(pk=situation.pk).status != SituationStatus.CLOSED


def test_merging_names_the_situation_and_links_to_it(client, desk_officer, situation):
    target = SituationFactory(title="Regional displacement crisis")
    client.force_login(desk_officer)
    assert close_post(client, situation, outcome="merged", merged_into=target.pk).status_code == 302
    signed_off_on_the_page(situation)
    body = client.get(detail(situation)).content.decode()
    assert "Regional displacement crisis" in body and detail(target) in body


def test_a_liaison_does_not_see_where_their_situation_was_merged(client, desk_officer, liaison, situation,
                                                                 foreign_situation):
    signed_off(closing.situation_close(actor=desk_officer, situation=situation, outcome=SituationOutcome.MERGED,
                                       merged_into=foreign_situation))
    client.force_login(liaison)
    body = client.get(detail(situation)).content.decode()
    assert "Merged into another situation" in body and "Secret highland crisis" not in body


def test_closing_over_a_newer_version_keeps_the_typing_and_loads_the_new_version(client, desk_officer, manager,
                                                                                situation):
    from coordination.services import situation_update

    client.force_login(desk_officer)
    stale = Situation.objects.get(pk=situation.pk)
    situation_update(actor=manager, situation=situation, area="Upper valley")
    response = close_post(client, stale, outcome="other", note="My careful words.")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone changed this situation" in body and "My careful words." in body
    assert f'name="close-version" value="{stale.version + 1}"' in body
    assert Situation.objects.get(pk=situation.pk).status != SituationStatus.CLOSED


def test_reopening_on_the_page_asks_why_and_shows_it_in_the_history(client, manager, situation):
    signed_off(closing.situation_close(actor=manager, situation=situation, outcome="risk_receded"))
    situation.refresh_from_db()
    client.force_login(manager)
    refused = reopen_post(client, situation, note="")
    assert refused.status_code == 400 and 'id="id_reopen-note_errors"' in refused.content.decode()
    assert "<details id=\"reopen\" open>" in refused.content.decode()
    response = reopen_post(client, situation, note="Militia back in the villages.", status="active")
    assert response.status_code == 302
    body = client.get(detail(situation)).content.decode()
    assert 'id="outcome"' not in body and 'id="close-form"' in body
    history = body.split('id="history"', 1)[1]
    assert "reopened: Militia back in the villages." in history
    timeline = body.split('id="timeline"', 1)[1].split('id="history"', 1)[0]
    assert "reopened the situation" in timeline and "closed the situation" in timeline
    assert Situation.objects.get(pk=situation.pk).status == SituationStatus.ACTIVE


def test_liaisons_may_neither_close_nor_reopen(client, liaison, situation):
    client.force_login(liaison)
    assert close_post(client, situation).status_code == 403
    assert reopen_post(client, situation, note="Please").status_code == 403


def test_the_edit_form_offers_no_closed_status_and_none_at_all_on_a_closed_situation(client, desk_officer,
                                                                                     situation):
    client.force_login(desk_officer)
    edit = reverse("pages:situation-edit", args=[situation.pk])
    body = client.get(edit).content.decode()
    assert 'name="status"' in body and 'value="closed"' not in body
    signed_off(closing.situation_close(actor=desk_officer, situation=situation, outcome="risk_receded"))
    body = client.get(edit).content.decode()
    assert 'name="status"' not in body
    fresh = Situation.objects.get(pk=situation.pk)
    response = client.post(edit, {"title": "Lowland displacement (archived)", "country_code": "XA",
                                  "risk_level": "low", "marking": "amber", "version": fresh.version})
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert (fresh.title, fresh.status) == ("Lowland displacement (archived)", "closed")
