"""The servers of a benchmark run: gunicorn, Celery workers and beat as subprocesses on
spare loopback ports, each in its own process group so that stopping it stops its
children too; and when each webhook reached the receiver, which runs as a thread of
the benchmark itself."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from testkit.host import free_port
from testkit.receiver import Receiver, status

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class WebhookArrivals:
    """When each webhook (by situation id) and each baseline ping (by tag) first reached
    the receiver (testkit/receiver.py), on the monotonic clock; a webhook whose signature
    does not verify is refused and counted. The pings carry no signature."""

    def __init__(self, secret: str):
        self.webhooks: dict[int, float] = {}
        self.pings: dict[str, float] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.receiver = Receiver(self._answer, secret=secret).start()
        self.url = self.receiver.url

    def _answer(self, handler) -> None:
        recorded = handler.recorded
        data = json.loads(recorded["body"] or b"{}")
        with self.lock:
            if "bench_tag" in data:
                self.pings.setdefault(data["bench_tag"], recorded["received"])
            elif recorded["signature_valid"]:
                self.webhooks.setdefault(data["situation"]["id"], recorded["received"])
            else:
                self.bad_signatures += 1
        status(204 if "bench_tag" in data or recorded["signature_valid"] else 401)(handler)

    def stop(self) -> None:
        self.receiver.stop()


class Process:
    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.log = name, log
        self.offset = log.stat().st_size if log.exists() else 0  # this start's lines begin here
        self.handle = open(log, "ab")
        self.popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        # Children the group leader left behind (a pool process mid-task) go too.
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.handle.close()

    def tree(self) -> list[int]:
        """The leader and every descendant."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def peak_memory_mb(self) -> dict[str, float]:
        """VmHWM (peak resident set) of each process of the tree, in MiB."""
        peaks = {}
        for pid in self.tree():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[f"{self.name}:{pid}"] = round(int(line.split()[1]) / 1024, 1)
            except OSError:
                continue
        return peaks


class Servers:
    """gunicorn, the Celery workers and beat of one run."""

    def __init__(self, env: dict, logs: Path, *, web_workers: int, eval_concurrency: int,
                 delivery_concurrency: int):
        self.env, self.logs = env, logs
        self.web_workers = web_workers
        self.eval_concurrency, self.delivery_concurrency = eval_concurrency, delivery_concurrency
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.web = self.beat = None
        self.workers: list[Process] = []

    def start(self) -> None:
        self.web = Process("gunicorn", [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{self.port}",
                                        "-w", str(self.web_workers), "--timeout", "60", "--log-level", "warning"],
                           self.env, self.logs / "gunicorn.log")
        self.start_workers()
        self.beat = Process("beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "WARNING",
                                     "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
                            self.env, self.logs / "beat.log")
        self.wait_web()

    def start_workers(self) -> None:
        # Evaluation and the scans are CPU and database work: a prefork pool per core.
        # Delivery waits on the network: threads.
        self.workers = [
            Process("worker-evaluation", [str(BIN / "celery"), "-A", "config", "worker", "-n", "bench-eval@%h",
                                          "-Q", "evaluation,periodic,celery", "-P", "prefork",
                                          "-c", str(self.eval_concurrency), "--loglevel", "INFO", "--without-gossip",
                                          "--without-mingle", "--without-heartbeat"],
                    self.env, self.logs / "worker-evaluation.log"),
            Process("worker-delivery", [str(BIN / "celery"), "-A", "config", "worker", "-n", "bench-delivery@%h",
                                        "-Q", "delivery", "-P", "threads", "-c", str(self.delivery_concurrency),
                                        "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                                        "--without-heartbeat"],
                    self.env, self.logs / "worker-delivery.log"),
        ]
        self.wait_workers()

    def restart_workers(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.start_workers()

    def wait_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web.popen.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.web.log}")
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def wait_workers(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            while b"ready." not in worker.log.read_bytes()[worker.offset:]:
                if worker.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{worker.name} did not start; see {worker.log}")
                time.sleep(0.2)

    def worker_memory(self) -> dict[str, float]:
        peaks = {}
        for worker in self.workers:
            peaks.update(worker.peak_memory_mb())
        return peaks

    def stop(self) -> None:
        for process in [self.beat, *self.workers, self.web]:
            if process is not None:
                process.stop()
