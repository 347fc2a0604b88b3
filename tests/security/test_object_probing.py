"""A liaison walks every id-taking route with the id of every object they may not see.

The routes are discovered, not listed: the API's from the resolver
(tests/api/test_authorization_matrix.api_routes), the pages' from their URL confs
(tests/pages/test_access_matrix.page_patterns). The world is the authorization
matrix's: situations of another government, AMBER+STRICT seen as an observer, RED
when not named. Each route is tried with every method it answers and a body that would
succeed if the scope check were missing (the right If-Match, a valid note, a real
owner — checked by hand as a manager on the same ids: every PATCH, transition, alert
action, DELETE and page form changed the database; a PUT, which needs every field, is
refused 400 for lack of them). Every answer must be 404, and the database must be
exactly as it was.
"""
import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.choices import Channel, NotificationStatus
from alerts.models import Alert, AlertGroup, EscalationPolicy, EscalationRule, Notification, WebhookEndpoint
from coordination.choices import ActionKind
from coordination.models import Action, PartnerAssignment, SignoffRequest, Situation
from tests.alerts import matrix as alert_matrix
from tests.api import signoff_matrix
from tests.api.test_authorization_matrix import SITUATIONS, VISIBLE, api_routes, world  # noqa: F401
from tests.pages.test_access_matrix import SCOPED_ARGS, page_patterns

LIAISONS = ("liaison_assigned", "liaison_unassigned", "liaison_observer_on_strict", "liaison_not_named_on_red")
# The kinds of object whose ids are probed; governments, indicators (reference data every
# role reads) and tokens (the authorization matrix tries others' tokens) are not scoped.
PROBED_KINDS = {"situation", "action", "assignment", "alertgroup", "alert", "notification", "rule", "policy",
                "webhook", "signoff"}
API_CASES = [(route, method) for route in api_routes() if route.kind in PROBED_KINDS for method in route.methods]
PAGE_CASES = [(name, args) for name, args in page_patterns() if SCOPED_ARGS & set(args)]
# Rows an attack could change. The audit log is left out: it records the refusals.
WATCHED = ["coordination.Situation", "coordination.PartnerAssignment", "coordination.IndicatorReading",
           "coordination.TrackedIndicator", "coordination.Action", "coordination.ActionUpdate",
           "coordination.HistoricalSituation", "coordination.HistoricalAction",
           "coordination.HistoricalPartnerAssignment", "alerts.AlertGroup", "alerts.Alert", "alerts.AlertEvent",
           "alerts.Notification",
           "alerts.EscalationRule", "alerts.EscalationPolicy", "alerts.EscalationStep", "alerts.WebhookEndpoint",
           "coordination.SituationChange", "coordination.SignoffRequest"]


def snapshot() -> dict:
    state = {}
    for label in WATCHED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        state[label] = sorted(map(repr, model.objects.order_by("pk").values()))
    return state


@pytest.fixture
def probed(world):
    """The world with an escalation (and its condition) on every situation, and in-app
    notifications: one to a manager about every situation, one to each liaison about
    every situation (their inbox must still hide the ones they may not see)."""
    for key in SITUATIONS:
        alert_matrix._alert(world, key)
        group = alert_matrix._group(world, key)
        group.policy_snapshot = {"steps": [{"order": 1}, {"order": 2}], "repeat_last_step": True}
        group.save()
        for role in ("manager", *LIAISONS):
            Notification.objects.create(group=group, recipient=world.users[role], channel=Channel.IN_APP,
                                        status=NotificationStatus.SENT, reason="probe",
                                        idempotency_key=f"probe-{key}-{role}", created_at=timezone.now())
        signoff_matrix.target_for(world, None, "manager", key)  # a pending sign-off request
    alert_matrix.target_for(world, _route("rule-detail"), "manager", "any")
    alert_matrix.target_for(world, _route("policy-detail"), "manager", "any")
    alert_matrix.target_for(world, _route("webhook-detail"), "manager", "any")
    return world


def _route(name):
    return next(route for route in api_routes() if route.name == name)


def hidden_situations(world, role):
    return [world.situations[key] for key in SITUATIONS if key not in VISIBLE[role]]


def out_of_scope_ids(world, role, kind) -> list[int]:
    hidden = hidden_situations(world, role)
    user = world.users[role]
    if kind == "situation":
        return [s.pk for s in hidden]
    if kind == "action":
        return list(Action.objects.filter(situation__in=hidden).values_list("pk", flat=True))
    if kind == "assignment":
        return list(PartnerAssignment.objects.filter(situation__in=hidden).values_list("pk", flat=True))
    if kind == "alertgroup":
        return list(AlertGroup.objects.filter(situation__in=hidden).values_list("pk", flat=True))
    if kind == "alert":
        return list(Alert.objects.filter(situation__in=hidden).values_list("pk", flat=True))
    if kind == "signoff":
        return list(SignoffRequest.objects.filter(situation__in=hidden).values_list("pk", flat=True))
    if kind == "notification":
        others = Notification.objects.exclude(recipient=user)
        own_but_hidden = Notification.objects.filter(recipient=user, group__situation__in=hidden)
        return list(others.values_list("pk", flat=True)) + list(own_but_hidden.values_list("pk", flat=True))
    # Alerting configuration: a liaison sees none of it.
    model = {"rule": EscalationRule, "policy": EscalationPolicy, "webhook": WebhookEndpoint}[kind]
    return list(model.objects.values_list("pk", flat=True))


def every_etag() -> str:
    """If-Match naming the current version of every situation and action: whichever the
    route checks, the precondition would pass — only the scope can refuse."""
    tags = [f'"situation-{pk}-v{v}"' for pk, v in Situation.objects.values_list("pk", "version")]
    tags += [f'"action-{pk}-v{v}"' for pk, v in Action.objects.values_list("pk", "version")]
    return ", ".join(tags)


def api_body(world, route, role):
    until = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    name = route.name
    if name == "situation-readings":
        return [{"indicator": world.indicator.pk, "value": 999, "observed_at": timezone.now().isoformat()}]
    if name == "situation-indicators":
        return {"indicator": world.indicator.pk}
    return {
        "situation-detail": {"title": "PWNED"},
        "action-detail": {"progress_note": "PWNED"},
        "action-transition": {"status": "cancelled", "note": "PWNED"},
        "alertgroup-snooze": {"until": until, "note": "PWNED"},
        "alertgroup-resolve": {"note": "PWNED"},
        "alertgroup-note": {"note": "PWNED"},
        "alertgroup-reassign": {"owner": world.users[role].pk, "note": "PWNED"},
        "signoff-approve": {"note": "PWNED"},
        "signoff-reject": {"note": "PWNED"},
        "signoff-cancel": {"note": "PWNED"},
        "rule-detail": {"name": "PWNED"},
        "policy-detail": {"name": "PWNED"},
        "webhook-detail": {"name": "PWNED"},
    }.get(name, {})


@pytest.mark.parametrize(("route", "method"), API_CASES, ids=[f"{m} {r.name}" for r, m in API_CASES])
def test_api_every_out_of_scope_id_is_404_and_changes_nothing(probed, route, method):
    before = snapshot()
    failures, tried = [], 0
    for role in LIAISONS:
        client = APIClient()
        client.force_login(probed.users[role])
        for object_id in out_of_scope_ids(probed, role, route.kind):
            url = reverse(route.name, kwargs={route.kwargs[0]: object_id})
            response = client.generic(method, url, data=_json(api_body(probed, route, role)),
                                      content_type="application/json", HTTP_IF_MATCH=every_etag())
            tried += 1
            if response.status_code != 404 or "PWNED" in response.content.decode():
                failures.append(f"{role} {method} {url}: {response.status_code} {response.content[:150]!r}")
    assert not failures, "\n".join(failures)
    assert tried > 0, "no out-of-scope object of this kind in the world"
    assert snapshot() == before, "an out-of-scope request changed the database"


def _json(body):
    import json

    return json.dumps(body)


def page_targets(world, role, args) -> list[dict]:
    """Every combination of out-of-scope ids the page's arguments take."""
    if "situation_id" in args:
        return [{"situation_id": pk} for pk in out_of_scope_ids(world, role, "situation")]
    if "action_id" in args:
        return [{"action_id": pk} for pk in out_of_scope_ids(world, role, "action")]
    if "group_id" in args:
        ids = out_of_scope_ids(world, role, "alertgroup")
        verbs = ("acknowledge", "snooze", "resolve", "reassign", "note", "escalate") if "verb" in args else (None,)
        return [{"group_id": pk, **({"verb": verb} if verb else {})} for pk in ids for verb in verbs]
    if "signoff_id" in args:
        return [{"signoff_id": pk} for pk in out_of_scope_ids(world, role, "signoff")]
    raise AssertionError(f"a scoped page with arguments {args}: say which ids it takes")


def page_form(world, role, kwargs) -> dict:
    """A form that would be accepted in scope: every field any of these pages reads."""
    until = (timezone.now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "PWNED", "note": "PWNED", "to_status": "cancelled", "progress_note": "PWNED",
            "indicator": world.indicator.pk, "value": "999", "observed_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
            "government": world.governments["lonely"].pk, "role": "lead", "kind": ActionKind.values[0],
            "priority": "normal", "due_date": "2030-01-01"}
    if "situation_id" in kwargs:
        situation = Situation.objects.get(pk=kwargs["situation_id"])
        form.update(version=situation.version, country_code=situation.country_code, marking=situation.marking,
                    risk_level=situation.risk_level, status=situation.status, summary="PWNED",
                    owner_government=situation.assignments.first().government_id)
    if "action_id" in kwargs:
        version = Action.objects.get(pk=kwargs["action_id"]).version
        prefix = f"a{kwargs['action_id']}"
        form.update({"version": version, f"{prefix}-version": version, f"{prefix}-to_status": "cancelled",
                     f"{prefix}-note": "PWNED"})
    if "signoff_id" in kwargs:
        for verb in ("approve", "reject", "cancel"):
            form[f"s{kwargs['signoff_id']}-{verb}-note"] = "PWNED"
    if "group_id" in kwargs:
        prefix = f"g{kwargs['group_id']}-{kwargs.get('verb')}"
        form.update({f"{prefix}-note": "PWNED", f"{prefix}-until": until, f"{prefix}-preset": "custom",
                     f"{prefix}-owner": world.users[role].pk})
    return form


@pytest.mark.parametrize(("name", "args"), PAGE_CASES, ids=[name for name, _ in PAGE_CASES])
def test_pages_every_out_of_scope_id_is_404_and_changes_nothing(client, probed, name, args):
    before = snapshot()
    failures, tried = [], 0
    for role in LIAISONS:
        client.force_login(probed.users[role])
        for kwargs in page_targets(probed, role, args):
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url, page_form(probed, role, kwargs) if method == "post" else None,
                                                   HTTP_HX_REQUEST="true" if method == "post" else None)
                tried += 1
                # A POST-only page answers a GET with 405 before reading anything.
                if response.status_code == 405 and method == "get":
                    continue
                if response.status_code != 404 or "PWNED" in response.content.decode():
                    failures.append(f"{role} {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert tried > 0
    assert snapshot() == before, "an out-of-scope request changed the database"


@pytest.mark.parametrize("export", ["situation-export", "action-export"])
def test_exports_filtered_by_an_out_of_scope_id_are_empty(probed, export):
    """Exports take no id in their path; a filter naming an unseen situation or its
    government filters to nothing (as for an id never used), never to its rows."""
    for role in LIAISONS:
        client = APIClient()
        client.force_login(probed.users[role])
        for situation in hidden_situations(probed, role):
            for query in (f"situation={situation.pk}", f"search={probed.marker('foreign')}",
                          f"government={probed.governments['other'].pk}"):
                response = client.get(reverse(export) + "?" + query)
                assert response.status_code == 200, (role, query)
                body = response.content.decode()
                for key in SITUATIONS:
                    if key not in VISIBLE[role]:
                        assert probed.marker(key) not in body, (role, export, query)
