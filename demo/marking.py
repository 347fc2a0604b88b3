"""The demo's desk of several people: Aldoria's foreign ministry has a second liaison,
who speaks for it on every situation it is assigned to beside the first, and is named
on the TLP:RED situation Aldoria leads (Orvenia), so the situation page lists two
Aldoria liaisons and two named recipients of that government."""
from __future__ import annotations

from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from coordination import named, services
from coordination.choices import Marking, PartnerRole
from coordination.models import PartnerAssignment
from demo import world

GOVERNMENT = "XAL"
USERNAME = "liaison2-xal"


def ensure_liaison_desk(governments) -> User:
    """Idempotent: the person is found by username, an assignment already naming them is
    left alone, and so is a RED situation where they are already named."""
    government = governments[GOVERNMENT]
    person = User.objects.filter(username=USERNAME).first()
    if person is None:
        person = User(username=USERNAME, first_name="Jonas", last_name="Albrecht", role=Role.LIAISON,
                      government=government, email=f"{USERNAME}@concert.invalid",
                      password=make_password(world.DEMO_PASSWORD))
        person.full_clean()
        person.save()
    officer = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    for assignment in (PartnerAssignment.objects.filter(government=government).select_related("situation")
                       .prefetch_related("liaisons")):
        desk = list(assignment.liaisons.all())
        if person not in desk:
            services.assignment_update(actor=officer, assignment=assignment, liaisons=[*desk, person])
        situation = assignment.situation
        if (situation.marking == Marking.RED and assignment.role != PartnerRole.OBSERVER
                and not situation.named_liaisons.filter(pk=person.pk).exists()):
            lead = situation.lead_officer or officer
            named.named_liaisons_set(actor=lead, situation=situation,
                                     liaisons=[*situation.named_liaisons.all(), person])
    return person
