"""Who sees which situation: the one place that decides it (docs/DESIGN.md, "The
sharing rule").

Two forms of one rule: for a person (`visible_situation_q`, `can_see_situation`) and
for a government as an organisation (`government_visible_situation_q`,
`government_can_see_situation`), which is what a government-owned system such as a
webhook endpoint may receive. Every selector, page, export, recipient filter and admin
list filters through them, so a rule changed here changes everywhere. It is evaluated
in the database on every request (no cached permission), which is how un-assigning a
government cuts its liaisons off on their very next request.
"""
from django.db.models import Exists, OuterRef, Q

from coordination.choices import Marking, PartnerRole
from coordination.models import PartnerAssignment, Situation
from core.roles import Role, has_staff_role

NOTHING = Q(pk__in=[])
# Markings every assigned government's people may read (TLP 2.0: CLEAR, GREEN, AMBER).
SHARED_WITH_ASSIGNED = (Marking.CLEAR, Marking.GREEN, Marking.AMBER)


def _situation_ref(prefix: str) -> OuterRef:
    return OuterRef(f"{prefix}id" if prefix else "pk")


def _assignment_q(assignments, prefix: str) -> tuple[Q, Exists]:
    """What a government sees by virtue of its `assignments` alone, and the bare
    "assigned" test that the RED rule for people builds on."""
    assignments = assignments.filter(situation_id=_situation_ref(prefix))
    assigned = Exists(assignments)
    assigned_as_lead_or_support = Exists(assignments.filter(role__in=[PartnerRole.LEAD, PartnerRole.SUPPORT]))
    marking = f"{prefix}marking"
    by_assignment = ((Q(**{f"{marking}__in": SHARED_WITH_ASSIGNED}) & Q(assigned))
                     | (Q(**{marking: Marking.AMBER_STRICT}) & Q(assigned_as_lead_or_support)))
    return by_assignment, assigned


def government_visible_situation_q(government_id: int | None, prefix: str = "") -> Q:
    """A Q over Situation (or a model whose `prefix` leads to one) for what a government
    may receive as an organisation. TLP:RED names people, not governments, so a RED
    situation never goes to a government; an inactive government receives nothing."""
    if government_id is None:
        return NOTHING
    assignments = PartnerAssignment.objects.filter(government_id=government_id, government__is_active=True)
    by_assignment, _assigned = _assignment_q(assignments, prefix)
    return by_assignment


def visible_situation_q(user, prefix: str = "") -> Q:
    """A Q over Situation (or over a model whose `prefix` leads to one, e.g. "situation__")
    for what a person may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if has_staff_role(user):
        return Q()
    if user.role != Role.LIAISON or user.government_id is None or not user.government.is_active:
        return NOTHING
    assignments = PartnerAssignment.objects.filter(government_id=user.government_id)
    by_assignment, assigned = _assignment_q(assignments, prefix)
    named = Exists(Situation.named_liaisons.through.objects.filter(situation_id=_situation_ref(prefix),
                                                                   user_id=user.pk))
    # RED: named on the situation, and still assigned (un-assigning cuts them off too).
    return by_assignment | (Q(**{f"{prefix}marking": Marking.RED}) & Q(assigned) & Q(named))


def can_see_situation(user, situation_id: int) -> bool:
    if user is None or not user.is_active:
        return False
    if has_staff_role(user):
        return True  # staff see every situation: no query needed to say so
    return Situation.objects.filter(visible_situation_q(user), pk=situation_id).exists()


def government_can_see_situation(government_id: int | None, situation_id: int) -> bool:
    return Situation.objects.filter(government_visible_situation_q(government_id), pk=situation_id).exists()
