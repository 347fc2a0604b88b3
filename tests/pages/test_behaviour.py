"""What a user checks on the pages: signing in, forms that keep what was typed and say
what is wrong next to the field, htmx fragments, concurrency, time zones, escaping."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.choices import ActionStatus
from coordination.models import Action, ActionUpdate, IndicatorReading, Situation
from testkit.cast import PASSWORD
from testkit.factories import ReadingFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_signing_in_shows_the_user_role_and_government_in_the_header(client, liaison, situation):
    response = client.post(reverse("accounts:login"), {"username": "liaison", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="header-user"' in body and "Partner liaison" in body and "Home Republic" in body


def test_a_wrong_password_is_refused_with_the_username_kept(client, liaison):
    response = client.post(reverse("accounts:login"), {"username": "liaison", "password": "wrong-password"})
    assert response.status_code == 200
    assert 'value="liaison"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password(client, liaison, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "liaison", "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": "liaison", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, liaison):
    client.force_login(liaison)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("pages:dashboard")).status_code == 302


def test_password_change_needs_the_old_password_and_keeps_the_session(client, liaison):
    client.force_login(liaison)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "nope", "new_password1": "a-new-long-pass-42",
                            "new_password2": "a-new-long-pass-42"})
    assert bad.status_code == 200 and "old_password_errors" in bad.content.decode()
    good = client.post(url, {"old_password": PASSWORD, "new_password1": "a-new-long-pass-42",
                             "new_password2": "a-new-long-pass-42"})
    assert good.status_code == 302
    liaison.refresh_from_db()
    assert liaison.check_password("a-new-long-pass-42")
    assert client.get(reverse("pages:dashboard")).status_code == 200


def test_dates_show_in_the_users_time_zone(client, desk_officer, situation, tracked, indicator):
    ReadingFactory(situation=situation, indicator=indicator, value=3,
                   observed_at=dt.datetime(2026, 1, 10, 23, 30, tzinfo=dt.UTC))
    desk_officer.time_zone = "Asia/Tokyo"
    desk_officer.save()
    client.force_login(desk_officer)
    body = client.get(reverse("pages:situation-detail", args=[situation.pk])).content.decode()
    # 23:30 UTC is 08:30 the next morning in Tokyo.
    assert 'datetime="2026-01-11T08:30:00+09:00"' in body


def test_situation_list_filters_and_searches(client, manager, situation, foreign_situation):
    client.force_login(manager)
    url = reverse("pages:situation-list")
    body = client.get(url, {"q": "highland"}).content.decode()
    assert "Secret highland crisis" in body and "Lowland displacement" not in body
    body = client.get(url, {"country_code": "xa"}).content.decode()
    assert "Lowland displacement" in body and "Secret highland crisis" not in body
    body = client.get(url, {"government": situation.assignments.get().government_id}).content.decode()
    assert "Lowland displacement" in body and "Secret highland crisis" not in body


def test_a_liaison_cannot_reach_an_unassigned_situation_through_the_filters(client, liaison, foreign_situation,
                                                                            other_government):
    client.force_login(liaison)
    body = client.get(reverse("pages:situation-list"), {"government": other_government.pk}).content.decode()
    assert "Secret highland crisis" not in body and "0 situations" in body


def test_a_reading_recorded_inline_redraws_the_indicator_panel(client, desk_officer, situation, tracked, indicator):
    client.force_login(desk_officer)
    observed = timezone.localtime() - dt.timedelta(hours=2)
    response = client.post(reverse("pages:reading-create", args=[situation.pk]), {
        "indicator": indicator.pk, "value": "30", "observed_at": observed.strftime("%Y-%m-%dT%H:%M"),
        "source": "field report"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="indicators"')
    assert "Reading recorded" in body and 'data-threshold="critical"' in body and "<circle" in body
    assert IndicatorReading.objects.get(situation=situation).value == 30


def test_a_bad_reading_says_why_next_to_the_field_and_keeps_what_was_typed(client, desk_officer, situation,
                                                                           tracked, indicator):
    client.force_login(desk_officer)
    future = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("pages:reading-create", args=[situation.pk]), {
        "indicator": indicator.pk, "value": "12.5", "observed_at": future, "source": "typed source"}, **HTMX)
    body = response.content.decode()
    assert 'id="id_observed_at_errors"' in body and "in the future" in body
    assert 'value="12.5"' in body and 'value="typed source"' in body and f'value="{future}"' in body
    assert not IndicatorReading.objects.exists()


def test_opening_a_situation_with_a_bad_country_code_keeps_the_form(client, desk_officer):
    client.force_login(desk_officer)
    response = client.post(reverse("pages:situation-create"), {
        "title": "Coastal unrest", "country_code": "x1", "status": "monitoring", "risk_level": "high",
        "marking": "amber"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_country_code_errors"' in body and 'value="Coastal unrest"' in body
    assert not Situation.objects.filter(title="Coastal unrest").exists()


def test_opening_a_situation_leads_to_its_page(client, desk_officer):
    client.force_login(desk_officer)
    response = client.post(reverse("pages:situation-create"), {
        "title": "Coastal unrest", "country_code": "XC", "status": "monitoring", "risk_level": "high",
        "marking": "amber", "lead_officer": desk_officer.pk})
    situation = Situation.objects.get(title="Coastal unrest")
    assert response["Location"] == reverse("pages:situation-detail", args=[situation.pk])


def test_a_stale_situation_edit_reports_the_conflict_and_keeps_the_typing(client, desk_officer, manager, situation):
    from coordination import services

    client.force_login(desk_officer)
    stale = situation.version
    services.situation_update(actor=manager, situation=situation, risk_level="critical")
    response = client.post(reverse("pages:situation-edit", args=[situation.pk]), {
        "title": "My new title", "country_code": "XA", "status": "active", "risk_level": "high", "marking": "amber",
        "version": stale})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this situation" in body and 'value="My new title"' in body and "Critical" in body
    situation.refresh_from_db()
    assert situation.title == "Lowland displacement" and situation.risk_level == "critical"


def test_assigning_a_government_twice_says_so_next_to_the_field(client, desk_officer, situation, home_government):
    client.force_login(desk_officer)
    response = client.post(reverse("pages:assignment-create", args=[situation.pk]),
                           {"government": home_government.pk, "role": "support"})
    assert response.status_code == 400
    assert 'id="id_government_errors"' in response.content.decode()


def test_proposing_an_action_for_an_unassigned_government_is_refused_at_the_field(client, desk_officer, situation,
                                                                                  other_government):
    client.force_login(desk_officer)
    response = client.post(reverse("pages:action-propose", args=[situation.pk]), {
        "title": "Envoy visit", "kind": "envoy_mediation", "owner_government": other_government.pk,
        "due_date": "2030-01-01", "priority": "normal"})
    assert response.status_code == 400
    assert 'id="id_owner_government_errors"' in response.content.decode()
    assert not Action.objects.filter(title="Envoy visit").exists()


def test_a_liaison_moves_an_action_one_step_with_a_note(client, liaison, desk_officer, action):
    from coordination import services

    action = services.action_transition(actor=desk_officer, action=action, to_status="agreed")
    client.force_login(liaison)
    prefix = f"a{action.pk}-"
    response = client.post(reverse("pages:action-change", args=[action.pk]), {
        prefix + "to_status": "in_progress", prefix + "note": "Under way in capital.",
        prefix + "version": action.version}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "Saved." in body and "Under way in capital." in body
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert ActionUpdate.objects.filter(action=action, note="Under way in capital.").exists()


def test_a_liaison_is_not_offered_to_agree_a_proposal(client, liaison, action):
    client.force_login(liaison)
    body = client.get(reverse("pages:action-detail", args=[action.pk])).content.decode()
    assert 'value="cancelled"' in body and 'value="agreed"' not in body


def test_a_stale_action_form_says_someone_else_changed_it_and_keeps_the_note(client, liaison, desk_officer,
                                                                            action):
    from coordination import services

    client.force_login(liaison)
    stale = action.version
    services.action_transition(actor=desk_officer, action=action, to_status="agreed", note="Agreed by desk.")
    prefix = f"a{action.pk}-"
    response = client.post(reverse("pages:action-change", args=[action.pk]), {
        prefix + "to_status": "", prefix + "note": "My careful note.", prefix + "version": stale}, **HTMX)
    body = response.content.decode()
    assert "Someone else changed this action" in body
    assert "My careful note." in body and "Agreed" in body
    fresh = Action.objects.get(pk=action.pk)
    assert f'value="{fresh.version}"' in body
    assert not ActionUpdate.objects.filter(note="My careful note.").exists()


def test_a_liaison_cannot_change_another_governments_action_on_a_shared_situation(client, liaison, situation,
                                                                                   other_government):
    from testkit.factories import ActionFactory, AssignmentFactory

    AssignmentFactory(situation=situation, government=other_government)
    theirs = ActionFactory(situation=situation, owner_government=other_government, title="Their action")
    client.force_login(liaison)
    prefix = f"a{theirs.pk}-"
    response = client.post(reverse("pages:action-change", args=[theirs.pk]), {
        prefix + "to_status": "agreed", prefix + "note": "x", prefix + "version": theirs.version})
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.status == ActionStatus.PROPOSED


@pytest.mark.parametrize("page", ["pages:situation-detail", "pages:situation-list", "pages:dashboard"])
def test_stored_script_is_shown_escaped(client, manager, situation, page):
    situation.title = "<script>alert(1)</script>"
    situation.save()
    client.force_login(manager)
    url = reverse(page, args=[situation.pk]) if page == "pages:situation-detail" else reverse(page)
    body = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_pages_carry_no_inline_script(client, manager, situation, tracked):
    client.force_login(manager)
    body = client.get(reverse("pages:situation-detail", args=[situation.pk])).content.decode()
    assert "<script>" not in body and "onclick" not in body.lower()
