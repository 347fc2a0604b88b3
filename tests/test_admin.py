"""The Django admin, as a staff member and as a stranger uses it.

The models under test come from admin.site._registry, so a model registered later is
covered without anyone remembering to add it here (it only needs a way to be built:
BUILDERS below, or a <Model>Factory in testkit/factories.py).
"""
import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from coordination.choices import ActionStatus, PartnerRole
from coordination.models import Action, ActionUpdate, IndicatorReading, PartnerAssignment
from testkit import factories
from testkit.factories import (
    ActionFactory,
    AssignmentFactory,
    GovernmentFactory,
    IndicatorFactory,
    ReadingFactory,
    SituationFactory,
    TrackedIndicatorFactory,
    UserFactory,
)

REGISTRY = admin.site._registry
MODELS = sorted(REGISTRY, key=lambda model: model._meta.label)
MODEL_IDS = [model._meta.label for model in MODELS]
# Lists that must cost the same at any length: the ones this project wrote.
OWN_MODELS = [model for model in MODELS if model._meta.app_label in ("accounts", "coordination", "alerts")]


def _build_third_party(label):
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    def access(model, **extra):
        return model.objects.create(user_agent="pytest", ip_address="127.0.0.1", username="someone",
                                    http_accept="*/*", path_info="/admin/login/", **extra)

    def token():
        from knox.models import AuthToken

        return AuthToken.objects.create(UserFactory())[0]

    def periodic_task():
        interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
        return PeriodicTask.objects.create(name="sweep", task="alerts.scan_deadlines", interval=interval)

    builders = {
        "auth.Group": lambda: Group.objects.create(name="Desk"),
        "knox.AuthToken": token,
        "axes.AccessAttempt": lambda: access(__import__("axes.models").models.AccessAttempt, get_data="",
                                             post_data="", failures_since_start=1),
        "axes.AccessLog": lambda: access(__import__("axes.models").models.AccessLog),
        "axes.AccessFailureLog": lambda: access(__import__("axes.models").models.AccessFailureLog),
        "django_celery_beat.PeriodicTask": periodic_task,
        "django_celery_beat.ClockedSchedule": lambda: ClockedSchedule.objects.create(clocked_time=timezone.now()),
        "django_celery_beat.CrontabSchedule": lambda: CrontabSchedule.objects.create(minute="5"),
        "django_celery_beat.SolarSchedule": lambda: SolarSchedule.objects.create(event="sunrise", latitude=1,
                                                                                 longitude=1),
        "django_celery_beat.IntervalSchedule": lambda: IntervalSchedule.objects.create(every=5, period="seconds"),
    }
    return builders.get(label)


def _liaison_of(government):
    return UserFactory(role=Role.LIAISON, government=government)


# Each builds one row with every relation filled, so that a list that forgets a join
# shows one query more per row.
BUILDERS = {
    "accounts.User": lambda: _liaison_of(GovernmentFactory()),
    "coordination.Situation": lambda: SituationFactory(lead_officer=UserFactory()),
    "coordination.PartnerAssignment": lambda: (
        lambda government: AssignmentFactory(government=government, liaisons=[_liaison_of(government)])
    )(GovernmentFactory()),
    "coordination.Indicator": lambda: IndicatorFactory(),
    "coordination.TrackedIndicator": lambda: TrackedIndicatorFactory(),
    "coordination.IndicatorReading": lambda: ReadingFactory(
        recorded_by=UserFactory(), supersedes=ReadingFactory(observed_at=timezone.now() - dt.timedelta(days=2))),
    "coordination.Action": lambda: ActionFactory(assignee=UserFactory(), created_by=UserFactory()),
    "coordination.ActionUpdate": lambda: ActionUpdate.objects.create(
        action=ActionFactory(), author=UserFactory(), old_status=ActionStatus.PROPOSED,
        new_status=ActionStatus.PROPOSED, note="Proposed."),
    "coordination.Government": lambda: GovernmentFactory(),
    "coordination.SignoffRequest": lambda: __import__("coordination.models").models.SignoffRequest.objects.create(
        situation=SituationFactory(), kind="close", requested_by=UserFactory(), requested_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=72), status="approved", decided_by=UserFactory(),
        decided_at=timezone.now(), payload={"outcome": "risk_receded"}),
    "accounts.AuditEvent": lambda: __import__("accounts.audit").audit.AuditEvent.objects.create(
        kind="export", actor=UserFactory(), username="exporter", object_type="coordination.action", path="/x"),
}


def build(model):
    label = model._meta.label
    builder = BUILDERS.get(label) or _build_third_party(label)
    if builder is None:
        factory = getattr(factories, f"{model.__name__}Factory", None)
        builder = factory and (lambda: factory())
    if builder is None:
        pytest.fail(f"{label} is registered in the admin but tests/test_admin.py cannot build one: "
                    f"add a builder to BUILDERS or a {model.__name__}Factory to testkit/factories.py")
    return builder()


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _allows_adding(model, admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    return REGISTRY[model].has_add_permission(request)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_each_models_list_add_and_change_pages_open_for_staff(model, staff_client, admin_user, rf):
    row = build(model)
    assert staff_client.get(url(model, "changelist")).status_code == 200
    assert staff_client.get(url(model, "change", row.pk)).status_code == 200
    # Logs and readings are append-only or written by the system: their admin offers
    # no add page, and says so with 403 rather than a form that would bypass a service.
    expected_add = 200 if _allows_adding(model, admin_user, rf) else 403
    assert staff_client.get(url(model, "add")).status_code == expected_add


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_each_models_pages_send_anonymous_users_to_the_login(model, client, db):
    row = build(model)
    for page in (url(model, "changelist"), url(model, "add"), url(model, "change", row.pk)):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("admin:login")), page


def test_a_user_without_staff_status_is_sent_to_the_login(client, desk_officer):
    client.force_login(desk_officer)  # a desk officer uses the pages, not the admin
    response = client.get(reverse("admin:coordination_situation_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", OWN_MODELS, ids=[m._meta.label for m in OWN_MODELS])
def test_each_list_costs_the_same_number_of_queries_for_5_and_30_rows(
        model, staff_client, django_assert_max_num_queries):
    for _ in range(5):
        build(model)
    changelist = url(model, "changelist")
    staff_client.get(changelist)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as five_rows:
        staff_client.get(changelist)
    for _ in range(25):
        build(model)
    with django_assert_max_num_queries(len(five_rows)):
        response = staff_client.get(changelist)
    assert response.context["cl"].result_count >= 30


# --- Form helpers ----------------------------------------------------------------------

def post_data(response) -> dict:
    """What the browser would send back unchanged from an admin add/change page."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(item) for item in value]
            else:
                data[form.add_prefix(name)] = str(value) if value is not True else "on"
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Action status through the service -------------------------------------------------

def test_staff_move_an_action_through_the_transition_page_and_the_log_records_it(staff_client, admin_user, action):
    page = reverse("admin:coordination_action_transition", args=[action.pk])
    response = staff_client.get(page)
    assert response.status_code == 200
    offered = [value for value, _label in response.context["form"].fields["to_status"].widget.choices]
    assert offered == [ActionStatus.AGREED, ActionStatus.CANCELLED]

    response = staff_client.post(page, {"to_status": ActionStatus.AGREED, "note": "Agreed at the Tuesday call.",
                                        "expected_version": action.version}, follow=True)

    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED and action.agreed_at is not None
    update = action.updates.get(new_status=ActionStatus.AGREED)
    assert (update.author, update.old_status, update.note) == (admin_user, ActionStatus.PROPOSED,
                                                                "Agreed at the Tuesday call.")
    assert response.redirect_chain[-1][0] == reverse("admin:coordination_action_change", args=[action.pk])


def test_a_transition_the_workflow_forbids_shows_the_services_error_and_changes_nothing(staff_client, action):
    page = reverse("admin:coordination_action_transition", args=[action.pk])
    response = staff_client.post(page, {"to_status": ActionStatus.COMPLETED, "note": "Done?",
                                        "expected_version": action.version})
    assert response.status_code == 200
    assert any("cannot go from proposed to completed" in text for text in messages_of(response))
    action.refresh_from_db()
    assert (action.status, action.version, action.updates.count()) == (ActionStatus.PROPOSED, 1, 0)


def test_a_transition_from_a_stale_page_is_refused_as_a_conflict(staff_client, action):
    page = reverse("admin:coordination_action_transition", args=[action.pk])
    Action.objects.filter(pk=action.pk).update(version=2)  # somebody else wrote meanwhile
    response = staff_client.post(page, {"to_status": ActionStatus.AGREED, "note": "",
                                        "expected_version": 1})
    assert any("changed by someone else" in text for text in messages_of(response))
    action.refresh_from_db()
    assert action.status == ActionStatus.PROPOSED


def test_the_action_change_form_cannot_edit_the_status(staff_client, action):
    change = url(Action, "change", action.pk)
    response = staff_client.get(change)
    assert "status" not in response.context["adminform"].form.fields
    assert reverse("admin:coordination_action_transition", args=[action.pk]) in response.content.decode()
    data = post_data(response) | {"status": ActionStatus.COMPLETED, "title": "Joint démarche, revised"}
    response = staff_client.post(change, data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == ("Joint démarche, revised", ActionStatus.PROPOSED, 2)


def test_an_action_is_cancelled_not_deleted(staff_client, action):
    assert staff_client.post(url(Action, "delete", action.pk), {"post": "yes"}).status_code == 403
    assert Action.objects.filter(pk=action.pk).exists()


def test_a_history_revert_is_refused_because_it_would_bypass_the_services(staff_client, action):
    history = action.history.earliest()
    page = reverse("admin:coordination_action_simple_history", args=[action.pk, history.history_id])
    assert staff_client.get(page).status_code == 200
    assert staff_client.post(page, {"title": "Reverted"}).status_code == 403


# --- Situations through the service -----------------------------------------------------

def test_staff_open_a_situation_with_its_first_partner_in_one_save(staff_client, admin_user, home_government,
                                                                   liaison):
    from coordination.models import Situation

    data = post_data(staff_client.get(url(Situation, "add")))
    data |= {"title": "Delta flooding and militia build-up", "country_code": "XC", "marking": "amber_strict",
             "status": "active", "risk_level": "high", "assignments-TOTAL_FORMS": "1",
             "assignments-0-government": str(home_government.pk), "assignments-0-role": PartnerRole.LEAD,
             "assignments-0-liaisons": [str(liaison.pk)]}
    response = staff_client.post(url(Situation, "add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    situation = Situation.objects.get(title="Delta flooding and militia build-up")
    assert (situation.lead_officer, situation.version) == (admin_user, 1)  # the service's default: the opener
    assert situation.assignments.get().government == home_government
    assert list(situation.assignments.get().liaisons.all()) == [liaison]


def test_saving_a_situation_over_someone_elses_newer_edit_is_refused(staff_client, situation):
    change = url(situation.__class__, "change", situation.pk)
    data = post_data(staff_client.get(change)) | {"risk_level": "critical"}
    situation.__class__.objects.filter(pk=situation.pk).update(version=5, title="Edited by a colleague")
    response = staff_client.post(change, data, follow=True)
    assert any("changed by someone else" in text for text in messages_of(response))
    situation.refresh_from_db()
    assert (situation.title, situation.risk_level, situation.version) == ("Edited by a colleague", "moderate", 5)


# --- Assignments through the service ---------------------------------------------------

def test_assigning_a_government_in_the_situation_form_goes_through_the_service(
        staff_client, situation, other_government, other_liaison, liaison):
    change = url(situation.__class__, "change", situation.pk)
    data = post_data(staff_client.get(change))
    data |= {"assignments-TOTAL_FORMS": "2", "assignments-1-government": str(other_government.pk),
             "assignments-1-role": PartnerRole.OBSERVER, "assignments-1-liaisons": [str(other_liaison.pk)],
             "assignments-1-situation": str(situation.pk)}
    response = staff_client.post(change, data)
    assert response.status_code == 302
    assignment = PartnerAssignment.objects.get(situation=situation, government=other_government)
    assert (assignment.role, list(assignment.liaisons.all())) == (PartnerRole.OBSERVER, [other_liaison])


def test_a_liaison_of_another_government_is_refused_and_nothing_is_saved(
        staff_client, situation, other_government, liaison):
    change = url(situation.__class__, "change", situation.pk)
    data = post_data(staff_client.get(change))
    data |= {"title": "Renamed in the same save", "assignments-TOTAL_FORMS": "2",
             "assignments-1-government": str(other_government.pk), "assignments-1-role": PartnerRole.SUPPORT,
             "assignments-1-liaisons": [str(liaison.pk)], "assignments-1-situation": str(situation.pk)}
    response = staff_client.post(change, data, follow=True)
    assert any("is not a partner liaison of Other Federation" in text for text in messages_of(response))
    situation.refresh_from_db()
    assert situation.title == "Lowland displacement"  # the whole save rolled back
    assert not PartnerAssignment.objects.filter(situation=situation, government=other_government).exists()


def test_unassigning_in_the_admin_goes_through_the_service_and_is_recorded(staff_client, situation, home_government):
    assignment = situation.assignments.get()
    response = staff_client.post(url(PartnerAssignment, "delete", assignment.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not situation.assignments.exists()
    assert assignment.history.latest().history_type == "-"
    assert assignment.history.latest().history_change_reason.startswith("un-assigned by")


# --- Readings are append-only ------------------------------------------------------------

def test_a_reading_cannot_be_edited_or_deleted_in_the_admin(staff_client, situation, indicator, tracked, admin_user):
    reading = ReadingFactory(situation=situation, indicator=indicator, value=3)
    change = url(IndicatorReading, "change", reading.pk)
    assert staff_client.post(change, {"value": "40"}).status_code == 403
    assert staff_client.post(url(IndicatorReading, "delete", reading.pk), {"post": "yes"}).status_code == 403
    reading.refresh_from_db()
    assert reading.value == 3


def test_a_reading_added_in_the_admin_is_recorded_by_the_service(staff_client, situation, indicator, tracked,
                                                                   admin_user):
    observed = timezone.now() - dt.timedelta(hours=2)
    response = staff_client.post(url(IndicatorReading, "add"), {
        "situation": situation.pk, "indicator": indicator.pk, "value": "12",
        "observed_at_0": observed.strftime("%Y-%m-%d"), "observed_at_1": observed.strftime("%H:%M:%S"),
        "source": "OCHA flash update",
    })
    assert response.status_code == 302
    reading = IndicatorReading.objects.get(situation=situation)
    assert (reading.value, reading.recorded_by) == (12, admin_user)


def test_a_reading_for_an_untracked_indicator_is_refused_with_the_services_reason(staff_client, situation):
    untracked = IndicatorFactory(code="fa-7-4-arms")
    observed = timezone.now() - dt.timedelta(hours=2)
    response = staff_client.post(url(IndicatorReading, "add"), {
        "situation": situation.pk, "indicator": untracked.pk, "value": "1",
        "observed_at_0": observed.strftime("%Y-%m-%d"), "observed_at_1": observed.strftime("%H:%M:%S"),
    }, follow=True)
    assert any("not tracked on this situation" in text for text in messages_of(response))
    assert not IndicatorReading.objects.exists()


# --- Users ----------------------------------------------------------------------------------

def test_staff_create_a_liaison_only_with_a_government_and_the_password_is_hashed(staff_client, home_government):
    from accounts.models import User

    add = url(User, "add")
    form = {"username": "new-liaison", "password1": "a-long-enough-passphrase", "usable_password": "true",
            "password2": "a-long-enough-passphrase", "role": Role.LIAISON, "time_zone": "Africa/Nairobi"}
    response = staff_client.post(add, form)
    assert response.status_code == 200
    assert "must belong to a government" in str(response.context["adminform"].form.errors)
    assert not User.objects.filter(username="new-liaison").exists()

    response = staff_client.post(add, form | {"government": home_government.pk})
    assert response.status_code == 302
    user = User.objects.get(username="new-liaison")
    assert (user.role, user.government, user.time_zone) == (Role.LIAISON, home_government, "Africa/Nairobi")
    assert user.check_password("a-long-enough-passphrase") and user.password != "a-long-enough-passphrase"


# --- Visibility holds in the admin too -------------------------------------------------------

def test_a_liaison_given_staff_status_by_mistake_still_sees_only_their_governments_situations(
        client, liaison, situation, foreign_situation):
    liaison.is_staff = True
    liaison.save()
    liaison.user_permissions.add(Permission.objects.get(codename="view_situation"))
    client.force_login(liaison)
    response = client.get(reverse("admin:coordination_situation_changelist"))
    assert [row.pk for row in response.context["cl"].result_list] == [situation.pk]


def test_a_liaison_given_staff_status_cannot_read_the_history_of_a_situation_outside_their_scope(
        client, liaison, situation, foreign_situation):
    liaison.is_staff = True
    liaison.save()
    liaison.user_permissions.add(Permission.objects.get(codename="view_situation"))
    client.force_login(liaison)
    foreign_record = foreign_situation.history.earliest()
    assert client.get(reverse("admin:coordination_situation_history", args=[situation.pk])).status_code == 200
    assert client.get(reverse("admin:coordination_situation_history", args=[foreign_situation.pk])).status_code == 404
    assert client.get(reverse("admin:coordination_situation_simple_history",
                              args=[foreign_situation.pk, foreign_record.history_id])).status_code == 404
