"""How /api/v1/sign-offs enters tests/api/test_authorization_matrix.py. Every situation of
the world gets a pending request, asked by the desk officer: read by whoever sees the
situation (404 out of scope); approved or rejected by a manager other than the
requester, or by a liaison of the situation's lead government (home leads only
"strict"); cancelled by the requester alone. Everyone else in scope: 403."""
import datetime as dt

from django.utils import timezone

from coordination.models import SignoffKind, SignoffRequest, SignoffStatus

DEFAULT = object()
KINDS = {"signoff"}
MANAGERS = {"manager", "admin"}
LEAD_LIAISON = {("liaison_assigned", "strict")}
REQUESTER = "desk_officer"


def objects_for(route):
    return None  # the matrix's situations: shared, foreign, strict, red


def _request(world, situation_key):
    now = timezone.now()
    return SignoffRequest.objects.get_or_create(
        situation=world.situations[situation_key], kind=SignoffKind.LOWER_RISK, status=SignoffStatus.PENDING,
        defaults={"payload": {"changes": {"risk_level": "low"}, "named_liaisons": None},
                  "requested_by": world.users[REQUESTER], "requested_at": now,
                  "expires_at": now + dt.timedelta(hours=72)})[0]


def target_for(world, route, role, situation_key):
    return {"pk": _request(world, situation_key).pk}


def expected_status(world, route, method, role, situation_key):
    from tests.api.test_authorization_matrix import VISIBLE

    if method == "GET" or route.kind is None:
        return DEFAULT
    if situation_key not in VISIBLE[role]:
        return 404
    verb = route.name.split("-", 1)[1]
    if verb == "cancel":
        return None if role == REQUESTER else 403
    return None if role in MANAGERS or (role, situation_key) in LEAD_LIAISON else 403
