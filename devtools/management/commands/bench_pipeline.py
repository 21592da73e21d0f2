"""End-to-end checks per second through real worker processes on the broker.

A local HTTP snapshot camera serves one JPEG; every camera takes a burst of three frames one
second apart (`--interval`). The command creates synthetic offices with cameras and one pending
slot each (committed: the workers are other processes; deleted at the end), starts the workers,
lets the real tick path publish the checks, and measures what gets recorded in the window.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from cameras.models import Camera, Observation, ObservationStatus
from compliance.tasks import tick_and_publish
from kelurahan_monitor.celery import app
from places.models import Kecamatan, LocalGovernment, Office

REPO = Path(__file__).resolve().parents[3]
_BENCH_GOVERNMENT = "99.98"


def _camera_server(jpeg: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(jpeg)))
            self.end_headers()
            self.wfile.write(jpeg)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _frame(path: str) -> bytes:
    if path:
        return Path(path).read_bytes()
    shared = REPO.parent / "shared" / "frames" / "obo_back_f0242.jpg"
    if shared.exists():
        return shared.read_bytes()
    rng = np.random.default_rng(7)
    image = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    return cv2.imencode(".jpg", image)[1].tobytes()


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and their children (from /proc), in seconds:
    the live children's own, and the finished ones' as their parent counts them (a prefork
    worker replaces a child that reached its task or memory limit)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        for member in [pid, *_children(pid)]:
            try:
                fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime, stime; for the worker itself also cutime, cstime (its reaped children).
            used = fields[11:15] if member == pid else fields[11:13]
            total += sum(int(value) for value in used) / ticks
    return total


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


class Command(BaseCommand):
    help = (
        "End-to-end checks/s through real workers on the broker against a local HTTP camera "
        "with --interval seconds between the frames of a burst. --pipeline split: a threads "
        "capture worker and a prefork count worker; single: prefork vision workers only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=int, default=30)
        parser.add_argument("--pipeline", choices=("split", "single"), default="split")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--frames", type=int, default=3)
        parser.add_argument("--count-processes", type=int, default=os.cpu_count() or 1)
        # Each capture thread holds a database connection: keep threads x machines under the
        # server's max_connections (or put PgBouncer in front).
        parser.add_argument("--capture-threads", type=int, default=20)
        parser.add_argument("--checks", type=int, default=0, help="default: 60 per second")
        parser.add_argument("--warmup", type=float, default=10.0)
        parser.add_argument("--frame", default="", help="JPEG the camera serves")

    def handle(self, *args: object, **options: object) -> None:
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            raise CommandError("needs a real broker: set CELERY_BROKER_URL=redis://…")
        if connection.vendor != "postgresql":
            raise CommandError("needs PostgreSQL: worker processes share the database")
        seconds = int(options["seconds"])  # type: ignore[call-overload]
        warmup = float(options["warmup"])  # type: ignore[arg-type]
        split = options["pipeline"] == "split"
        processes = int(options["count_processes"])  # type: ignore[call-overload]
        checks = int(options["checks"]) or 60 * (seconds + int(warmup))  # type: ignore[call-overload]
        server = _camera_server(_frame(str(options["frame"])))
        url = f"http://127.0.0.1:{server.server_address[1]}/snapshot.jpg"
        app.control.purge()
        ids = self._create(checks, url, int(options["frames"]), float(options["interval"]))  # type: ignore[call-overload, arg-type]
        workers: list[subprocess.Popen] = []
        log_dir = Path(settings.VAR_DIR) / "bench-pipeline"
        log_dir.mkdir(parents=True, exist_ok=True)
        try:
            counters: list[subprocess.Popen] = []
            if split:
                workers.append(
                    self._worker(log_dir, "capture", "threads", int(options["capture_threads"]))  # type: ignore[call-overload]
                )
                counters.append(self._worker(log_dir, "count", "prefork", processes))
            else:
                counters.append(self._worker(log_dir, "vision", "prefork", processes))
            workers += counters
            self._wait_ready(log_dir, len(workers))
            os.environ["CHECK_PIPELINE"] = "split" if split else "single"
            settings.CHECK_PIPELINE = "split" if split else "single"
            started = time.monotonic()
            published = tick_and_publish(timezone.now())
            window_start = timezone.now() + timedelta(seconds=warmup)
            time.sleep(warmup)
            cpu_before = _cpu_seconds([worker.pid for worker in counters])
            time.sleep(seconds)
            cpu_after = _cpu_seconds([worker.pid for worker in counters])
            window_end = timezone.now()
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(30)
                except subprocess.TimeoutExpired:
                    worker.kill()
            server.shutdown()
            app.control.purge()
        done = Observation.objects.filter(
            pk__in=ids,
            status=ObservationStatus.OK,
            recorded_at__gt=window_start,
            recorded_at__lte=window_end,
        )
        completed = done.count()
        counting_ms = sum(ms or 0 for ms in done.values_list("duration_ms", flat=True))
        recorded = Observation.objects.filter(pk__in=ids).exclude(status="pending").count()
        failed = (
            Observation.objects.filter(pk__in=ids)
            .exclude(status__in=("pending", "running", "ok"))
            .count()
        )
        self._delete()
        rate = completed / seconds
        cores = os.cpu_count() or 1
        busy_cpu = (cpu_after - cpu_before) / (seconds * processes)
        # The share of its time a counting process is not counting: idle between messages, or
        # (single pipeline) waiting on the camera inside the check. From the checks' own
        # counting time (duration_ms: decode, health, detection); in the single pipeline a
        # check's duration includes its capture, so the camera wait is measured as work
        # there and `cpu_share` tells the truth: the share of the process's time on a CPU.
        wait_share = max(0.0, 1.0 - counting_ms / 1000 / (seconds * processes))
        self.stdout.write(
            f"pipeline={'split' if split else 'single'} seconds={seconds} published={published} "
            f"recorded={recorded} failed={failed} checks_in_window={completed} elapsed_s="
            f"{time.monotonic() - started:.0f} count_processes={processes} "
            f"check_ms_median={(counting_ms / completed) if completed else 0:.0f}"
        )
        self.stdout.write(
            f"checks_per_second={rate:.2f} cores={cores} checks_per_second_per_core="
            f"{rate / cores:.2f} counting_wait_share={wait_share:.2f} "
            f"counting_cpu_share={busy_cpu:.2f}"
        )
        # On a shared machine the count processes get less than their cores: checks per second
        # of CPU they actually had is what one dedicated core would do.
        cpu_used = busy_cpu * processes
        self.stdout.write(
            f"checks_per_counting_cpu_second={(rate / cpu_used) if cpu_used else 0:.2f}"
        )

    def _create(self, count: int, url: str, frames: int, interval: float) -> list[int]:
        self._delete()
        government = LocalGovernment.objects.create(
            code=_BENCH_GOVERNMENT, name="Bench pipeline", kind="kota"
        )
        kecamatan = Kecamatan.objects.create(
            local_government=government, code=f"{_BENCH_GOVERNMENT}.01", name="B"
        )
        offices = Office.objects.bulk_create(
            Office(code=f"98.{n:06d}", name=f"P{n}", kecamatan=kecamatan) for n in range(count)
        )
        cameras = Camera.objects.bulk_create(
            Camera.for_office(
                office,
                name="c",
                source_url=url,
                burst_frames=frames,
                burst_interval_seconds=interval,
                timeout_seconds=10,
            )
            for office in offices
        )
        slot = timezone.now().replace(microsecond=0) - timedelta(seconds=5)
        rows = Observation.objects.bulk_create(
            Observation(
                camera=camera,
                slot=slot,
                office_date=timezone.localdate(slot),
                kind="opening",
                expires_at=slot + timedelta(minutes=30),
            )
            for camera in cameras
        )
        return [row.pk for row in rows]

    def _delete(self) -> None:
        Observation.objects.filter(camera__local_government__code=_BENCH_GOVERNMENT).delete()
        Camera.objects.filter(local_government__code=_BENCH_GOVERNMENT).delete()
        Office.objects.filter(kecamatan__local_government__code=_BENCH_GOVERNMENT).delete()
        Kecamatan.objects.filter(local_government__code=_BENCH_GOVERNMENT).delete()
        LocalGovernment.objects.filter(code=_BENCH_GOVERNMENT).delete()

    def _worker(self, log_dir: Path, queue: str, pool: str, concurrency: int) -> subprocess.Popen:
        log = (log_dir / f"{queue}.log").open("w")
        return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kelurahan_monitor",
                "worker",
                "-l",
                "warning",
                "-P",
                pool,
                "-c",
                str(concurrency),
                "-Q",
                queue,
                "-n",
                f"bench-{queue}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=REPO,
            env=dict(os.environ, CAMERA_LOCAL_SOURCES="false"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_ready(self, log_dir: Path, expected: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=1.0) or []
            if len(replies) >= expected:
                return
        raise CommandError(f"workers did not start; see {log_dir}")
