"""Who may do what, for every /api/v1/ route found in the URL conf.

Routes are not listed by hand: they are read from the resolver, with the methods each
view answers. For every route × method, every role is tried against every situation of
a fixed world — the ones it may see (in scope) and the ones it may not (out of scope:
another government, AMBER+STRICT for an observer, RED for a liaison not named) — and
the answer must be the expected status, with nothing of an unseen situation (title, id,
count) anywhere in the body. Which role sees which situation is written out below, not
computed by the code under test.
"""
import csv
import io
import json
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from coordination.models import PartnerAssignment
from testkit.world import sharing_world
from tests.alerts import matrix as alerts_matrix
from tests.api import checkin_matrix, commitment_matrix, risk_window_matrix, signoff_matrix

SITUATIONS = ("shared", "foreign", "strict", "red")

# The sharing rules, written out: role → the situations of the world it may see.
VISIBLE = {
    "anonymous": set(),
    "desk_officer": set(SITUATIONS),
    "manager": set(SITUATIONS),
    "admin": set(SITUATIONS),
    "liaison_assigned": {"shared", "strict", "red"},  # support on AMBER, lead on STRICT, named on RED
    "liaison_unassigned": set(),
    "liaison_observer_on_strict": {"shared"},  # observer: AMBER yes, AMBER+STRICT no
    "liaison_not_named_on_red": {"shared"},  # assigned to RED, but not named
}
ROLES = tuple(VISIBLE)
STAFF = {"desk_officer", "manager", "admin"}

# Routes whose id names something not tied to a situation: every signed-in role reaches them.
UNSCOPED_KINDS = {"government", "indicator", "token", "user"}
# Kinds this matrix builds real objects for. Routes of other kinds (the escalation
# engine's alerts, rules, policies, notifications, webhooks) get the checks that need no
# knowledge of their rules: anonymous is 401, an id that does not exist is 404 for
# every role, and no list or error of theirs shows anything of an unseen situation.
# Their in-scope/out-of-scope cases with real objects belong to their own tests.
ABSENT_ID = 2_147_483_000


# Other apps describe their routes in a module of their tests exposing KINDS (url name
# prefixes), DEFAULT, objects_for(route), target_for(world, route, role, key) and
# expected_status(world, route, method, role, key); objects_for may answer None and
# expected_status DEFAULT to leave the decision to this matrix.
PLUGINS = [alerts_matrix, risk_window_matrix, checkin_matrix, signoff_matrix, commitment_matrix]
DESCRIBED_KINDS = {"situation", "action", "assignment", *UNSCOPED_KINDS,
                   *(kind for plugin in PLUGINS for kind in plugin.KINDS)}


def plugin_for(route):
    prefix = route.name.split("-")[0]
    return next((plugin for plugin in PLUGINS if prefix in plugin.KINDS), None)


# What a liaison may change: actions of their own government (status, progress note),
# and invite partners to them.
LIAISON_WRITABLE = {("action-detail", "PATCH"), ("action-detail", "PUT"), ("action-transition", "POST"),
                    ("action-commitments", "POST")}
# What a liaison may write on any situation they may see: their government's assessment
# (a reading) and a note on its timeline.
LIAISON_WRITABLE_IN_SCOPE = {("situation-readings", "POST"), ("situation-notes", "POST")}
# What every liaison may try, the service deciding on the body (an empty one is 400):
# proposing an action for their government on a situation it is assigned to.
LIAISON_MAY_SEND = {("action-list", "POST")}
# What an anonymous caller may do: create a token with a password.
PUBLIC = {("token-list", "POST")}


@dataclass
class Route:
    name: str
    methods: tuple[str, ...]
    kwargs: tuple[str, ...]

    @property
    def kind(self) -> str | None:
        """What the route's id refers to, from its name (router basenames)."""
        if "situation_pk" in self.kwargs:
            return "situation"
        if "token_key" in self.kwargs:
            return "token"
        if "pk" in self.kwargs:
            return self.name.split("-")[0]
        return None

    @property
    def scoped(self) -> bool:
        return self.name.split("-")[0] not in UNSCOPED_KINDS

    @property
    def described(self) -> bool:
        return self.name.split("-")[0] in DESCRIBED_KINDS


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def api_routes() -> list[Route]:
    routes = []
    for path, entry in _walk(get_resolver().url_patterns):
        if not path.lstrip("^").startswith("api/v1/"):
            continue
        callback = entry.callback
        if hasattr(callback, "actions"):
            methods = tuple(m.upper() for m in callback.actions)
        else:
            view = callback.view_class
            methods = tuple(m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m))
        kwargs = tuple(entry.pattern.regex.groupindex)
        routes.append(Route(name=entry.name, methods=methods, kwargs=kwargs))
    return routes


CASES = [(route, method) for route in api_routes() for method in route.methods]


@pytest.fixture
def world(db):
    """The sharing world (testkit/world.py), whose roles and situations are VISIBLE's."""
    return sharing_world()


def target_for(world, route, role, situation_key):
    """kwargs for the route, pointing at the object of `situation_key` (or the role's own)."""
    kind = route.kind
    if kind is None:
        return {}
    if plugin_for(route):  # another app describes its own routes
        return plugin_for(route).target_for(world, route, role, situation_key)
    if situation_key == "absent":
        return {name: ABSENT_ID for name in route.kwargs}
    if kind == "situation":
        key = "situation_pk" if "situation_pk" in route.kwargs else "pk"
        return {key: world.situations[situation_key].pk}
    if kind == "action":
        return {"pk": world.actions[situation_key].pk}
    if kind == "assignment":
        return {"pk": world.assignments[situation_key].pk}
    if kind == "government":
        return {"pk": world.governments["home"].pk}
    if kind == "indicator":
        return {"pk": world.indicator.pk}
    if kind == "token":
        # In scope: one's own token; out of scope: somebody else's.
        owner = role if situation_key == "own" and role != "anonymous" else "manager" if role != "manager" else "admin"
        return {"token_key": world.tokens[owner].token_key}
    raise AssertionError(f"Route {route.name} refers to a {kind!r}: describe it in target_for() of the matrix.")


def objects_for(route):
    """The objects each role is tried against on this route."""
    if plugin_for(route) and plugin_for(route).objects_for(route):
        return plugin_for(route).objects_for(route)
    if not route.described:
        return ("absent",) if route.kind else ("any",)
    if route.kind == "token":
        return ("own", "someone_else")
    if route.kind is None or not route.scoped:
        return ("any",)
    return SITUATIONS


def expected_status(world, route, method, role, situation_key):
    """None means "allowed": anything but 401, 403, 404 and 5xx (writes then fail on
    their empty body, precondition or workflow, which other tests examine)."""
    if role == "anonymous":
        return None if (route.name, method) in PUBLIC else 401
    plugin = plugin_for(route)
    if plugin:
        special = plugin.expected_status(world, route, method, role, situation_key)
        if special is not plugin.DEFAULT:
            return special
    if route.kind == "token" and situation_key == "someone_else" or situation_key == "absent":
        return 404
    if not route.described:
        return None if method == "GET" else "answered"
    if route.scoped and route.kind is not None and situation_key not in VISIBLE[role]:
        return 404
    if method == "GET":
        return 200
    if not route.scoped or role in STAFF:
        return None
    if (route.name, method) in LIAISON_WRITABLE_IN_SCOPE | LIAISON_MAY_SEND:
        return None
    if (route.name, method) in LIAISON_WRITABLE:
        action = world.actions[situation_key]
        return None if action.owner_government_id == world.users[role].government_id else 403
    return 403


def assert_nothing_unseen(world, role, route, response):
    hidden = set(SITUATIONS) - VISIBLE[role]
    body = response.content.decode()
    for key in hidden:
        assert world.marker(key) not in body, f"{world.marker(key)} leaked"
    if response.status_code != 200 or role == "anonymous":
        return
    hidden_situations = {world.situations[key].pk for key in hidden}
    hidden_actions = {world.actions[key].pk for key in hidden}
    if response["Content-Type"].startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(body)))
        for row in rows:
            situation_id = int(row.get("situation_id") or row["id"])
            assert situation_id not in hidden_situations
        return
    data = json.loads(body)
    rows = data.get("results") if isinstance(data, dict) and "results" in data else data if isinstance(data, list) \
        else [data]
    for row in rows:
        if not isinstance(row, dict):
            continue
        situation = row.get("situation")
        situation_id = situation["id"] if isinstance(situation, dict) else situation
        if route.name.startswith("situation-") and "id" in row and route.kind != "situation":
            situation_id = row["id"]
        if situation_id is not None:
            assert situation_id not in hidden_situations, f"situation {situation_id} listed"
        if route.name.startswith("action-") and route.kind != "action":
            assert row.get("id") not in hidden_actions, f"action {row.get('id')} listed"
    if isinstance(data, dict) and "count" in data and role not in STAFF:
        seen = VISIBLE[role]
        expected_counts = {
            "situation-list": len(seen),
            "action-list": len(seen),
            "assignment-list": PartnerAssignment.objects.filter(
                situation__in=[world.situations[key] for key in seen]).count(),
        }
        if route.name in expected_counts:
            assert data["count"] == expected_counts[route.name], "the count includes unseen rows"


def client_as(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_every_api_route_is_in_the_matrix():
    names = {route.name for route, _method in CASES}
    assert {"situation-list", "situation-detail", "action-transition", "situation-readings", "token-list",
            "user-me", "situation-export", "action-export", "action-history", "situation-notes",
            "situation-readings-export", "alertgroup-export", "alert-export"} <= names
    assert all(route.name for route, _method in CASES), "every API route needs a name"


@pytest.mark.parametrize(("route", "method"), CASES, ids=[f"{m} {r.name}" for r, m in CASES])
def test_authorization_matrix(world, route, method):
    failures = []
    checked = 0
    for role in ROLES:
        client = client_as(world, role)
        for situation_key in objects_for(route):
            url = reverse(route.name, kwargs=target_for(world, route, role, situation_key))
            expected = expected_status(world, route, method, role, situation_key)
            # Each case rolls back what it wrote, so the next one meets the same world.
            with transaction.atomic():
                response = client.generic(method, url, data="{}", content_type="application/json")
                status = response.status_code
                if expected == "answered":  # a write of a kind described elsewhere: refused or not
                    ok = status != 401 and status < 500
                elif expected is None:
                    ok = status not in (401, 403, 404) and status < 500
                else:
                    ok = status == expected
                if not ok:
                    failures.append(f"{role} {method} {url} ({situation_key}): {status}, expected "
                                    f"{expected or 'allowed'}: {response.content[:200]!r}")
                try:
                    assert_nothing_unseen(world, role, route, response)
                except AssertionError as leak:
                    failures.append(f"{role} {method} {url} ({situation_key}) LEAK: {leak}")
                transaction.set_rollback(True)
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len(ROLES) * len(objects_for(route))
