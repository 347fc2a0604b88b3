"""How /api/v1/commitments/{id}… enters tests/api/test_authorization_matrix.py: a
commitment is scoped by its action's situation (404 out of scope) and read by whoever
sees it; its steps and PATCH are for staff and for a liaison of the commitment's own
government (another liaison in scope: 403). The world gets, on each situation's action,
the lead government's commitment, so the action is joint."""
from django.utils import timezone

from coordination.choices import CommitmentStatus
from coordination.models import Commitment

DEFAULT = object()
KINDS = {"commitment"}
STAFF = {"desk_officer", "manager", "admin"}


def objects_for(route):
    return None  # the matrix's situations: shared, foreign, strict, red


def _commitment(world, situation_key):
    action = world.actions[situation_key]
    commitment, _created = Commitment.objects.get_or_create(
        action=action, government=action.owner_government,
        defaults={"status": CommitmentStatus.ACCEPTED, "due_date": action.due_date,
                  "progress_note": world.marker(situation_key), "last_activity_at": timezone.now()})
    return commitment


def target_for(world, route, role, situation_key):
    return {"pk": _commitment(world, situation_key).pk}


def expected_status(world, route, method, role, situation_key):
    if method == "GET" or role in STAFF or role == "anonymous":
        return DEFAULT
    from tests.api.test_authorization_matrix import VISIBLE

    if situation_key not in VISIBLE[role]:
        return 404
    commitment = _commitment(world, situation_key)
    return None if commitment.government_id == world.users[role].government_id else 403
