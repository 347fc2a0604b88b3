"""Backups (README "Backups"): a pg_dump of a database holding real situations, actions,
alerts and their histories restores into a fresh database where every one of them is
found again, field for field, with every table's row count intact."""
import datetime as dt
import subprocess

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from alerts.evaluation import evaluate_situation
from alerts.models import Alert
from coordination import services
from coordination.models import Action, Situation
from coordination.readings import reading_record
from testkit.host import pg_bin
from testkit.world import in_app_ladder, open_situations, propose_action, threshold_rule


def _conninfo(name: str) -> dict:
    s = connection.settings_dict
    return {"dbname": name, "host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432,
            "user": s["USER"] or "postgres", "password": s["PASSWORD"] or None}


def _cli_env(monkeypatch):
    if connection.settings_dict["PASSWORD"]:
        monkeypatch.setenv("PGPASSWORD", connection.settings_dict["PASSWORD"])
    info = _conninfo("")
    return ["-h", str(info["host"]), "-p", str(info["port"]), "-U", info["user"]]


def _rows(conninfo: dict, sql: str) -> list[tuple]:
    with psycopg2.connect(**conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _table_counts(conninfo: dict) -> dict[str, int]:
    tables = [t for (t,) in _rows(conninfo, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return {t: _rows(conninfo, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}


@pytest.fixture
def world(transactional_db, desk_officer, manager, home_government, indicator):
    """Three situations with actions, readings over the threshold and the alerts they opened."""
    threshold_rule(manager, in_app_ladder(manager, wait_minutes=30))
    situations = open_situations(desk_officer, indicator, [f"Backed-up situation {i} «é»" for i in range(3)],
                                 government=home_government)
    for i, situation in enumerate(situations):
        reading_record(actor=desk_officer, situation=situation, indicator=indicator, value=12 + 10 * i,
                       observed_at=timezone.now() - dt.timedelta(minutes=5))
        for j in range(2):
            action = propose_action(desk_officer, situation, f"Démarche {i}.{j}", government=home_government,
                                    due_in_days=20)
            services.action_update(actor=desk_officer, action=action, expected_version=action.version,
                                   progress_note="Drafted")
        evaluate_situation(situation_id=situation.pk)
    assert Alert.objects.count() == 3 and Action.objects.count() == 6


def test_a_dump_restored_into_a_fresh_database_holds_every_situation_action_and_alert(world, tmp_path,
                                                                                   monkeypatch):
    source = connection.settings_dict["NAME"]
    target = f"{source}_restored"
    dump = tmp_path / "concert.dump"
    cli = _cli_env(monkeypatch)
    # The README procedure: custom-format dump, a fresh database, pg_restore into it.
    subprocess.run([pg_bin("pg_dump"), *cli, "-Fc", "--no-owner", "-f", str(dump), source], check=True)
    subprocess.run([pg_bin("dropdb"), *cli, "--if-exists", target], check=True)
    subprocess.run([pg_bin("createdb"), *cli, target], check=True)
    try:
        subprocess.run([pg_bin("pg_restore"), *cli, "--no-owner", "--exit-on-error", "-d", target, str(dump)],
                       check=True)
        restored = _conninfo(target)
        assert sorted(_rows(restored, "SELECT id, title, status, risk_level, version FROM coordination_situation")) \
            == sorted(Situation.objects.values_list("id", "title", "status", "risk_level", "version"))
        assert sorted(_rows(restored, "SELECT id, situation_id, title, status, version FROM coordination_action")) \
            == sorted(Action.objects.values_list("id", "situation_id", "title", "status", "version"))
        assert sorted(_rows(restored, "SELECT id, situation_id, dedup_key, severity, status FROM alerts_alert")) \
            == sorted(Alert.objects.values_list("id", "situation_id", "dedup_key", "severity", "status"))
        # Histories, progress logs, timelines, notifications, users: every table, every row.
        assert _table_counts(restored) == _table_counts(_conninfo(source))
        # Sequences came along: the next row written after a restore does not collide.
        [(next_id,)] = _rows(restored, "SELECT nextval(pg_get_serial_sequence('alerts_alert', 'id'))")
        assert next_id > max(Alert.objects.values_list("id", flat=True))
    finally:
        subprocess.run([pg_bin("dropdb"), *cli, "--if-exists", target], check=True)
