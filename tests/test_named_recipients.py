"""Named RED recipients and the several liaisons of an assignment: on the situation
page, in the API and in the services. The rule is coordination/named.py: the lead desk
officer and managers name; only liaisons of assigned governments may be named."""
import pytest
from django.urls import reverse

from accounts.models import Role
from coordination import named, services
from coordination.choices import Marking, PartnerRole
from coordination.models import PartnerAssignment, Situation
from core.errors import DomainError, NotPermitted
from testkit import cast
from testkit.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(situation):
    """The cast's home situation, marked RED: home (the liaison) is assigned, as support."""
    Situation.objects.filter(pk=situation.pk).update(marking=Marking.RED)
    situation.refresh_from_db()
    return situation


@pytest.fixture
def another_desk_officer(db):
    return UserFactory(username="desk-two", role=Role.DESK_OFFICER)


def named_usernames(situation):
    return sorted(situation.named_liaisons.values_list("username", flat=True))


def page(situation):
    return reverse("pages:situation-detail", args=[situation.pk])


def post_names(client, situation, people, version=None):
    return client.post(reverse("pages:named-recipients", args=[situation.pk]), {
        "named-named_liaisons": [p.pk for p in people], "named-version": version or situation.version})


# --- The page -----------------------------------------------------------------------------

def test_the_lead_officer_names_recipients_among_the_liaisons_of_assigned_governments(
        client, red, desk_officer, liaison, second_liaison, other_liaison):
    client.force_login(desk_officer)
    body = client.get(page(red)).content.decode()
    assert 'id="named-form"' in body
    form = client.get(page(red)).context["named_form"]
    assert set(form.fields["named_liaisons"].queryset) == {liaison, second_liaison}  # not other's liaison

    response = post_names(client, red, [liaison, second_liaison])
    assert response.status_code == 302 and response["Location"].endswith("#partners")
    red.refresh_from_db()
    assert named_usernames(red) == ["liaison", "second-liaison"] and red.version == 2
    latest = red.history.order_by("-history_id").first()
    assert {m.user_id for m in latest.named_liaisons.all()} == {liaison.pk, second_liaison.pk}
    assert latest.history_user == desk_officer
    # Named and assigned: the second liaison now sees the RED situation.
    client.force_login(second_liaison)
    assert client.get(page(red)).status_code == 200


def test_a_manager_may_name_recipients_too(client, red, manager, liaison):
    client.force_login(manager)
    assert post_names(client, red, [liaison]).status_code == 302
    assert named_usernames(red) == ["liaison"]


def test_another_desk_officer_may_see_the_situation_but_not_name_its_recipients(
        client, red, another_desk_officer, liaison):
    client.force_login(another_desk_officer)
    response = client.get(page(red))
    assert response.status_code == 200 and 'id="named-form"' not in response.content.decode()
    assert post_names(client, red, [liaison]).status_code == 403
    assert named_usernames(red) == [] and Situation.objects.get(pk=red.pk).version == 1


def test_a_liaison_may_not_name_and_out_of_scope_is_404(client, red, liaison, other_liaison):
    red.named_liaisons.set([liaison])
    client.force_login(liaison)
    assert post_names(client, red, [liaison]).status_code == 403
    client.force_login(other_liaison)
    assert post_names(client, red, [other_liaison]).status_code == 404
    assert named_usernames(red) == ["liaison"]


def test_a_liaison_of_a_government_not_assigned_cannot_be_named_from_the_page(
        client, red, desk_officer, other_liaison):
    client.force_login(desk_officer)
    response = post_names(client, red, [other_liaison])
    assert response.status_code == 400
    assert "named_liaisons" in response.context["named_form"].errors
    assert named_usernames(red) == []


def test_a_stale_form_is_refused_with_409(client, red, desk_officer, liaison):
    client.force_login(desk_officer)
    response = post_names(client, red, [liaison], version=7)
    assert response.status_code == 409 and named_usernames(red) == []


def test_the_page_lists_every_liaison_of_an_assignment(client, situation, desk_officer, liaison, second_liaison):
    services.assignment_update(actor=desk_officer, assignment=situation.assignments.get(),
                               liaisons=[liaison, second_liaison])
    client.force_login(desk_officer)
    body = client.get(page(situation)).content.decode()
    row = body[body.index("Home Republic"):body.index("</tr>", body.index("Home Republic"))]
    assert str(liaison) in row and str(second_liaison) in row


def test_the_assignment_form_takes_several_liaisons(client, situation, desk_officer, other_government, other_liaison):
    colleague = UserFactory(username="other-two", role=Role.LIAISON, government=other_government)
    client.force_login(desk_officer)
    response = client.post(reverse("pages:assignment-create", args=[situation.pk]), {
        "government": other_government.pk, "role": PartnerRole.OBSERVER,
        "liaisons": [other_liaison.pk, colleague.pk]})
    assert response.status_code == 302
    assignment = PartnerAssignment.objects.get(situation=situation, government=other_government)
    assert set(assignment.liaisons.all()) == {other_liaison, colleague}


# --- The services -------------------------------------------------------------------------

def test_the_rule_holds_in_the_service_whoever_calls_it(red, desk_officer, another_desk_officer, manager, liaison,
                                                        other_liaison):
    with pytest.raises(NotPermitted):
        named.named_liaisons_set(actor=another_desk_officer, situation=red, liaisons=[liaison])
    with pytest.raises(NotPermitted):
        named.named_liaisons_set(actor=liaison, situation=red, liaisons=[liaison])
    with pytest.raises(DomainError) as refused:
        named.named_liaisons_set(actor=manager, situation=red, liaisons=[other_liaison])
    assert refused.value.field == "named_liaisons"
    # Through a situation edit too (the API, the admin): the same rule.
    with pytest.raises(NotPermitted):
        services.situation_update(actor=another_desk_officer, situation=red, named_liaisons=[liaison])
    with pytest.raises(DomainError):
        services.situation_update(actor=desk_officer, situation=red, named_liaisons=[desk_officer])
    assert named_usernames(red) == []
    # An edit that leaves the names as they are asks nothing of the editor.
    services.situation_update(actor=another_desk_officer, situation=red, named_liaisons=[], area="Delta")


def test_nobody_can_be_named_when_a_situation_opens(desk_officer, liaison):
    with pytest.raises(DomainError):
        services.situation_open(actor=desk_officer, title="New", country_code="XA", marking=Marking.RED,
                                named_liaisons=[liaison])
    assert not Situation.objects.filter(title="New").exists()


def test_every_liaison_of_an_assignment_must_speak_for_its_government(desk_officer, situation, liaison,
                                                                      other_liaison, manager):
    assignment = situation.assignments.get()
    for wrong in (other_liaison, manager):
        with pytest.raises(DomainError) as refused:
            services.assignment_update(actor=desk_officer, assignment=assignment, liaisons=[liaison, wrong])
        assert refused.value.field == "liaisons"
    assert list(assignment.liaisons.all()) == [liaison]


def test_the_liaisons_of_an_assignment_keep_their_history(desk_officer, situation, liaison, second_liaison):
    assignment = situation.assignments.get()
    services.assignment_update(actor=desk_officer, assignment=assignment, liaisons=[liaison, second_liaison])
    services.assignment_update(actor=desk_officer, assignment=assignment, liaisons=[second_liaison])
    snapshots = [sorted(m.user_id for m in record.liaisons.all())
                 for record in assignment.history.order_by("history_id")]
    assert [liaison.pk, second_liaison.pk] in snapshots
    assert snapshots[-1] == [second_liaison.pk]


# --- The API ------------------------------------------------------------------------------

@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_login(user)
        return client
    return make


def etag(situation):
    situation.refresh_from_db()
    return f'"situation-{situation.pk}-v{situation.version}"'


def test_the_api_names_recipients_through_the_same_rule(client_for, red, desk_officer, another_desk_officer,
                                                        liaison, other_liaison):
    url = f"/api/v1/situations/{red.pk}"
    refused = client_for(another_desk_officer).patch(url, {"named_liaisons": [liaison.pk]}, format="json",
                                                     HTTP_IF_MATCH=etag(red))
    assert refused.status_code == 403
    bad = client_for(desk_officer).patch(url, {"named_liaisons": [other_liaison.pk]}, format="json",
                                         HTTP_IF_MATCH=etag(red))
    assert bad.status_code == 400 and "named_liaisons" in bad.json()["fields"]
    ok = client_for(desk_officer).patch(url, {"named_liaisons": [liaison.pk]}, format="json",
                                        HTTP_IF_MATCH=etag(red))
    assert ok.status_code == 200, ok.content
    assert [p["id"] for p in ok.json()["named_liaisons"]] == [liaison.pk]


def test_the_api_creates_an_assignment_with_several_liaisons(client_for, situation, desk_officer, other_government,
                                                             other_liaison, liaison):
    colleague = UserFactory(username="other-two", role=Role.LIAISON, government=other_government)
    response = client_for(desk_officer).post("/api/v1/assignments", {
        "situation": situation.pk, "government": other_government.pk, "role": "observer",
        "liaisons": [other_liaison.pk, colleague.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert sorted(p["id"] for p in response.json()["liaisons"]) == sorted([other_liaison.pk, colleague.pk])
    wrong = client_for(desk_officer).post("/api/v1/assignments", {
        "situation": situation.pk, "government": cast.government("observer").pk, "liaisons": [liaison.pk]},
        format="json")
    assert wrong.status_code == 400 and "liaisons" in wrong.json()["fields"]


def test_the_api_changes_the_liaisons_of_an_assignment(client_for, situation, desk_officer, liaison, second_liaison,
                                                       other_liaison):
    assignment = situation.assignments.get()
    url = f"/api/v1/assignments/{assignment.pk}"
    response = client_for(desk_officer).patch(url, {"liaisons": [liaison.pk, second_liaison.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert sorted(p["id"] for p in response.json()["liaisons"]) == sorted([liaison.pk, second_liaison.pk])
    assert response.json()["role"] == PartnerRole.SUPPORT  # left out, left as it was
    wrong = client_for(desk_officer).patch(url, {"liaisons": [other_liaison.pk]}, format="json")
    assert wrong.status_code == 400 and "liaisons" in wrong.json()["fields"]
    assert client_for(liaison).patch(url, {"liaisons": [liaison.pk]}, format="json").status_code == 403
    assert client_for(other_liaison).patch(url, {"liaisons": []}, format="json").status_code == 404
    assert set(assignment.liaisons.all()) == {liaison, second_liaison}
