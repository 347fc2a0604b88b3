"""The benchmark's world, built in SQL (INSERT … SELECT generate_series), not row by row.

Situation ids are laid out in bands, one per workload, so that one workload's rows never
wake another's evaluation (an evaluation clears every condition of its situation that no
longer holds and resolves the escalation it empties, which would turn W1's bulk
escalations into W2's webhooks):

    queue     escalations for W1 and W5 (and the first pages of the situations list),
              at least one situation per unresolved escalation
    latency   W2: one reading each, each on its own situation
    deadline  W3: the actions the deadline scan reads
    ingest    W4: the bulk readings
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone


@dataclass
class Bands:
    queue: range
    latency: range
    deadline: range
    ingest: range

    @property
    def total(self) -> int:
        return self.ingest.stop - 1


def bands(*, queue: int, latency: int, deadline: int, ingest: int) -> Bands:
    edges = [1]
    for size in (queue, latency, deadline, ingest):
        edges.append(edges[-1] + size)
    return Bands(*(range(edges[i], edges[i + 1]) for i in range(4)))


@dataclass
class World:
    manager_id: int
    token: str
    indicator_id: int
    history_rule_id: int
    threshold_rule_id: int
    deadline_rule_ids: list[int]
    endpoint_id: int
    situation_offset: int  # situation id = offset + band number


def _sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def base(*, receiver_url: str) -> World:
    """The cast's manager and desk officer (testkit/cast.py), governments, the indicator,
    the policy, rules and the webhook endpoint (testkit/world.py): a handful of rows,
    through the services where they exist."""
    from alerts import services
    from alerts.choices import Channel, Scope, StepTarget, Trigger
    from coordination.models import Government, Indicator
    from testkit import cast
    from testkit.world import api_token, webhook_endpoint

    manager = cast.user("manager")
    cast.user("desk_officer")
    Government.objects.bulk_create([Government(code=f"BG{chr(65 + i)}", name=f"Bench government {i}")
                                    for i in range(10)])
    indicator = Indicator.objects.create(code="bench-violence", name="Bench: violent incidents", risk_factor=7,
                                         warning_threshold=10, critical_threshold=20)
    # Step 1 notifies the manager in the app only: the benchmark measures the engine and
    # the webhook, not an SMTP server (in-app rows are delivered when written).
    policy = services.policy_create(actor=manager, name="Bench: manager in-app", steps=[
        {"targets": [StepTarget.USERS], "user_ids": [manager.pk], "channels": [Channel.IN_APP], "wait_minutes": 30},
    ])
    history = services.rule_create(actor=manager, name="Bench: past alerts", trigger=Trigger.RISK_RAISED,
                                   policy=policy, scope=Scope.ALL, enabled=False)
    threshold = services.rule_create(actor=manager, name="Bench: threshold", trigger=Trigger.THRESHOLD_CROSSED,
                                     params={"min_level": "warning", "indicators": [indicator.code]},
                                     policy=policy, scope=Scope.ALL, cooldown_minutes=0)
    soon = services.rule_create(actor=manager, name="Bench: due soon", trigger=Trigger.DEADLINE_SOON,
                                params={"days": 7}, policy=policy, scope=Scope.ALL, enabled=False)
    missed = services.rule_create(actor=manager, name="Bench: missed", trigger=Trigger.DEADLINE_MISSED,
                                  params={"grace_days": 0}, policy=policy, scope=Scope.ALL, enabled=False)
    endpoint = webhook_endpoint(manager, receiver_url, name="Bench receiver", active=False)
    token = api_token(manager)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM coordination_situation")
        offset = cursor.fetchone()[0]
    return World(manager_id=manager.pk, token=token, indicator_id=indicator.pk, history_rule_id=history.pk,
                 threshold_rule_id=threshold.pk, deadline_rule_ids=[soon.pk, missed.pk], endpoint_id=endpoint.pk,
                 situation_offset=offset)


def situations(world: World, layout: Bands) -> None:
    """Situations with three partner assignments each and the bench indicator tracked."""
    n = layout.total
    _sql("""
        INSERT INTO coordination_situation (id, title, country_code, area, summary, status, risk_level, marking,
                                            version, created_at, updated_at, outcome, outcome_note)
        SELECT %(offset)s + g, 'Bench situation ' || lpad(g::text, 6, '0'),
               'X' || chr(65 + g %% 26), 'District ' || g, '', 'active',
               (ARRAY['low','moderate','high','very_high','critical'])[1 + g %% 5], 'amber', 1, now(), now(), '', ''
        FROM generate_series(1, %(n)s) g""", {"offset": world.situation_offset, "n": n})
    _sql("SELECT setval(pg_get_serial_sequence('coordination_situation', 'id'), %s)", [world.situation_offset + n])
    _sql("""
        INSERT INTO coordination_partnerassignment (situation_id, government_id, role, created_at)
        SELECT %(offset)s + g, gov.id, (ARRAY['lead','support','observer'])[k + 1], now()
        FROM generate_series(1, %(n)s) g, generate_series(0, 2) k,
             LATERAL (SELECT id FROM coordination_government WHERE code LIKE 'BG%%'
                      ORDER BY code OFFSET (g + k) %% 10 LIMIT 1) gov""",
         {"offset": world.situation_offset, "n": n})
    _sql("""
        INSERT INTO coordination_trackedindicator (situation_id, indicator_id)
        SELECT %(offset)s + g, %(indicator)s FROM generate_series(1, %(n)s) g""",
         {"offset": world.situation_offset, "n": n, "indicator": world.indicator_id})
    # A hundred thousand situations at the default sizes (one per unresolved escalation):
    # the measures start before autovacuum would have noticed them.
    for table in ("coordination_situation", "coordination_partnerassignment", "coordination_trackedindicator"):
        _sql(f"ANALYZE {table}")


def alerts(world: World, layout: Bands, *, total: int, unresolved: int) -> None:
    """`total` past escalations over the queue band, each holding one condition with the
    same id; `unresolved` of them still open or acknowledged (the queue), the rest
    resolved. A situation holds at most one unresolved escalation, so the unresolved
    ones each have a situation of their own; the resolved ones share them, as history
    does. The newest on the lowest numbers."""
    q = layout.queue
    if unresolved > len(q):
        raise ValueError(f"{unresolved:,} unresolved escalations need as many situations; "
                         f"the queue band has {len(q):,}")
    from alerts.models import EscalationRule
    from alerts.snapshots import PolicySnapshot

    # The policy frozen as the engine freezes it: the API counts its steps on every row.
    rule = EscalationRule.objects.select_related("policy").get(pk=world.history_rule_id)
    params = {"rule": rule.pk, "offset": world.situation_offset, "q0": q.start, "qn": len(q),
              "indicator": world.indicator_id, "unresolved": unresolved, "total": total,
              "manager": world.manager_id, "now": timezone.now(),
              "snapshot": json.dumps(PolicySnapshot.of(rule.policy).as_json())}
    with connection.cursor() as cursor:
        cursor.execute("SELECT GREATEST((SELECT MAX(id) FROM alerts_alertgroup), (SELECT MAX(id) FROM alerts_alert))")
        params["first"] = cursor.fetchone()[0] or 0
    # The timers (next escalation, acknowledgement review, batched update) stay empty:
    # set in the past they would hand the minute scans a hundred thousand groups in the
    # middle of a measure. The queue neither filters nor sorts on them.
    _sql("""
        INSERT INTO alerts_alertgroup (id, situation_id, status, severity, policy_rule_id, policy_snapshot,
                                       current_step, opened_at, last_seen, last_update_at, acknowledged_by_id,
                                       acknowledged_at, resolved_at, resolution_note, outcome, resume_status)
        SELECT %(first)s + g, %(offset)s + %(q0)s + (g - 1) %% %(qn)s,
               CASE WHEN g <= %(unresolved)s THEN (ARRAY['open','acknowledged'])[1 + g %% 2] ELSE 'resolved' END,
               (ARRAY['info','warning','critical'])[1 + g %% 3], %(rule)s, %(snapshot)s::jsonb, g %% 3,
               %(now)s - make_interval(secs => g), %(now)s - make_interval(secs => g),
               %(now)s - make_interval(secs => g),
               CASE WHEN g <= %(unresolved)s AND g %% 2 = 1 THEN %(manager)s END,
               CASE WHEN g <= %(unresolved)s AND g %% 2 = 1 THEN %(now)s END,
               CASE WHEN g <= %(unresolved)s THEN NULL ELSE %(now)s END, '', '', ''
        FROM generate_series(1, %(total)s) g""", params)
    _sql("""
        INSERT INTO alerts_alert (id, group_id, rule_id, situation_id, indicator_id, dedup_key, severity, status,
                                  title, detail, evidence, evidence_at, occurrences, first_seen, last_seen,
                                  condition_active, cleared_at, resolved_at)
        SELECT %(first)s + g, %(first)s + g, %(rule)s, %(offset)s + %(q0)s + (g - 1) %% %(qn)s, %(indicator)s,
               'r%(rule)s:h' || g, (ARRAY['info','warning','critical'])[1 + g %% 3],
               CASE WHEN g <= %(unresolved)s THEN 'open' ELSE 'resolved' END,
               'Bench alert ' || g, '{}'::jsonb, '', %(now)s - make_interval(secs => g), 1,
               %(now)s - make_interval(secs => g), %(now)s - make_interval(secs => g),
               g <= %(unresolved)s, CASE WHEN g <= %(unresolved)s THEN NULL ELSE %(now)s END,
               CASE WHEN g <= %(unresolved)s THEN NULL ELSE %(now)s END
        FROM generate_series(1, %(total)s) g""", params)
    for table in ("alerts_alertgroup", "alerts_alert"):
        _sql("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, params["first"] + total])
    _sql("ANALYZE alerts_alertgroup")
    _sql("ANALYZE alerts_alert")


def resolve_alerts_down_to(world: World, *, unresolved: int) -> int:
    """W5: the same million escalations, most of the queue now resolved (the lowest ids
    stay unresolved), each with its condition. Returns how many escalations it resolved."""
    now = timezone.now()
    count = _sql("""
        UPDATE alerts_alertgroup SET status = 'resolved', resolved_at = %(now)s
        WHERE policy_rule_id = %(rule)s AND status <> 'resolved' AND id NOT IN (
            SELECT id FROM alerts_alertgroup WHERE policy_rule_id = %(rule)s AND status <> 'resolved'
            ORDER BY id LIMIT %(keep)s)""", {"now": now, "rule": world.history_rule_id, "keep": unresolved})
    _sql("""
        UPDATE alerts_alert a SET status = 'resolved', resolved_at = %(now)s, cleared_at = %(now)s,
                                  condition_active = false
        FROM alerts_alertgroup g
        WHERE a.group_id = g.id AND g.status = 'resolved' AND a.status <> 'resolved' AND a.rule_id = %(rule)s""",
         {"now": now, "rule": world.history_rule_id})
    _sql("VACUUM ANALYZE alerts_alertgroup")
    _sql("VACUUM ANALYZE alerts_alert")
    return count


def actions(world: World, layout: Bands, *, first: int, last: int, due: int, today: dt.date) -> None:
    """Actions numbered first..last over the deadline band. The first `due` of all are
    open and due within the week or overdue; of the rest one in ten is open and due
    months ahead, the others are completed. Growing from 100,000 to 1,000,000 adds rows
    that are not due, so the due count stays the same."""
    d = layout.deadline
    now = timezone.now()
    _sql("""
        INSERT INTO coordination_action (situation_id, title, kind, description, owner_government_id, due_date,
                                         status, priority, progress_note, version, created_at, updated_at,
                                         agreed_at, completed_at, last_activity_at)
        SELECT %(offset)s + %(d0)s + g %% %(dn)s, 'Bench action ' || g, 'demarche', '',
               (SELECT id FROM coordination_government WHERE code = 'BGA'),
               CASE WHEN g <= %(due)s THEN %(today)s::date + (g %% 12) - 5
                    ELSE %(today)s::date + 30 + (g %% 365) END,
               CASE WHEN g <= %(due)s OR g %% 10 = 0 THEN 'agreed' ELSE 'completed' END,
               'normal', '', 1, %(now)s, %(now)s, %(now)s,
               CASE WHEN g <= %(due)s OR g %% 10 = 0 THEN NULL ELSE %(now)s END, %(now)s
        FROM generate_series(%(first)s, %(last)s) g""",
         {"offset": world.situation_offset, "d0": d.start, "dn": len(d), "due": due, "today": today,
          "now": now, "first": first, "last": last})
    _sql("VACUUM ANALYZE coordination_action")
