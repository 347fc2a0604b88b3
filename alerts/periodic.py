"""The periodic work Celery beat runs every minute (and the daily digest).

Each is a catch-up over an indexed column, so it is cheap when nothing is due and
harmless when it runs twice: the work itself is claimed row by row elsewhere.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from alerts import dispatch
from alerts.choices import ACTION_TRIGGERS, NotificationStatus, Trigger
from alerts.models import Alert, DigestSent, EscalationRule, Notification
from alerts.params import SCHEMAS
from alerts.selectors import group_list, severity_counts
from coordination import checkins, outbox, signoffs
from coordination.choices import CommitmentStatus, Marking
from coordination.models import Action, Commitment
from coordination.models.actions import OPEN_STATUS_Q
from coordination.windows import situations_with_window_edges

BATCH = 500
# How far back the scan looks for check-ins that fell due: a scan missed for up to this
# long (beat down, a deploy) is caught up; older ones were caught by the scans then.
CHECKIN_CATCH_UP = dt.timedelta(days=1)


def _action_rule_days(trigger: str) -> list[int]:
    rules = EscalationRule.objects.filter(enabled=True, trigger=trigger).values_list("params", flat=True)
    name = "days" if trigger != Trigger.DEADLINE_MISSED else "grace_days"
    default = SCHEMAS[trigger][name].default
    return [(params or {}).get(name, default) for params in rules]


def situations_with_checkins_newly_missed(now: dt.datetime) -> list[int]:
    """Situations where, for some enabled check-in rule, a government's check-in has just
    become missed (due + the rule's grace passed within CHECKIN_CATCH_UP) and no
    condition of that rule holds for it yet. Time alone makes them true, so the scan
    wakes them; the condition being open, they are not woken again each minute."""
    found: set[int] = set()
    rules = EscalationRule.objects.filter(enabled=True, trigger=Trigger.CHECKIN_MISSED).values_list("pk", "params")
    default = SCHEMAS[Trigger.CHECKIN_MISSED]["grace_hours"].default
    for rule_id, params in rules:
        end = now - dt.timedelta(hours=(params or {}).get("grace_hours", default))
        holding = Alert.objects.filter(rule_id=rule_id, situation_id=OuterRef("situation_id"),
                                       government_id=OuterRef("government_id"), condition_active=True)
        found.update(checkins.fallen_due_between(end - CHECKIN_CATCH_UP, end).exclude(Exists(holding))
                     .values_list("situation_id", flat=True)[:BATCH])
    return sorted(found)


def scan_deadlines(*, now: dt.datetime | None = None) -> int:
    """Wake the situations whose open actions are due soon, overdue or stalled, as far
    as any enabled rule cares. Reads open actions only, through the partial indexes on
    due_date and last_activity_at, so the cost follows what is due, not the table. Also
    wakes the situations whose risk window opens today or closed yesterday: their
    thresholds, waits and "window open" condition change with no new fact. (Every minute
    of that day: a handful of situations, and a missed midnight is caught up.) And the
    situations where a government's check-in has just become missed (through the partial
    index on checkin_due_at)."""
    now = now or timezone.now()
    today = now.date()
    # Risk window edges and newly missed check-ins: days (minutes) on which an
    # evaluation answers differently with no new fact.
    edges = sorted(set(situations_with_window_edges(now.astimezone(dt.timezone.utc).date()))
                   | set(situations_with_checkins_newly_missed(now)))
    outbox.record_changes(edges)
    if not EscalationRule.objects.filter(enabled=True, trigger__in=ACTION_TRIGGERS).exists():
        return len(edges)
    due = Q(pk__in=[])
    soon, missed, stalled = (_action_rule_days(t) for t in ACTION_TRIGGERS)
    if soon or missed:
        horizon = today + dt.timedelta(days=max(soon or [0]))
        due |= Q(due_date__lte=horizon)
        # A joint action's partners have due dates of their own (the partial index on
        # accepted commitments' due dates).
        due |= Exists(Commitment.objects.filter(action_id=OuterRef("pk"), status=CommitmentStatus.ACCEPTED,
                                                due_date__lte=horizon))
    if stalled:
        due |= Q(last_activity_at__lt=now - dt.timedelta(days=min(stalled)))
    situation_ids = (Action.objects.filter(OPEN_STATUS_Q).filter(due)
                     .order_by("situation_id").values_list("situation_id", flat=True).distinct())
    count = len(edges)
    last_id = 0
    while True:
        batch = list(situation_ids.filter(situation_id__gt=last_id)[:BATCH])
        if not batch:
            return count
        outbox.record_changes(batch)
        count += len(batch)
        last_id = batch[-1]


def sweep_pending_notifications(*, now: dt.datetime | None = None, grace_seconds: float | None = None) -> int:
    """Publish again every pending notification whose time has passed: a wake-up the
    broker lost (or never took) delays a notification, never loses it. A duplicate
    wake-up is harmless: delivery claims the row and skips what is sent."""
    now = now or timezone.now()
    grace = settings.ALERTS_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    ids = list(Notification.objects.filter(status=NotificationStatus.PENDING,
                                           next_attempt_at__lte=now - dt.timedelta(seconds=grace))
               .order_by("next_attempt_at").values_list("pk", flat=True)[:BATCH])
    for pk in ids:
        dispatch.publish_delivery(pk)
    return len(ids)


def sweep_unevaluated(*, now: dt.datetime | None = None, grace_seconds: float | None = None) -> int:
    """Publish again the evaluations of changes not yet consumed (broker away or message
    lost): coordination's outbox still holds them. If the broker is away, the next
    sweep tries again."""
    now = now or timezone.now()
    grace = settings.ALERTS_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    ids = outbox.pending(older_than=now - dt.timedelta(seconds=grace), limit=BATCH)
    dispatch.publish_evaluations(ids)
    return len(ids)


def expire_signoffs(*, now: dt.datetime | None = None) -> int:
    """Sign-off requests past SIGNOFF_EXPIRY_HOURS are written as expired (and audited);
    what they asked for never happens. Readers already treat them as expired."""
    return signoffs.expire_due(now=now)


def send_daily_digests(*, now: dt.datetime | None = None) -> int:
    """One e-mail a day to each person with unresolved escalations they may see."""
    now = now or timezone.now()
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email=""):
        groups = group_list(user=user)
        counts = severity_counts(groups)
        if not sum(counts.values()):
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, day=now.date())
                top = list(groups[:20])
                lines = [_("- [%(tlp)s] [%(severity)s] %(situation)s: %(n)d condition(s), %(status)s")
                         % {"tlp": g.situation.tlp, "severity": g.get_severity_display(),
                            "situation": g.situation.title, "n": g.open_conditions,
                            "status": g.get_status_display()} for g in top]
                body = _("Unresolved escalations you can see: %(critical)d critical, %(warning)d warning, "
                         "%(info)d info.") % counts
                # The digest speaks of several situations: it carries the strictest marking
                # among them, and each line its own.
                tlp = Marking.tlp(Marking.strictest(g.situation.marking for g in top))
                send_mail(f"[{tlp}] " + _("[Concert] Daily alert digest"),
                          f"{tlp}\n\n" + body + "\n\n" + "\n".join(lines) + f"\n\n{tlp}",
                          settings.DEFAULT_FROM_EMAIL, [user.email])
                sent += 1
        except IntegrityError:
            continue  # already sent today
    return sent
