"""Every page × every role × an object in scope and one out of scope, generated from
the pages' URL conf: a new page without an entry in EXPECTED fails the first test."""
import pytest
from django.urls import URLPattern, reverse

from coordination import urls as coordination_urls
from tests.pages.cast import ROLES, STAFF, in_scope, secrets_hidden_from

# kind: "page" — any user who sees the object may read it;
#       "staff_page" — only staff may (a liaison who sees the object gets 403);
#       "manager_page" — only managers and admins;
#       "post" — a form endpoint answering only POST (an empty POST is bad input).
EXPECTED = {
    "pages:dashboard": "page",
    "pages:situation-list": "page",
    "pages:situation-create": "staff_page",
    "pages:situation-detail": "page",
    "pages:situation-edit": "staff_page",
    "pages:reading-create": "staff_post",
    "pages:assignment-create": "staff_post",
    "pages:action-propose": "staff_page",
    "pages:my-actions": "page",
    "pages:action-detail": "page",
    "pages:action-change": "post",
}


def page_patterns():
    found = []
    for namespace, module in (("pages", coordination_urls),):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"{namespace}:{pattern.name}", sorted(pattern.pattern.converters)))
    return found


PATTERNS = page_patterns()


def test_every_page_has_an_expectation():
    assert {name for name, _ in PATTERNS} == set(EXPECTED)


def _objects(request, which):
    suffix = "" if which == "home" else "foreign_"
    situation = request.getfixturevalue(f"{suffix}situation")
    action = request.getfixturevalue(f"{suffix}action")
    return {"situation_id": situation.pk, "action_id": action.pk}


def _expected_status(kind, role, scoped, method):
    if role == "anonymous":
        return 302
    if not scoped:
        return 405 if kind.endswith("post") and method == "get" else 404
    if kind == "page":
        return 200
    if kind == "staff_page":
        return 200 if role in STAFF else 403
    if kind == "staff_post":
        if method == "get":
            return 405
        return 400 if role in STAFF else 403
    if kind == "post":
        # An empty POST is refused as bad input; the liaison's own government owns "home".
        return 405 if method == "get" else 400
    raise AssertionError(kind)


CASES = [
    pytest.param(name, args, role, which, id=f"{name}-{role}-{which}")
    for name, args in PATTERNS
    for role in ROLES
    for which in (("home", "foreign") if args else ("none",))
]


@pytest.mark.parametrize(("name", "args", "role", "which"), CASES)
def test_page_answers_by_role_and_scope(client, request, home_government, other_government, name, args, role, which,
                                        situation, foreign_situation, action, foreign_action):
    kind = EXPECTED[name]
    objects = _objects(request, which if which != "none" else "home")
    url = reverse(name, kwargs={k: objects[k] for k in args})
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    scoped = True if which == "none" else in_scope(role, which)
    methods = ("get", "post") if kind.endswith("post") else ("get",)
    for method in methods:
        response = getattr(client, method)(url)
        assert response.status_code == _expected_status(kind, role, scoped, method), (method, url)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
        body = response.content.decode()
        for secret in secrets_hidden_from(role):
            assert secret not in body, (method, url, secret)
