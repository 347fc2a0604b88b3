"""Partners take part: a liaison records their own government's assessment (never
another's) and adds notes on the timeline of a situation their government is assigned
to; anywhere else the answer is 404 and nothing is stored. Staff readings stay the
secretariat's unless staff name an assigned government."""
import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination.choices import Marking, PartnerRole
from coordination.models import IndicatorReading, SituationNote
from coordination.models.notes import AppendOnly
from coordination.notes import note_add
from testkit.factories import AssignmentFactory, TrackedIndicatorFactory

pytestmark = pytest.mark.django_db


def body(indicator, **extra):
    return {"indicator": indicator.pk, "value": 12,
            "observed_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(), **extra}


def post(client, url, data):
    return client.generic("POST", url, json.dumps(data), content_type="application/json")


def readings_url(situation):
    return f"/api/v1/situations/{situation.pk}/readings"


def test_a_liaisons_reading_is_their_governments_assessment(client_for, liaison, situation, tracked, indicator,
                                                           home_government):
    response = post(client_for(liaison), readings_url(situation), body(indicator))
    assert response.status_code == 201, response.json()
    assert response.json()["assessing_government"]["code"] == home_government.code
    assert IndicatorReading.objects.get().assessing_government == home_government


def test_a_liaison_cannot_attribute_a_reading_to_another_government(client_for, liaison, situation, tracked,
                                                                   indicator, other_government):
    AssignmentFactory(situation=situation, government=other_government, role=PartnerRole.LEAD)
    response = post(client_for(liaison), readings_url(situation),
                    [body(indicator), body(indicator, assessing_government=other_government.pk)])
    assert response.status_code == 400
    assert "1.assessing_government" in response.json()["fields"]
    assert not IndicatorReading.objects.exists(), "the batch is refused whole"


def test_a_liaison_keeps_bulk_idempotency_and_per_row_errors(client_for, liaison, situation, tracked, indicator):
    client = client_for(liaison)
    rows = [body(indicator, client_id="6f2c1b7e-4a55-4e0b-9f7e-2d3c4b5a6978"), body(indicator, value=13)]
    assert post(client, readings_url(situation), rows).status_code == 201
    again = post(client, readings_url(situation), rows[:1])
    assert again.status_code == 200 and IndicatorReading.objects.count() == 2
    bad = post(client, readings_url(situation), [body(indicator), body(indicator, value="many")])
    assert bad.status_code == 400 and "1.value" in bad.json()["fields"]


def test_a_liaison_on_a_situation_they_cannot_see_gets_404_and_nothing_is_stored(
        client, client_for, liaison, foreign_situation, indicator):
    TrackedIndicatorFactory(situation=foreign_situation, indicator=indicator)
    api = client_for(liaison)
    assert post(api, readings_url(foreign_situation), body(indicator)).status_code == 404
    assert post(api, f"/api/v1/situations/{foreign_situation.pk}/notes", {"body": "Hello"}).status_code == 404
    client.force_login(liaison)
    page = client.post(reverse("pages:reading-create", args=[foreign_situation.pk]),
                       {"indicator": indicator.pk, "value": 3, "observed_at": "2026-03-01T10:00"})
    assert page.status_code == 404
    assert client.post(reverse("pages:note-create", args=[foreign_situation.pk]),
                       {"timeline-body": "Hello"}).status_code == 404
    assert not IndicatorReading.objects.exists() and not SituationNote.objects.exists()


def test_an_observer_on_amber_strict_cannot_see_it_and_gets_404(client_for, situation, tracked, indicator):
    from testkit import cast

    observer = cast.user("observer_liaison")
    AssignmentFactory(situation=situation, government=observer.government, role=PartnerRole.OBSERVER)
    situation.marking = Marking.AMBER_STRICT
    situation.save()
    response = post(client_for(observer), readings_url(situation), body(indicator))
    assert response.status_code == 404 and not IndicatorReading.objects.exists()


def test_staff_readings_are_the_secretariats_unless_staff_name_an_assigned_government(
        client_for, desk_officer, situation, tracked, indicator, home_government, other_government):
    client = client_for(desk_officer)
    own = post(client, readings_url(situation), body(indicator))
    assert own.status_code == 201 and own.json()["assessing_government"] is None
    named = post(client, readings_url(situation), body(indicator, assessing_government=home_government.pk))
    assert named.status_code == 201 and named.json()["assessing_government"]["code"] == "XHA"
    unassigned = post(client, readings_url(situation), body(indicator, assessing_government=other_government.pk))
    assert unassigned.status_code == 400 and "assessing_government" in unassigned.json()["fields"]
    assert IndicatorReading.objects.count() == 2


def test_a_correction_stays_with_the_same_assessor(client_for, desk_officer, liaison, situation, tracked, indicator):
    partner = post(client_for(liaison), readings_url(situation), body(indicator)).json()
    refused = post(client_for(desk_officer), readings_url(situation), body(indicator, supersedes=partner["id"]))
    assert refused.status_code == 400 and "supersedes" in refused.json()["fields"]
    fixed = post(client_for(liaison), readings_url(situation), body(indicator, value=11, supersedes=partner["id"]))
    assert fixed.status_code == 201


def test_the_readings_list_and_csv_name_the_assessing_government(client_for, liaison, desk_officer, situation,
                                                                tracked, indicator):
    post(client_for(liaison), readings_url(situation), body(indicator))
    post(client_for(desk_officer), readings_url(situation), body(indicator, value=20))
    listed = client_for(desk_officer).get(readings_url(situation)).json()["results"]
    assert sorted(str(r["assessing_government"] and r["assessing_government"]["code"]) for r in listed) == [
        "None", "XHA"]
    export = client_for(liaison).get(readings_url(situation) + "/export")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert sorted(r["assessing_government"] for r in rows) == ["", "XHA"]


def test_the_reading_form_of_a_liaison_records_their_governments_assessment(client, liaison, situation, tracked,
                                                                          indicator, home_government):
    client.force_login(liaison)
    page = client.get(reverse("pages:situation-detail", args=[situation.pk]))
    assert 'id="reading-form"' in page.content.decode()
    assert "Recorded as the assessment of Home Republic" in page.content.decode()
    response = client.post(reverse("pages:reading-create", args=[situation.pk]),
                           {"indicator": indicator.pk, "value": 3, "observed_at": "2026-03-01T10:00",
                            "assessing_government": ""})
    assert response.status_code == 302
    assert IndicatorReading.objects.get().assessing_government == home_government
    shown = client.get(reverse("pages:situation-detail", args=[situation.pk])).content.decode()
    assert "Partners&#x27; assessments" in shown or "Partners' assessments" in shown


def test_notes_by_a_partner_and_staff_appear_on_the_timeline(client, client_for, liaison, desk_officer, situation,
                                                             home_government):
    response = post(client_for(liaison), f"/api/v1/situations/{situation.pk}/notes",
                    {"body": "Our embassy reports checkpoints on the northern road."})
    assert response.status_code == 201, response.json()
    assert response.json()["government"]["code"] == home_government.code
    client.force_login(desk_officer)
    made = client.post(reverse("pages:note-create", args=[situation.pk]),
                       {"timeline-body": "Asked the field office to confirm."})
    assert made.status_code == 302
    page = client.get(reverse("pages:situation-detail", args=[situation.pk])).content.decode()
    assert "Our embassy reports checkpoints" in page and "Asked the field office to confirm." in page
    listed = client_for(liaison).get(f"/api/v1/situations/{situation.pk}/notes").json()["results"]
    assert [n["body"] for n in listed] == ["Asked the field office to confirm.",
                                           "Our embassy reports checkpoints on the northern road."]
    assert listed[0]["government"] is None


def test_a_blank_note_or_an_untracked_indicator_is_400_naming_the_field(client_for, liaison, situation, indicator):
    client = client_for(liaison)
    url = f"/api/v1/situations/{situation.pk}/notes"
    blank = post(client, url, {"body": "   "})
    assert blank.status_code == 400 and "body" in blank.json()["fields"]
    untracked = post(client, url, {"body": "About it", "indicator": indicator.pk})
    assert untracked.status_code == 400 and "indicator" in untracked.json()["fields"]
    unnamed = post(client, url, {"body": "Reconciled", "reconciles": True})
    assert unnamed.status_code == 400 and "indicator" in unnamed.json()["fields"]
    assert not SituationNote.objects.exists()


def test_notes_are_append_only(liaison, situation):
    note = note_add(actor=liaison, situation=situation, body="First impressions.")
    note.body = "Rewritten"
    with pytest.raises(AppendOnly):
        note.save()
    with pytest.raises(AppendOnly):
        SituationNote.objects.filter(pk=note.pk).update(body="Rewritten")
    with pytest.raises(AppendOnly):
        note.delete()
