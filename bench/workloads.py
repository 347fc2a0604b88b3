"""W1–W5 of issue 6. Each returns a dict of figures, each next to its same-run baseline."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from django.db import connection
from django.utils import timezone

from testkit import polling

HERE = Path(__file__).resolve().parent


@dataclass
class Context:
    args: object
    world: object
    layout: object
    servers: object
    receiver: object
    say: object
    env: dict
    logs: Path

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Token {self.world.token}", "Accept": "application/json"}

    def sid(self, band: range, i: int) -> int:
        return self.world.situation_offset + band.start + i


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# --- load generator -------------------------------------------------------------------

def wrk(ctx: Context, path: str, seconds: float) -> dict:
    url = ctx.servers.base_url + path
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                          "-s", str(HERE / "report.lua"), url],
                         env={**ctx.env, "BENCH_TOKEN": ctx.world.token}, capture_output=True, text=True,
                         timeout=seconds + 60)
    line = next((line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary for {url}: {out.stdout} {out.stderr}")
    figures = json.loads(line[len("BENCH_JSON "):])
    figures["rps"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
    # wrk counts a request that timed out (10 s) as a socket error, not in the latencies.
    figures["ok"] = figures["requests"] > 0 and figures["non_2xx"] == 0 and figures["socket_errors"] == 0
    return figures


def probe(ctx: Context, path: str) -> dict:
    """One request: status, queries it cost, rows it returned."""
    response = requests.get(ctx.servers.base_url + path, headers=ctx.headers, timeout=30)
    body = response.json()
    return {"status": response.status_code, "queries": int(response.headers.get("X-Queries", -1)),
            "rows": len(body.get("results", [])), "count": body.get("count")}


def compare(ctx: Context, api: str, baseline: str) -> dict:
    for path in (api, baseline):  # warm both: connections, caches, imports
        wrk(ctx, path, 1)
    measured = {"api": {**wrk(ctx, api, ctx.args.seconds), **probe(ctx, api), "path": api},
                "baseline": {**wrk(ctx, baseline, ctx.args.seconds), **probe(ctx, baseline), "path": baseline}}
    measured["ratio_rps"] = round(measured["api"]["rps"] / measured["baseline"]["rps"], 3)
    measured["target"] = "api requests/s >= 0.5 x baseline"
    measured["met"] = measured["ratio_rps"] >= 0.5 and measured["api"]["ok"]
    return measured


# --- W1 -------------------------------------------------------------------------------

def w1(ctx: Context) -> dict:
    return {"situations": compare(ctx, "/api/v1/situations?page_size=50", "/bench/baseline/situations"),
            "queue": compare(ctx, "/api/v1/alert-groups?page_size=50", "/bench/baseline/alert-groups")}


# --- W5 -------------------------------------------------------------------------------

def w5(ctx: Context) -> dict:
    from bench import data

    t = time.monotonic()
    resolved = data.resolve_alerts_down_to(ctx.world, unresolved=10_000)
    ctx.say(f"W5: resolved {resolved:,} escalations down to 10,000 unresolved in {time.monotonic() - t:.1f} s")
    first_path = "/api/v1/alert-groups?page_size=50"
    first = probe(ctx, first_path)
    last_page = max(1, -(-first["count"] // 50))
    deep_path = f"/api/v1/alert-groups?page_size=50&page={last_page}"
    wrk(ctx, first_path, 1)
    wrk(ctx, deep_path, 1)
    result = {"first": {**wrk(ctx, first_path, ctx.args.seconds), **first, "path": first_path},
              "deep": {**wrk(ctx, deep_path, ctx.args.seconds), **probe(ctx, deep_path), "path": deep_path}}
    both_ok = result["first"]["ok"] and result["deep"]["ok"]
    result["ratio_p95"] = round(result["deep"]["p95_ms"] / result["first"]["p95_ms"], 3) if both_ok else None
    result["target"] = "same queries per request on both pages; deep page p95 <= 2 x first page p95"
    result["met"] = both_ok and result["first"]["queries"] == result["deep"]["queries"] and result["ratio_p95"] <= 2.0
    return result


# --- W2 -------------------------------------------------------------------------------

def open_loop(count: int, rate: float, send) -> list[dict]:
    """Fire send(i) at i/rate seconds, whatever the server's pace (no coordinated omission)."""
    sent: list[dict | None] = [None] * count
    local = threading.local()

    def one(i):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        # The monotonic clock, as the receiver stamps arrivals.
        started = time.monotonic()
        try:
            status = send(local.session, i)
        except requests.RequestException as exc:
            status = str(exc)
        sent[i] = {"sent": started, "status": status, "answered": time.monotonic()}

    with ThreadPoolExecutor(max_workers=16) as pool:
        t0 = time.monotonic()
        for i in range(count):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return sent


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    """A measure that never completes is reported as failed, not raised: the run goes on."""
    try:
        polling.wait_until(predicate, timeout, interval)
        return True
    except TimeoutError:
        return False


def latency_summary(latencies: list[float]) -> dict:
    return {"p50_ms": ms(percentile(latencies, 50)), "p95_ms": ms(percentile(latencies, 95)),
            "p99_ms": ms(percentile(latencies, 99)), "max_ms": ms(max(latencies) if latencies else None)}


def w2(ctx: Context) -> dict:
    from alerts.models import WebhookEndpoint

    ctx.servers.restart_workers()
    count = int(ctx.args.w2_seconds * 20)
    base = ctx.servers.base_url
    receiver = ctx.receiver

    def ping(session, i):
        return session.post(f"{base}/bench/baseline/ping", params={"url": receiver.url, "tag": str(i)},
                            headers=ctx.headers, timeout=30).status_code

    ctx.say(f"W2: baseline, {count} no-op tasks at 20/s")
    pings = open_loop(count, 20, ping)
    wait_until(lambda: len(receiver.pings) >= count, 60)
    baseline = [receiver.pings[str(i)] - p["sent"] for i, p in enumerate(pings) if str(i) in receiver.pings]

    WebhookEndpoint.objects.filter(pk=ctx.world.endpoint_id).update(active=True)
    band = ctx.layout.latency

    def reading(session, i):
        body = {"indicator": ctx.world.indicator_id, "value": 25, "observed_at": timezone.now().isoformat()}
        return session.post(f"{base}/api/v1/situations/{ctx.sid(band, i)}/readings", json=body,
                            headers=ctx.headers, timeout=30).status_code

    ctx.say(f"W2: {count} readings over the critical threshold at 20/s, each on its own situation")
    sent = open_loop(count, 20, reading)
    wait_until(lambda: len(receiver.webhooks) >= count, 120)
    WebhookEndpoint.objects.filter(pk=ctx.world.endpoint_id).update(active=False)
    latencies = [receiver.webhooks[ctx.sid(band, i)] - s["sent"] for i, s in enumerate(sent)
                 if ctx.sid(band, i) in receiver.webhooks]
    post_times = [s["answered"] - s["sent"] for s in sent]
    result = {
        "readings": count, "created": sum(1 for s in sent if s["status"] == 201),
        "webhooks_received": len(latencies), "missing": count - len(latencies),
        "bad_signatures": receiver.bad_signatures,
        "reading_to_webhook": latency_summary(latencies),
        "reading_post": latency_summary(post_times),
        "baseline": {"pings": count, "received": len(baseline), **latency_summary(baseline)},
        "worker_peak_memory_mb": ctx.servers.worker_memory(),
    }
    result["ratio_p99"] = (round(result["reading_to_webhook"]["p99_ms"] / result["baseline"]["p99_ms"], 3)
                           if latencies and baseline else None)
    result["target"] = "p99 <= 3 x baseline p99; every reading has its webhook"
    result["met"] = bool(result["ratio_p99"] is not None and result["ratio_p99"] <= 3 and result["missing"] == 0)
    return result


# --- W4 -------------------------------------------------------------------------------

def _w4_rows(ctx: Context, sids: list[int] | None = None):
    """Per ingest situation, 1,000 readings an hour apart, under the warning threshold
    except the latest, which is critical: each situation ends with one condition, in one
    escalation."""
    now = timezone.now().replace(microsecond=0)
    sids = sids or [ctx.sid(ctx.layout.ingest, i) for i in range(len(ctx.layout.ingest))]
    for i, sid in enumerate(sids):
        yield sid, [(now - dt.timedelta(hours=1000 - j), 25.0 if j == 999 else float((i + j * 7) % 10))
                    for j in range(1000)]


def _w4_csv(ctx: Context, count: int, copy_seconds: float) -> dict:
    """The same series through `manage.py import_readings` as a subprocess, on as many
    fresh situations (the bulk half's situations already hold their readings and
    escalations), timed from the process's start, so Django's start-up is in the figure."""
    import dataclasses
    import sys
    import tempfile

    from alerts.models import Alert
    from bench import data
    from bench.procs import ROOT
    from coordination.models import Indicator
    from testkit import cast

    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM coordination_situation")
        offset = cursor.fetchone()[0]
    data.situations(dataclasses.replace(ctx.world, situation_offset=offset),
                    data.bands(queue=0, latency=0, deadline=0, ingest=count))
    sids = list(range(offset + 1, offset + count + 1))
    code = Indicator.objects.get(pk=ctx.world.indicator_id).code
    with tempfile.NamedTemporaryFile("w", suffix=".csv", dir=ctx.logs, delete=False) as handle:
        handle.write("situation_id,indicator,value,observed_at,source\n")
        for sid, rows in _w4_rows(ctx, sids):
            handle.writelines(f"{sid},{code},{value},{observed.isoformat()},bench\n" for observed, value in rows)
    total = count * 1000
    ctx.say(f"W4: {total:,} readings through manage.py import_readings")
    t = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_readings", handle.name,
                           "--actor", cast.MEMBERS["manager"].username], cwd=ROOT, env=ctx.env, capture_output=True, text=True,
                          timeout=900)
    seconds = time.monotonic() - t
    alerted = wait_until(lambda: Alert.objects.filter(situation_id__in=sids,
                                                      rule_id=ctx.world.threshold_rule_id).count() >= len(sids),
                         300, 0.1)
    last_alert_seconds = time.monotonic() - t
    Path(handle.name).unlink()
    rows_per_s = round(total / seconds)
    return {"readings": total, "seconds": round(seconds, 2), "rows_per_s": rows_per_s,
            "last_alert_seconds": round(last_alert_seconds, 2) if alerted else None,
            "ratio_rows_per_s": round(rows_per_s / round(total / copy_seconds), 3),
            "exit_code": done.returncode, "output": (done.stdout.strip() or done.stderr.strip()[-500:])}


def w4(ctx: Context) -> dict:
    from alerts.models import Alert

    ctx.servers.restart_workers()
    batches = list(_w4_rows(ctx))
    total = sum(len(rows) for _sid, rows in batches)
    indicator = ctx.world.indicator_id

    # Baseline: PostgreSQL COPY of the same rows into a table shaped like the readings
    # (same columns, checks and indexes).
    buffer = io.StringIO()
    for sid, rows in batches:
        for observed, value in rows:
            buffer.write(f"{sid},{indicator},{value},{observed.isoformat()},bench,\"\",{ctx.world.manager_id},"
                         f"{timezone.now().isoformat()}\n")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (LIKE coordination_indicatorreading INCLUDING ALL)")
        buffer.seek(0)
        t = time.monotonic()
        cursor.copy_expert("COPY bench_copy (situation_id, indicator_id, value, observed_at, source, note, "
                           "recorded_by_id, recorded_at) FROM STDIN WITH (FORMAT csv)", buffer)
        copy_seconds = time.monotonic() - t
        cursor.execute("DROP TABLE bench_copy")

    base = ctx.servers.base_url
    bodies = [(sid, json.dumps([{"indicator": indicator, "value": value, "observed_at": observed.isoformat(),
                                 "source": "bench"} for observed, value in rows])) for sid, rows in batches]
    sids = [sid for sid, _ in batches]
    local = threading.local()
    statuses = []

    def post(item):
        sid, body = item
        if not hasattr(local, "session"):
            local.session = requests.Session()
        response = local.session.post(f"{base}/api/v1/situations/{sid}/readings", data=body,
                                      headers={**ctx.headers, "Content-Type": "application/json"}, timeout=120)
        statuses.append(response.status_code)

    ctx.say(f"W4: {total:,} readings through the bulk API, {len(bodies)} requests of 1,000, 4 clients")
    t = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(post, bodies))
    api_seconds = time.monotonic() - t
    alerted = wait_until(lambda: Alert.objects.filter(situation_id__in=sids,
                                                      rule_id=ctx.world.threshold_rule_id).count() >= len(sids),
                         300, 0.1)
    last_alert_seconds = time.monotonic() - t
    result = {
        "readings": total, "requests": len(bodies), "created": statuses.count(201),
        "bulk_api": {"seconds": round(api_seconds, 2), "rows_per_s": round(total / api_seconds)},
        "copy": {"seconds": round(copy_seconds, 2), "rows_per_s": round(total / copy_seconds)},
        "last_alert_seconds": round(last_alert_seconds, 2) if alerted else None,
        "worker_peak_memory_mb": ctx.servers.worker_memory(),
    }
    result["ratio_rows_per_s"] = round(result["bulk_api"]["rows_per_s"] / result["copy"]["rows_per_s"], 3)
    result["target"] = "bulk API rows/s >= 0.25 x COPY"
    # No target of its own in issue 6: measured against the same COPY, after the bulk half.
    try:
        result["csv_import"] = _w4_csv(ctx, len(batches), copy_seconds)
    except Exception as exc:  # the bulk half's figures stand on their own
        result["csv_import"] = {"error": repr(exc)}
    result["met"] = result["ratio_rows_per_s"] >= 0.25 and result["created"] == len(bodies) and alerted
    return result


# --- W3 -------------------------------------------------------------------------------

SCAN_LINE = re.compile(rb"Task alerts\.scan_deadlines\[[^\]]+\] succeeded in ([0-9.]+)s: (\d+)")


def _baseline_query(horizon: dt.date) -> dict:
    from coordination.choices import OPEN_ACTION_STATUSES

    sql = ("SELECT id, situation_id, due_date FROM coordination_action "
           "WHERE status = ANY(%s) AND due_date <= %s")
    params = [list(OPEN_ACTION_STATUSES), horizon]
    times, rows = [], 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = " / ".join(r[0].strip() for r in cursor.fetchall()[:2])
        for _ in range(5):
            t = time.monotonic()
            cursor.execute(sql, params)
            rows = len(cursor.fetchall())
            times.append(time.monotonic() - t)
    return {"seconds": round(statistics.median(times), 4), "rows": rows, "plan": plan}


def _clear_deadline_alerts(rule_ids: list[int]) -> None:
    """The escalations the deadline rules opened go with their conditions: a situation
    keeps one unresolved escalation, so the next scan's conditions would otherwise join
    the previous scan's groups instead of opening their own. Each statement commits on
    its own, so rows go before what they point to: notifications (to events and groups),
    events (to conditions and groups), conditions, groups."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT group_id FROM alerts_alert WHERE rule_id = ANY(%s)", [rule_ids])
        groups = [row[0] for row in cursor.fetchall()]
        for table in ("alerts_notification", "alerts_alertevent", "alerts_alert"):
            cursor.execute(f"DELETE FROM {table} WHERE group_id = ANY(%s)", [groups])
        cursor.execute("DELETE FROM alerts_alertgroup WHERE id = ANY(%s)", [groups])
        cursor.execute("DELETE FROM coordination_situationchange")


def _one_scan(ctx: Context, due: int) -> dict:
    from alerts.models import Alert
    from alerts.tasks import scan_deadlines

    log = ctx.logs / "worker-evaluation.log"
    offset = log.stat().st_size
    rules = ctx.world.deadline_rule_ids
    t = time.monotonic()
    scan_deadlines.delay()
    done = wait_until(lambda: Alert.objects.filter(rule_id__in=rules).count() >= due, 300, 0.1)
    to_alerts = time.monotonic() - t
    wait_until(lambda: SCAN_LINE.search(log.read_bytes()[offset:]) is not None, 30)
    match = SCAN_LINE.search(log.read_bytes()[offset:])
    return {"scan_task_seconds": float(match.group(1)) if match else None,
            "situations_woken": int(match.group(2)) if match else None,
            "alerts_opened": Alert.objects.filter(rule_id__in=rules).count(),
            "scan_to_last_alert_seconds": round(to_alerts, 2) if done else None}


def w3(ctx: Context) -> dict:
    from alerts.models import EscalationRule

    from bench import data

    EscalationRule.objects.filter(pk__in=ctx.world.deadline_rule_ids).update(enabled=True)
    today = timezone.now().date()
    horizon = today + dt.timedelta(days=7)
    large, due = ctx.args.actions, ctx.args.due
    small = large // 10
    sizes = {}
    built = 0
    for size in (small, large):
        t = time.monotonic()
        data.actions(ctx.world, ctx.layout, first=built + 1, last=size, due=due, today=today)
        build = time.monotonic() - t
        built = size
        _clear_deadline_alerts(ctx.world.deadline_rule_ids)
        ctx.say(f"W3: {size:,} actions ({build:.1f} s to build); scanning")
        scan = _one_scan(ctx, due)
        query = _baseline_query(horizon)
        entry = {"actions": size, "build_seconds": round(build, 1), **scan, "baseline_query": query}
        if scan["scan_task_seconds"]:
            entry["ratio_scan_to_query"] = round(scan["scan_task_seconds"] / max(query["seconds"], 1e-4), 2)
        sizes[str(size)] = entry
    EscalationRule.objects.filter(pk__in=ctx.world.deadline_rule_ids).update(enabled=False)
    a, b = sizes[str(small)], sizes[str(large)]
    result = {"due": due, "sizes": sizes}
    if a["scan_task_seconds"] and b["scan_task_seconds"]:
        result["growth_scan"] = round(b["scan_task_seconds"] / a["scan_task_seconds"], 2)
    if a["scan_to_last_alert_seconds"] and b["scan_to_last_alert_seconds"]:
        result["growth_to_alerts"] = round(b["scan_to_last_alert_seconds"] / a["scan_to_last_alert_seconds"], 2)
    result["target"] = "scan <= 3 x the indexed query; the two sizes <= 1.5 x apart"
    result["met"] = bool(b.get("ratio_scan_to_query") is not None and b["ratio_scan_to_query"] <= 3
                         and result.get("growth_scan", 99) <= 1.5 and result.get("growth_to_alerts", 99) <= 1.5)
    return result
