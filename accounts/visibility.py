"""Who sees which situation: the one place that decides it.

Every selector, page, export, notification and admin list filters through
`visible_situation_q`, so a rule changed here changes everywhere. It is evaluated
in the database on every request (no cached permission), which is how un-assigning
a government cuts its liaisons off on their very next request.
"""
from django.db.models import Exists, OuterRef, Q

from accounts.models import Role


def visible_situation_q(user, prefix: str = "") -> Q:
    """A Q over Situation (or over a model whose `prefix` leads to one, e.g. "situation__")."""
    from coordination.choices import Marking, PartnerRole
    from coordination.models import PartnerAssignment, Situation

    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in (Role.DESK_OFFICER, Role.MANAGER, Role.ADMIN):
        return Q()
    if user.role != Role.LIAISON or user.government_id is None or not user.government.is_active:
        return Q(pk__in=[])

    situation_ref = OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id")
    assignments = PartnerAssignment.objects.filter(situation_id=situation_ref, government_id=user.government_id)
    assigned = Exists(assignments)
    assigned_as_lead_or_support = Exists(assignments.filter(role__in=[PartnerRole.LEAD, PartnerRole.SUPPORT]))
    named = Exists(
        Situation.named_liaisons.through.objects.filter(situation_id=situation_ref, user_id=user.pk)
    )
    marking = f"{prefix}marking"
    return (
        (Q(**{f"{marking}__in": [Marking.CLEAR, Marking.GREEN, Marking.AMBER]}) & Q(assigned))
        | (Q(**{marking: Marking.AMBER_STRICT}) & Q(assigned_as_lead_or_support))
        # RED: named on the situation, and still assigned (un-assigning cuts them off too).
        | (Q(**{marking: Marking.RED}) & Q(assigned) & Q(named))
    )


def can_see_situation(user, situation_id: int) -> bool:
    from coordination.models import Situation

    return Situation.objects.filter(visible_situation_q(user), pk=situation_id).exists()
