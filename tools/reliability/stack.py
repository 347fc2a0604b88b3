"""A throw-away Concert stack for the fault and load tests: its own PostgreSQL cluster
(initdb in a temporary folder, a spare port), its own Redis (no persistence), gunicorn,
Celery workers and beat as real processes, each logging to a file in the folder.

Nothing here touches the machine's own PostgreSQL or Redis; everything is stopped by
pid (never by name) when the stack closes.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from testkit.host import free_port, pg_bin, port_open
from testkit.polling import wait_until

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


class Postgres:
    """A private cluster. initdb refuses to run as root, so as root the cluster belongs to
    the `postgres` system user (runuser); as anyone else it belongs to that user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "pgdata"
        self.log = folder / "postgres.log"
        self.sockets = folder / "pgsock"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def init(self) -> None:
        if self.as_root:
            os.chmod(self.folder, 0o755)
            self.data.mkdir()
            self.sockets.mkdir()
            self.log.touch()
            for path in (self.data, self.sockets, self.log):
                shutil.chown(path, "postgres", "postgres")
        else:
            self.sockets.mkdir()
        self._run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        # Speed over durability: the cluster lives for one run. Every restart is a clean
        # (fast) shutdown, so no committed row is lost by fsync=off. log_lock_waits and
        # deadlock reports land in postgres.log for the load test to read.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.sockets}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
                       "log_lock_waits = on\ndeadlock_timeout = 1s\n")

    def start(self) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def createdb(self, name: str) -> None:
        self._run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def psql(self, database: str, sql: str) -> str:
        return self._run(pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                         "-At", "-c", sql).stdout.strip()


class Redis:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.folder / "redis.log", "a")
        # No RDB, no AOF: a restart loses every queued message, which is the point.
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: port_open(self.port), 20, what="redis up")

    def stop(self) -> None:
        self.planned_down = True
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class Service:
    """One long-running Concert process (gunicorn, a worker, beat), restartable."""

    def __init__(self, name: str, cmd: list[str], env: dict, folder: Path):
        self.name, self.cmd, self.env, self.folder = name, cmd, env, folder
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.planned_down = False
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            self.planned_down = False
            self._start()

    def _start(self) -> None:
        log = open(self.folder / f"{self.name}.log", "a")
        log.write(f"\n===== start #{self.starts + 1} =====\n")
        log.flush()
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no message given back, whatever was running dies.
        Stays down (the supervisor leaves it alone) until start() is called again."""
        with self.lock:
            self.planned_down = True
            if self.proc and self.proc.poll() is None:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def restart_if_dead(self) -> int | None:
        """The supervisor's check: the exit status of an unplanned death (restarted), else None."""
        with self.lock:
            if self.planned_down or not self.proc or self.proc.poll() is None:
                return None
            code = self.proc.returncode
            self._start()
            return code

    def stop(self) -> None:
        self.planned_down = True
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return bool(self.proc) and self.proc.poll() is None


class Stack:
    """PostgreSQL + Redis + gunicorn (+ workers and beat when asked), in one folder."""

    def __init__(self, *, database: str, extra_env: dict | None = None, workers: int = 2, beat: bool = True,
                 web_workers: int = 3, worker_concurrency: int = 4, keep: bool = False):
        self.folder = Path(tempfile.mkdtemp(prefix="concert-reliability-"))
        self.keep = keep
        self.pg = Postgres(self.folder)
        self.redis = Redis(self.folder)
        self.database = database
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
            "DATABASE_URL": self.pg.url(database),
            "CELERY_BROKER_URL": self.redis.url(0),
            "SECRET_KEY": "reliability-test-secret-key-not-for-production-0123456789",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",  # gunicorn speaks plain http on loopback here
            "SITE_URL": self.base_url,
            "EMAIL_URL": "dummymail://",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **(extra_env or {}),
        }
        self.services: dict[str, Service] = {}
        # Unplanned exits, restarted as Docker Compose's `restart: unless-stopped` would.
        self.unplanned_exits: list[str] = []
        self._supervising = threading.Event()
        self.web = Service("web", [PYTHON, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{self.web_port}",
                                   "-w", str(web_workers), "--timeout", "30", "--graceful-timeout", "5",
                                   "--access-logfile", "-"], self.env, self.folder)
        self.services["web"] = self.web
        self.workers = []
        for i in range(workers):
            name = f"worker{chr(ord('A') + i)}"
            # A threads pool keeps a worker one process: SIGKILL kills all of it at once,
            # like an OOM kill or a lost machine, with no child left to finish the task.
            svc = Service(name, [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=threads",
                                 f"--concurrency={worker_concurrency}", "-n", f"{name}@%h",
                                 "-Q", "evaluation,delivery,periodic,celery", "--without-gossip", "--without-mingle",
                                 "--loglevel=INFO"], self.env, self.folder)
            self.workers.append(svc)
            self.services[name] = svc
        if beat:
            self.services["beat"] = Service("beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "--scheduler",
                                                     "django_celery_beat.schedulers:DatabaseScheduler",
                                                     "--loglevel=INFO"], self.env, self.folder)

    # --- life cycle ------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        self.pg.init()
        self.pg.start()
        self.pg.createdb(self.database)
        self.redis.start()
        os.environ.update(self.env)

    def boot(self, build_world):
        """Start PostgreSQL and Redis, migrate, build the test world from this process
        through Django, then start the app's processes. Returns what build_world built."""
        self.start_infrastructure()
        self.migrate()
        import django

        django.setup()
        from django.db import connection

        world = build_world()
        # Closed now, so the checks after the run open a fresh connection rather than
        # one that the faults in between may have broken.
        connection.close()
        self.start_services()
        return world

    def migrate(self) -> None:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        # As in production (Dockerfile): gunicorn with DEBUG off serves the hashed
        # manifest that WhiteNoise reads from STATIC_ROOT (git-ignored staticfiles/).
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env,
                       check=True)

    def start_services(self) -> None:
        for svc in self.services.values():
            svc.start()
        wait_until(lambda: self.http_ok("/accounts/login/"), 60, what="gunicorn up")
        self._started_at = time.monotonic()
        self._supervising.set()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _supervise(self) -> None:
        while self._supervising.is_set():
            for name, svc in self.services.items():
                code = svc.restart_if_dead()
                if code is not None:
                    self.unplanned_exits.append(f"{name} exited with status {code} at "
                                                f"{time.monotonic() - self._started_at:.1f}s; restarted")
            time.sleep(0.5)

    def http_ok(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def restart_redis(self, down_seconds: float) -> None:
        self.redis.stop()
        time.sleep(down_seconds)
        self.redis.start()

    def close(self) -> None:
        self._supervising.clear()
        for svc in reversed(list(self.services.values())):
            svc.stop()
        self.redis.stop()
        self.pg.stop()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.folder / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def record_crash(stack: "Stack", failures: list[str], exc: Exception) -> None:
    """A script that dies mid-run still says why, with each process's last words."""
    import traceback

    traceback.print_exc()
    failures.append(f"{exc.__class__.__name__}: {exc}")
    for name in stack.services:
        print(f"--- {name} log tail ---\n{stack.tail(name, 15)}")


def exit_status(failures: list[str], started: float) -> int:
    """Print the verdict the way tests/reliability/test_*_short.py read it, and return it."""
    if failures:
        print("FAIL")
        for line in failures:
            print("  -", line)
        return 1
    print(f"PASS ({time.monotonic() - started:.1f}s)")
    return 0
