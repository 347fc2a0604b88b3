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

from alerts.models import UNRESOLVED_Q, Alert
from alerts.selectors import SEVERITY_ORDER
from coordination.models import PartnerAssignment, Situation

PAGE = 50


def _authenticated(request) -> bool:
    try:
        return TokenAuthentication().authenticate(Request(request)) is not None
    except AuthenticationFailed:
        return False


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
            "id", "situation_id", "role", "liaison_id", "government_id", "government__code", "government__name"):
        by_situation[a["situation_id"]]["assignments"].append(a)
    return JsonResponse({"count": Situation.objects.count(), "results": rows})


def baseline_alerts(request):
    if not _authenticated(request):
        return HttpResponse(status=401)
    queue = Alert.objects.filter(UNRESOLVED_Q)
    rows = list(queue.annotate(severity_rank=SEVERITY_ORDER)
                .order_by("-severity_rank", "-current_step", "first_seen", "id")
                .values("id", "situation_id", "situation__title", "rule_id", "severity", "status", "title",
                        "current_step", "first_seen", "last_seen", "occurrences")[:PAGE])
    return JsonResponse({"count": queue.count(), "results": rows})


@csrf_exempt
def baseline_ping(request):
    """W2's baseline: publish the no-op task that posts to the receiver, as a reading's
    POST publishes an evaluation."""
    from bench.tasks import post_to_receiver

    if request.method != "POST" or not _authenticated(request):
        return HttpResponse(status=405 if request.method != "POST" else 401)
    post_to_receiver.delay(request.GET["url"], request.GET["tag"], time.time())
    return JsonResponse({"queued": True}, status=202)
