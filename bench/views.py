"""Baselines: the same rows as the API's first page, read with .values() and returned
with JsonResponse — what the database and Django cost without DRF, serializers or
filters. They authenticate with the same API token (a knox lookup), so the ratio
measures the API's own overhead, not authentication."""
import time

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from alerts import selectors
from coordination.models import PartnerAssignment, Situation

PAGE = 50


def _user(request):
    try:
        found = TokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def _authenticated(request) -> bool:
    return _user(request) is not None


def baseline_situations(request):
    if not _authenticated(request):
        return HttpResponse(status=401)
    rows = list(Situation.objects.order_by("title", "id").values(
        "id", "title", "country_code", "area", "status", "risk_level", "marking", "lead_officer_id",
        "version", "created_at", "updated_at")[:PAGE])
    by_situation = {row["id"]: row for row in rows}
    for row in rows:
        row["assignments"] = []
    for a in PartnerAssignment.objects.filter(situation_id__in=by_situation).values(
            "id", "situation_id", "role", "government_id", "government__code", "government__name"):
        a["liaison_ids"] = []
        by_situation[a["situation_id"]]["assignments"].append(a)
    by_assignment = {a["id"]: a for row in rows for a in row["assignments"]}
    for assignment_id, user_id in PartnerAssignment.liaisons.through.objects.filter(
            partnerassignment_id__in=by_assignment).values_list("partnerassignment_id", "user_id"):
        by_assignment[assignment_id]["liaison_ids"].append(user_id)
    return JsonResponse({"count": Situation.objects.count(), "results": rows})


# What the queue's list shows of each escalation (alerts.api.serializers.AlertGroupSerializer).
_PEOPLE = ("owner", "acknowledged_by", "resolved_by")
_GROUP_COLUMNS = (
    "id", "situation_id", "situation__title", "situation__country_code", "severity", "status", "policy_rule_id",
    "policy_rule__name", "policy_rule__trigger", "current_step", "policy_snapshot", "open_conditions", "opened_at",
    "last_seen", "next_escalation_at", "snoozed_until", "acknowledged_at", "resolved_at", "resolution_note",
    "outcome", "flapping_since", "update_due_at",
    *(f"{who}__{column}" for who in _PEOPLE for column in ("id", "username", "first_name", "last_name")))


def _person(row: dict, who: str) -> dict | None:
    if row[f"{who}__id"] is None:
        return None
    username = row[f"{who}__username"]
    full_name = f"{row[f'{who}__first_name']} {row[f'{who}__last_name']}".strip()
    return {"id": row[f"{who}__id"], "username": username, "full_name": full_name or username}


def _group(row: dict, gaps: dict) -> dict:
    gap = gaps.get(row["situation_id"])
    return {
        "id": row["id"],
        "situation": {"id": row["situation_id"], "title": row["situation__title"],
                      "country_code": row["situation__country_code"]},
        "severity": row["severity"], "status": row["status"],
        "policy_rule": None if row["policy_rule_id"] is None else {
            "id": row["policy_rule_id"], "name": row["policy_rule__name"], "trigger": row["policy_rule__trigger"]},
        "step": row["current_step"] + 1, "steps_total": len((row["policy_snapshot"] or {}).get("steps", ())),
        "open_conditions": row["open_conditions"], "opened_at": row["opened_at"], "last_seen": row["last_seen"],
        "next_escalation_at": row["next_escalation_at"], "snoozed_until": row["snoozed_until"],
        "owner": _person(row, "owner"), "acknowledged_by": _person(row, "acknowledged_by"),
        "acknowledged_at": row["acknowledged_at"], "resolved_by": _person(row, "resolved_by"),
        "resolved_at": row["resolved_at"], "resolution_note": row["resolution_note"], "outcome": row["outcome"],
        "flapping": row["flapping_since"] is not None, "update_due_at": row["update_due_at"],
        "warning_response_gap": gap.as_dict() if gap is not None else None,
    }


def baseline_alert_groups(request):
    """The queue's first page as /api/v1/alert-groups answers it: the same selector,
    scoped to the same user, so the same SQL (count, page, warning–response gaps,
    severity counts); only the filters, the paginator and the serializers are left out."""
    user = _user(request)
    if user is None:
        return HttpResponse(status=401)
    queue = selectors.group_list(user=user)
    rows = list(queue.values(*_GROUP_COLUMNS)[:PAGE])
    gaps = selectors.warning_response_gaps({row["situation_id"] for row in rows})
    count = queue.count()
    following = request.build_absolute_uri(f"{request.path}?page=2") if count > PAGE else None
    return JsonResponse({"count": count, "next": following, "previous": None,
                         "results": [_group(row, gaps) for row in rows],
                         "severity_counts": selectors.severity_counts(queue)})


@csrf_exempt
def baseline_ping(request):
    """W2's baseline: publish the no-op task that posts to the receiver, as a reading's
    POST publishes an evaluation."""
    from bench.tasks import post_to_receiver

    if request.method != "POST" or not _authenticated(request):
        return HttpResponse(status=405 if request.method != "POST" else 401)
    post_to_receiver.delay(request.GET["url"], request.GET["tag"], time.time())
    return JsonResponse({"queued": True}, status=202)
