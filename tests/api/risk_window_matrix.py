"""How /api/v1/risk-windows/{id} enters tests/api/test_authorization_matrix.py: a window
is scoped by its situation (404 out of scope), read by whoever sees that situation and
written by staff only (a liaison in scope: 403) — the matrix's general rule, so
expected_status leaves every decision to it. The world gets one window per situation,
titled with the situation's secret so a leak of an unseen one shows in a body."""
import datetime as dt

from coordination.models import RiskWindow

DEFAULT = object()
KINDS = {"riskwindow"}


def objects_for(route):
    return None  # the matrix's situations: shared, foreign, strict, red


def target_for(world, route, role, situation_key):
    situation = world.situations[situation_key]
    window, _created = RiskWindow.objects.get_or_create(
        situation=situation, title=f"Window {world.marker(situation_key)}",
        defaults={"kind": "election", "event_date": dt.date(2026, 5, 10), "days_before": 3, "days_after": 2})
    return {"pk": window.pk}


def expected_status(world, route, method, role, situation_key):
    return DEFAULT
