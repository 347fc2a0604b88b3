"""The marking travels: what is sent about a situation says its TLP label, and what a
TLP:RED situation says reaches only its named recipients (and the secretariat).

Real deliveries: e-mail through Django's locmem backend, webhooks to receivers on
loopback (testkit/receiver.py); the evaluation and the delivery run in the test, on the
rows the engine wrote."""
import csv
import io

import pytest
from django.core import mail
from django.utils import timezone

from alerts import periodic, services
from alerts.choices import Channel, NotificationStatus
from alerts.delivery import deliver_notification
from alerts.models import AlertGroup, Notification
from alerts.rules import webhook_endpoint_create
from coordination.choices import Marking, PartnerRole
from coordination.models import PartnerAssignment
from testkit import cast
from testkit.factories import SituationFactory, TrackedIndicatorFactory
from testkit.receiver import SECRET
from testkit.world import api_token

pytestmark = pytest.mark.django_db


def test_every_marking_has_its_official_tlp_2_label():
    assert [Marking.tlp(m) for m in Marking.values] == [
        "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
    assert Marking.strictest(["green", "red", "amber"]) == Marking.RED
    assert Marking.strictest([]) is None


@pytest.fixture
def red(desk_officer, liaison, second_liaison, home_government, indicator):
    """A RED situation: home's two liaisons on its assignment, one of them named; red
    coast assigned, its liaison not named."""
    situation = SituationFactory(title="Red valley", marking=Marking.RED, lead_officer=desk_officer)
    PartnerAssignment.objects.create(situation=situation, government=home_government,
                                     role=PartnerRole.LEAD).liaisons.set([liaison, second_liaison])
    red_liaison = cast.user("red_liaison")
    PartnerAssignment.objects.create(situation=situation, government=red_liaison.government,
                                     role=PartnerRole.SUPPORT).liaisons.set([red_liaison])
    situation.named_liaisons.set([liaison])
    TrackedIndicatorFactory(situation=situation, indicator=indicator)
    return situation


def escalate(situation, indicator, record):
    record(situation, indicator, 30)
    services.evaluate_situation(situation_id=situation.pk)
    return AlertGroup.objects.get(situation=situation)


def deliver_all():
    for pk in Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True):
        deliver_notification(notification_id=pk)


def hook(manager, url, name, **owner):
    return webhook_endpoint_create(actor=manager, name=name, url=url, secret=SECRET, **owner)


def test_an_email_and_a_webhook_about_a_red_situation_carry_tlp_red_and_reach_only_named_recipients(
        red, indicator, record, threshold_rule, manager, liaison, second_liaison, home_government,
        start_receiver, allow_loopback_webhooks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    red_liaison = cast.user("red_liaison")
    receivers = {name: start_receiver(200) for name in ("manager", "named", "unnamed", "government")}
    hook(manager, receivers["manager"].url, "Secretariat", owner_user=manager)
    hook(manager, receivers["named"].url, "Named liaison's", owner_user=liaison)
    hook(manager, receivers["unnamed"].url, "Unnamed liaison's", owner_user=red_liaison)
    hook(manager, receivers["government"].url, "Home ministry", owner_government=home_government)

    group = escalate(red, indicator, record)
    deliver_all()

    # Step 1 is the desk officer and the liaisons: of the three liaisons assigned, only
    # the named one is told, by e-mail and in the app.
    assert sorted(m.to[0] for m in mail.outbox) == ["desk@example.org", "liaison@example.org"]
    in_app = set(Notification.objects.filter(group=group, channel=Channel.IN_APP)
                 .values_list("recipient__username", flat=True))
    assert in_app == {"desk", "liaison"}
    for message in mail.outbox:
        assert message.subject.startswith("[TLP:RED] "), message.subject
        assert message.body.startswith("TLP:RED"), message.body
        assert "<strong>TLP:RED</strong>" in message.alternatives[0][0]
        assert message.extra_headers["X-Concert-Marking"] == "TLP:RED"

    # Webhooks: the secretariat's and the named liaison's, never a government's, never
    # an unnamed liaison's.
    assert not receivers["government"].requests and not receivers["unnamed"].requests
    for name in ("manager", "named"):
        [body] = receivers[name].bodies()
        assert body["marking"] == "TLP:RED" and body["situation"]["marking"] == "TLP:RED"
    assert not {second_liaison.pk, red_liaison.pk} & set(
        Notification.objects.filter(group=group).exclude(recipient=None).values_list("recipient_id", flat=True))


def test_naming_a_second_liaison_of_the_desk_brings_them_the_next_message(
        red, indicator, record, threshold_rule, desk_officer, second_liaison, settings):
    from coordination import named

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    named.named_liaisons_set(actor=desk_officer, situation=red, liaisons=[*red.named_liaisons.all(), second_liaison])
    escalate(red, indicator, record)
    deliver_all()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "desk@example.org", "liaison@example.org", "second-liaison@example.org"]


def test_several_liaisons_of_one_government_on_one_assignment_all_receive_the_liaisons_step(
        situation, tracked, indicator, record, threshold_rule, liaison, second_liaison, desk_officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from coordination import services as coordination

    assignment = situation.assignments.get()
    coordination.assignment_update(actor=desk_officer, assignment=assignment, liaisons=[liaison, second_liaison])
    group = escalate(situation, indicator, record)
    deliver_all()
    assert {"liaison@example.org", "second-liaison@example.org"} <= {m.to[0] for m in mail.outbox}
    assert {liaison.pk, second_liaison.pk} <= set(Notification.objects.filter(
        group=group, channel=Channel.IN_APP).values_list("recipient_id", flat=True))
    # Every message about this AMBER situation says so.
    assert all(m.subject.startswith("[TLP:AMBER] ") for m in mail.outbox)


def test_the_in_app_inbox_shows_each_notification_with_its_marking(
        red, indicator, record, threshold_rule, liaison, client):
    escalate(red, indicator, record)
    client.force_login(liaison)
    from django.urls import reverse

    page = client.get(reverse("alert-pages:notifications"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="badge tlp tlp-red"' in body and "Red valley" in body
    assert 'id="print-marking" data-tlp="TLP:RED"' in body

    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(liaison)}")
    [row] = api.get("/api/v1/notifications").json()["results"]
    assert row["marking"] == "TLP:RED" and row["escalation"]["situation"]["marking"] == "TLP:RED"


def test_the_daily_digest_carries_the_strictest_marking_and_each_line_its_own(
        red, situation, tracked, indicator, record, threshold_rule, desk_officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    escalate(red, indicator, record)
    escalate(situation, indicator, record)
    mail.outbox.clear()
    periodic.send_daily_digests(now=timezone.now())
    [digest] = [m for m in mail.outbox if m.to == [desk_officer.email]]
    assert digest.subject.startswith("[TLP:RED] ")
    assert digest.body.startswith("TLP:RED")
    assert "[TLP:RED] [Critical] Red valley" in digest.body
    assert "[TLP:AMBER] [Critical] Lowland displacement" in digest.body


def test_every_csv_row_carries_its_situations_marking(red, situation, desk_officer, home_government):
    from rest_framework.test import APIClient

    from testkit.factories import ActionFactory

    ActionFactory(situation=red, owner_government=home_government, title="Quiet démarche")
    ActionFactory(situation=situation, owner_government=home_government, title="Open letter")
    api = APIClient()
    api.force_authenticate(desk_officer)
    for path, key, expected in (("/api/v1/situations/export", "title",
                                 {"Red valley": "TLP:RED", "Lowland displacement": "TLP:AMBER"}),
                                ("/api/v1/actions/export", "title",
                                 {"Quiet démarche": "TLP:RED", "Open letter": "TLP:AMBER"})):
        response = api.get(path)
        reader = csv.DictReader(io.StringIO(response.content.decode()))
        assert reader.fieldnames[0] == "marking"
        rows = {row[key]: row["marking"] for row in reader}
        assert rows == expected, path


def test_a_csv_export_without_the_marking_is_refused_when_it_is_written():
    from rest_framework import viewsets

    from core.api.base import CsvExportMixin

    with pytest.raises(TypeError, match="csv_marking"):
        type("Unmarked", (CsvExportMixin, viewsets.GenericViewSet), {"csv_columns": [], "csv_filename": "x.csv"})


def test_printed_pages_about_a_situation_carry_its_marking(red, desk_officer, client):
    from django.urls import reverse

    client.force_login(desk_officer)
    page = client.get(reverse("pages:situation-detail", args=[red.pk])).content.decode()
    assert 'id="print-marking" data-tlp="TLP:RED"' in page
    listing = client.get(reverse("pages:situation-list")).content.decode()
    assert 'id="print-marking" data-tlp="TLP:RED"' in listing  # the strictest on the page
    css = open("static/concert/concert.css").read()
    assert "@media print" in css and ".print-marking { display: block; position: fixed; top: 0" in css


def test_a_reminder_of_a_red_situation_is_not_sent_to_a_liaison_no_longer_named(
        red, indicator, record, threshold_rule, desk_officer, liaison, settings):
    """Un-naming someone after the message was written: delivery asks the rule again."""
    from coordination import named

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    group = escalate(red, indicator, record)
    named.named_liaisons_set(actor=desk_officer, situation=red, liaisons=[])
    deliver_all()
    assert [m.to[0] for m in mail.outbox] == ["desk@example.org"]
    refused = Notification.objects.get(group=group, recipient=liaison, channel=Channel.EMAIL)
    assert refused.status == NotificationStatus.FAILED
