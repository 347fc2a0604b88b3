"""How /api/v1/situations/{id}/check-ins enters tests/api/test_authorization_matrix.py:
scoped by its situation (out of scope 404), read by whoever sees it, written only by a
liaison of an assigned government — staff see the situation but speak for no government
(403); a liaison in scope is allowed (the matrix's empty body then answers 400)."""

DEFAULT = object()
KINDS = {"checkin"}
STAFF = {"desk_officer", "manager", "admin"}


def objects_for(route):
    return None  # the matrix's situations: shared, foreign, strict, red


def target_for(world, route, role, situation_key):
    return {"situation_pk": world.situations[situation_key].pk}


def expected_status(world, route, method, role, situation_key):
    from tests.api.test_authorization_matrix import VISIBLE

    if situation_key not in VISIBLE[role] or method == "GET":
        return DEFAULT
    return 403 if role in STAFF else None
