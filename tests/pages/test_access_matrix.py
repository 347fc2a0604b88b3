"""Every page × every role × an object in scope and one out of scope, generated from
the pages' URL confs: a new page without an entry in EXPECTED fails the first test.

Out of scope is always 404 (a POST-only URL answers 405 to a GET before looking at
anything); an anonymous visitor is sent to sign in; a page the role may not use on an
object it may see is 403. An entry names a role where it differs from its class."""
import pytest
from django.urls import URLPattern, reverse

from alerts import urls_pages as alert_urls
from coordination import urls as coordination_urls
from testkit.cast import ROLES, in_scope, role_class, secrets_hidden_from

OK, FORBIDDEN, BAD, REDIRECT, NOT_ALLOWED = 200, 403, 400, 302, 405
# name: ({role class: GET status}, {role class: status of an empty POST} or None for GET-only pages)
EVERYONE = {"manager": OK, "desk": OK, "liaison": OK}
STAFF_ONLY = {"manager": OK, "desk": OK, "liaison": FORBIDDEN}
MANAGERS_ONLY = {"manager": OK, "desk": FORBIDDEN, "liaison": FORBIDDEN}
POST_ONLY = {"manager": NOT_ALLOWED, "desk": NOT_ALLOWED, "liaison": NOT_ALLOWED}
EXPECTED = {
    "pages:dashboard": (EVERYONE, None),
    "pages:situation-list": (EVERYONE, None),
    "pages:situation-create": (STAFF_ONLY, None),
    "pages:situation-detail": (EVERYONE, None),
    "pages:situation-edit": (STAFF_ONLY, None),
    # A liaison records their government's assessment on a situation they see.
    "pages:reading-create": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": BAD}),
    # An empty note is bad input, for staff and for a liaison of an assigned government.
    "pages:note-create": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": BAD}),
    "pages:assignment-create": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": FORBIDDEN}),
    # A partner liaison proposes for their own government where it is assigned.
    "pages:action-propose": (EVERYONE, None),
    # An empty close form lacks its outcome; an open situation cannot be reopened.
    "pages:situation-close": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": FORBIDDEN}),
    "pages:situation-reopen": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": FORBIDDEN}),
    # An empty window form lacks its kind and dates; an empty removal names no window.
    "pages:risk-window-create": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": FORBIDDEN}),
    "pages:risk-window-delete": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": FORBIDDEN}),
    # Naming RED recipients: the situation's lead desk officer and managers
    # (coordination/named.py). The cast's desk officer leads the home situation, not the
    # foreign one: see BY_SCOPE. An empty form names nobody, as already: back to the page.
    "pages:named-recipients": (POST_ONLY, {"manager": REDIRECT, "desk": REDIRECT, "liaison": FORBIDDEN}),
    # Only a liaison of an assigned government checks in; an empty form has no answer.
    "pages:situation-checkin": (POST_ONLY, {"manager": FORBIDDEN, "desk": FORBIDDEN, "liaison": BAD}),
    # Sign-offs: the fixtures' requests were asked by the desk officer. Managers decide
    # them; a liaison of the lead government too (other_liaison's government leads the
    # foreign situation, the home liaison's only supports its own); the requester alone
    # cancels. An empty approval carries the request out; an empty rejection lacks its note.
    "pages:signoff-list": (EVERYONE, None),
    "pages:signoff-detail": (EVERYONE, None),
    "pages:signoff-approve": (POST_ONLY, {"manager": REDIRECT, "desk": FORBIDDEN, "liaison": FORBIDDEN,
                                          "other_liaison": REDIRECT}),
    "pages:signoff-reject": (POST_ONLY, {"manager": BAD, "desk": FORBIDDEN, "liaison": FORBIDDEN,
                                         "other_liaison": BAD}),
    "pages:signoff-cancel": (POST_ONLY, {"manager": FORBIDDEN, "desk": REDIRECT, "liaison": FORBIDDEN}),
    "pages:my-actions": (EVERYONE, None),
    "pages:action-detail": (EVERYONE, None),
    # The liaison's own government owns the home action; an empty form is bad input.
    "pages:action-change": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": BAD}),
    # An empty answer names no commitment; an empty invitation names no partner (the
    # liaison's government leads the home action, so it may invite).
    "pages:commitment-step": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": BAD}),
    "pages:commitment-invite": (POST_ONLY, {"manager": BAD, "desk": BAD, "liaison": BAD}),
    "alert-pages:queue": (MANAGERS_ONLY, None),
    "alert-pages:queue-rows": (MANAGERS_ONLY, None),
    # An empty bulk form names no escalation: bad input, for the managers who may use it.
    "alert-pages:queue-bulk": (POST_ONLY, {"manager": BAD, "desk": FORBIDDEN, "liaison": FORBIDDEN}),
    "alert-pages:alert-detail": (EVERYONE, None),
    # Acknowledging needs no note; staff, the owner and those it was sent to may
    # (alerts.services.may_acknowledge): this liaison was sent nothing.
    "alert-pages:alert-act": (POST_ONLY, {"manager": REDIRECT, "desk": REDIRECT, "liaison": FORBIDDEN}),
    "alert-pages:notifications": (EVERYONE, None),
    "alert-pages:bell": (EVERYONE, None),
    "alert-pages:rule-list": (MANAGERS_ONLY, None),
    "alert-pages:rule-create": (MANAGERS_ONLY, None),
    "alert-pages:rule-edit": (MANAGERS_ONLY, None),
    "alert-pages:rule-toggle": (POST_ONLY, {"manager": REDIRECT, "desk": FORBIDDEN, "liaison": FORBIDDEN}),
    "alert-pages:policy-list": (MANAGERS_ONLY, None),
    "alert-pages:policy-create": (MANAGERS_ONLY, None),
    "alert-pages:policy-edit": (MANAGERS_ONLY, None),
    # The policy is in use by a rule: the service refuses to delete it.
    "alert-pages:policy-delete": (POST_ONLY, {"manager": BAD, "desk": FORBIDDEN, "liaison": FORBIDDEN}),
}
SCOPED_ARGS = {"situation_id", "action_id", "group_id", "signoff_id"}
# (page, role, object, method) → status, where a role's answer differs between two
# objects it may both see.
BY_SCOPE = {
    # A desk officer who does not lead the situation may see it but not name its recipients.
    ("pages:named-recipients", "desk_officer", "foreign", "post"): FORBIDDEN,
}


def page_patterns():
    found = []
    for namespace, module in (("pages", coordination_urls), ("alert-pages", alert_urls)):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"{namespace}:{pattern.name}", sorted(pattern.pattern.converters)))
    return found


PATTERNS = page_patterns()


def test_every_page_has_an_expectation():
    assert {name for name, _ in PATTERNS} == set(EXPECTED)


def _kwargs(request, args, which):
    foreign = which == "foreign"
    values = {
        "situation_id": lambda: request.getfixturevalue("foreign_situation" if foreign else "situation").pk,
        "action_id": lambda: request.getfixturevalue("foreign_action" if foreign else "action").pk,
        "group_id": lambda: request.getfixturevalue("foreign_alert" if foreign else "alert").pk,
        "signoff_id": lambda: request.getfixturevalue("foreign_signoff" if foreign else "signoff").pk,
        "rule_id": lambda: request.getfixturevalue("rule").pk,
        "policy_id": lambda: request.getfixturevalue("policy").pk,
        "verb": lambda: "acknowledge",
    }
    return {name: values[name]() for name in args}


CASES = [
    pytest.param(name, args, role, which, id=f"{name}-{role}-{which}")
    for name, args in PATTERNS
    for role in ROLES
    for which in (("home", "foreign") if SCOPED_ARGS & set(args) else ("none",))
]


@pytest.mark.parametrize(("name", "args", "role", "which"), CASES)
def test_page_answers_by_role_and_scope(client, request, name, args, role, which, situation, foreign_situation,
                                        action, foreign_action, alert, foreign_alert, rule, policy):
    get_expected, post_expected = EXPECTED[name]
    url = reverse(name, kwargs=_kwargs(request, args, which))
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    scoped = which == "none" or in_scope(role, which)
    methods = ("get", "post") if post_expected else ("get",)
    for method in methods:
        response = getattr(client, method)(url)
        if role == "anonymous":
            expected = REDIRECT
        elif method == "get" and post_expected:
            expected = NOT_ALLOWED
        elif not scoped:
            expected = 404
        else:
            table = post_expected if method == "post" else get_expected
            expected = table.get(role, table[role_class(role)])  # a role may differ from its class
            expected = BY_SCOPE.get((name, role, which, method), expected)
        assert response.status_code == expected, (method, url)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("accounts:login"))
        body = response.content.decode()
        for secret in secrets_hidden_from(role):
            assert secret not in body, (method, url, secret)
