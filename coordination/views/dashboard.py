"""The dashboard, one per role (docs/DESIGN.md, "Who uses it")."""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone

from coordination import checkins, extensions, selectors
from coordination.choices import (
    OPEN_ACTION_STATUSES,
    RISK_RANK,
    ActionStatus,
    CommitmentStatus,
    RiskLevel,
)
from coordination.models import Situation
from coordination.views.actions import my_actions_queryset

RISK_LOOKBACK = dt.timedelta(days=7)


def situations_by_risk(user):
    """Every visible open situation with its risk level a week ago, for the direction of change."""
    week_ago = timezone.now() - RISK_LOOKBACK
    earlier = Situation.history.model.objects.filter(id=OuterRef("pk"), history_date__lte=week_ago).order_by(
        "-history_date", "-history_id")
    rows = list(
        selectors.situation_list(user=user)
        .exclude(status="closed")
        .annotate(risk_week_ago=Subquery(earlier.values("risk_level")[:1]))
        .order_by("title", "id")
    )
    groups = []
    for level, label in reversed(RiskLevel.choices):
        members = []
        for s in rows:
            if s.risk_level != level:
                continue
            before = RISK_RANK.get(s.risk_week_ago) if s.risk_week_ago else None
            now = RISK_RANK[s.risk_level]
            s.risk_direction = None if before is None or before == now else ("up" if now > before else "down")
            members.append(s)
        if members:
            groups.append({"level": level, "label": label, "situations": members})
    return groups


COMMITMENT_COUNTS = ("invited", "accepted", "late", "delivered", "declined")


def burden_sharing(user):
    """Per government: the actions it owns, and its commitments to joint actions (its
    own lead part included) — two grouped queries, merged by government."""
    today = timezone.localdate()
    owned = (
        selectors.action_list(user=user).prefetch_related(None)
        .values("owner_government_id", "owner_government__name", "owner_government__code")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_ACTION_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)),
            completed_on_time=Count("id", filter=Q(status=ActionStatus.COMPLETED,
                                                   completed_at__date__lte=F("due_date"))),
            completed_late=Count("id", filter=Q(status=ActionStatus.COMPLETED, completed_at__date__gt=F("due_date"))),
        )
    )
    parts = (
        selectors.commitment_list(user=user).select_related(None)
        .values("government_id", "government__name", "government__code")
        .annotate(
            # Still owed: a part of a cancelled action (withdrawn since the cancel
            # withdraws them; older rows may say otherwise) is nobody's burden.
            invited=Count("id", filter=Q(status=CommitmentStatus.INVITED, action__status__in=OPEN_ACTION_STATUSES)),
            accepted=Count("id", filter=Q(status=CommitmentStatus.ACCEPTED,
                                          action__status__in=OPEN_ACTION_STATUSES)),
            late=Count("id", filter=Q(status=CommitmentStatus.ACCEPTED, due_date__lt=today,
                                      action__status__in=OPEN_ACTION_STATUSES)),
            delivered=Count("id", filter=Q(status=CommitmentStatus.DELIVERED)),
            declined=Count("id", filter=Q(status=CommitmentStatus.DECLINED)),
        )
        .order_by()
    )
    rows: dict[int, dict] = {}
    empty = {"open": 0, "overdue": 0, "completed_on_time": 0, "completed_late": 0,
             **{name: 0 for name in COMMITMENT_COUNTS}}
    for row in owned.order_by():
        rows[row["owner_government_id"]] = {**empty, "name": row["owner_government__name"],
                                            "code": row["owner_government__code"],
                                            **{k: row[k] for k in ("open", "overdue", "completed_on_time",
                                                                   "completed_late")}}
    for row in parts:
        target = rows.setdefault(row["government_id"], {**empty, "name": row["government__name"],
                                                        "code": row["government__code"]})
        target.update({name: row[name] for name in COMMITMENT_COUNTS})
    return sorted(rows.values(), key=lambda r: r["name"])


@login_required
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    context = {"today": today}
    if user.is_liaison:
        context["my_actions"] = list(my_actions_queryset(user)[:50])
        context["assigned_situations"] = list(selectors.situation_list(user=user).order_by("title", "id"))
        context["my_checkins"] = list(checkins.due_for_user(user=user)[:50])
        context["now"] = timezone.now()
        template = "coordination/dashboard_liaison.html"
    else:
        context["risk_groups"] = situations_by_risk(user)
        context["due_this_week"] = list(
            selectors.action_list(user=user)
            .filter(status__in=OPEN_ACTION_STATUSES, due_date__lte=today + dt.timedelta(days=7))
            .order_by("due_date", "id")[:50]
        )
        context["checkin_counts"] = checkins.counts_by_government()
        alert_reads = extensions.alert_reads()
        context["my_alerts"] = alert_reads.alerts_on_my_situations(user)
        if user.is_manager:
            context["queue_counts"] = alert_reads.queue_counts(user)
            context["gaps"] = alert_reads.gaps(user)
            context["burden"] = burden_sharing(user)
        template = "coordination/dashboard_staff.html"
    return render(request, template, context)
