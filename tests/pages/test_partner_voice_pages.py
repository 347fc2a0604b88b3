"""The reading and note forms of the situation page, as every role of the sharing world
(RED named and unnamed liaisons, an observer on AMBER+STRICT, a government assigned
nowhere) on every situation: in scope a filled form is stored and attributed, out of
scope the answer is 404 and nothing is stored."""
import pytest
from django.urls import reverse

from coordination.models import IndicatorReading, SituationNote, TrackedIndicator
from testkit.world import sharing_world
from tests.api.test_authorization_matrix import ROLES, SITUATIONS, STAFF, VISIBLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = sharing_world()
    for situation in w.situations.values():
        TrackedIndicator.objects.get_or_create(situation=situation, indicator=w.indicator)
    return w


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_the_forms_answer_by_role_and_scope(client, world, role):
    user = world.users[role]
    client.force_login(user)
    for key in SITUATIONS:
        situation = world.situations[key]
        before = IndicatorReading.objects.count(), SituationNote.objects.count()
        reading = client.post(reverse("pages:reading-create", args=[situation.pk]),
                              {"indicator": world.indicator.pk, "value": 4, "observed_at": "2026-03-01T10:00"})
        note = client.post(reverse("pages:note-create", args=[situation.pk]), {"timeline-body": f"Seen by {role}"})
        if key not in VISIBLE[role]:
            assert (reading.status_code, note.status_code) == (404, 404), (role, key)
            assert (IndicatorReading.objects.count(), SituationNote.objects.count()) == before, (role, key)
            continue
        assert (reading.status_code, note.status_code) == (302, 302), (role, key)
        stored = IndicatorReading.objects.latest("id")
        assert stored.situation == situation
        assert stored.assessing_government_id == (None if role in STAFF else user.government_id)
        assert SituationNote.objects.latest("id").body == f"Seen by {role}"
