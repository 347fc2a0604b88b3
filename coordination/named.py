"""Named recipients of a situation (`Situation.named_liaisons`): the people a TLP:RED
situation, and everything said about it, may reach.

The one rule, used by the situation page, the API, the admin and the situation
services alike:
- who may name: the situation's lead desk officer, and managers (and admins), who stand
  in for a lead officer who is away; any other desk officer may not;
- who may be named: an active liaison of a government assigned to the situation.
Naming is not seeing: coordination/sharing.py still asks the marking and the
assignment on every request, so a named liaison whose government is un-assigned loses
the situation at once, and staying named does not bring it back.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from coordination.models import Situation
from core.errors import DomainError, NotPermitted, VersionConflict
from core.roles import Role, has_manager_role, has_staff_role


def may_name_recipients(user, situation: Situation) -> bool:
    if user is None or not user.is_authenticated or not has_staff_role(user):
        return False
    return has_manager_role(user) or situation.lead_officer_id == user.pk


def nameable_liaisons(situation: Situation) -> QuerySet[User]:
    """The people who may be named: active liaisons of the (active) governments assigned
    to the situation."""
    return (User.objects.filter(role=Role.LIAISON, is_active=True, government__is_active=True,
                                government__assignments__situation=situation)
            .select_related("government").distinct().order_by("government__name", "username"))


def checked_recipients(situation: Situation, people: Iterable) -> list:
    """The people, if each may be named on the situation; else DomainError naming the
    first who may not."""
    people = list(people)
    allowed = set(nameable_liaisons(situation).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    for person in people:
        if person.pk not in allowed:
            raise DomainError(_("%(who)s is not a liaison of a government assigned to this situation, so may not "
                                "be named on it.") % {"who": person}, field="named_liaisons")
    return people


def require_may_name(actor, situation: Situation) -> None:
    if not may_name_recipients(actor, situation):
        raise NotPermitted(_("Only the situation's lead desk officer or a manager may name its recipients."))


def is_change(situation: Situation, people: Iterable) -> bool:
    current = set(situation.named_liaisons.values_list("pk", flat=True))
    return current != {p.pk for p in people}


def apply(actor, situation: Situation, people: Iterable) -> bool:
    """Check and write the named recipients of a situation its caller has locked; False
    when they are already the ones named (nothing asked of the actor)."""
    people = list(people)
    if not is_change(situation, people):
        return False
    require_may_name(actor, situation)
    situation.named_liaisons.set(checked_recipients(situation, people))
    return True


@transaction.atomic
def named_liaisons_set(*, actor, situation: Situation, liaisons: Iterable,
                       expected_version: int | None = None) -> Situation:
    """Name the recipients of a situation (the page's form). The version is raised, so
    an API client holding an older ETag learns of the change; the history keeps who was
    named, by whom and when."""
    require_may_name(actor, situation)
    locked = Situation.objects.select_for_update().get(pk=situation.pk)
    if expected_version is not None and locked.version != expected_version:
        raise VersionConflict(expected=expected_version, current=locked.version)
    people = list(liaisons)
    if not is_change(locked, people):
        return locked
    checked = checked_recipients(locked, people)
    locked.version += 1
    # One history record for the change, written by the m2m change with the new version.
    locked.skip_history_when_saving = True
    locked.save(update_fields=["version", "updated_at"])
    del locked.skip_history_when_saving
    locked._change_reason = "named recipients changed"
    locked.named_liaisons.set(checked)
    return locked
