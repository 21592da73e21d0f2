"""Chaos: workers killed again and again while checks run, a broker that refuses a tick, then
recovery. Every slot ends in exactly one final state; none is lost, none duplicated.

Real worker processes, PostgreSQL and Redis; the tick runs here every two seconds with the real
clock, and the check lease (CHECK_LEASE_SECONDS) and the redispatch of a check whose message was
lost with a killed worker (CHECK_REDISPATCH_SECONDS) are shortened so recovery fits in a test.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from cameras.models import Evidence, Observation, ObservationStatus
from compliance.tasks import tick_and_publish
from places.models import Office
from tests.factories import CameraFactory
from tests.integration.conftest import REPO, _database_url
from tests.integration.test_lost_checks import kill_worker, pool_children

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SLOTS = 16
LEASE_S = 12
REDISPATCH_S = 20
KILLS = 8
UNSETTLED = (ObservationStatus.PENDING, ObservationStatus.RUNNING)


class SlowCamera:
    """A snapshot camera that answers each request after `delay_s`: checks are in flight
    when the workers die."""

    def __init__(self, jpeg: bytes, delay_s: float) -> None:
        self.requests = 0

        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                camera.requests += 1
                time.sleep(delay_s)
                # The checking worker may have been killed meanwhile.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(jpeg)))
                    self.end_headers()
                    self.wfile.write(jpeg)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/snapshot.jpg"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def tick_with_refused_broker() -> subprocess.CompletedProcess:
    environ = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL="redis://127.0.0.1:9/0",
        DJANGO_SETTINGS_MODULE="kelurahan_monitor.settings",
        CHECK_LEASE_SECONDS=str(LEASE_S),
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from compliance.tasks import plan_due_checks; "
            "print('published', plan_due_checks())",
        ],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Its own deadline (420 s) decides; under a loaded full run the kill-and-restart cycles take
# longer than the suite's default 300 s, and a timeout mid-cycle leaves nothing to learn from.
@pytest.mark.timeout(480)
def test_kills_and_a_refused_broker_lose_no_slot(start_worker, kendari, shared_dir, settings):
    settings.CHECK_LEASE_SECONDS = LEASE_S
    settings.CHECK_REDISPATCH_SECONDS = REDISPATCH_S
    jpeg = (shared_dir / "frames" / "obo_back_f0242.jpg").read_bytes()
    camera = SlowCamera(jpeg, delay_s=1.5)
    # The office is not in the tick's plan (inactive): only the test's slots run.
    office = Office.objects.get(code="74.71.01.1005")
    Office.objects.filter(pk=office.pk).update(active=False)
    slot = timezone.now().replace(microsecond=0)
    ids = [
        Observation.objects.create(
            camera=CameraFactory(
                office=office,
                name=f"Kamera {n}",
                source_url=camera.url,
                burst_frames=1,
                burst_interval_seconds=0,
                timeout_seconds=20,
            ),
            slot=slot,
            office_date=timezone.localdate(slot),
            kind="opening",
            expires_at=slot + timedelta(minutes=10),
        ).pk
        for n in range(SLOTS)
    ]
    worker_env = {"CHECK_LEASE_SECONDS": str(LEASE_S)}
    worker = start_worker(concurrency=2, queues="vision", **worker_env)
    try:
        kills: list[str] = []
        refused = None
        last_kill = time.monotonic()
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            tick_and_publish(timezone.now())
            rows = Observation.objects.filter(pk__in=ids)
            running = rows.filter(status=ObservationStatus.RUNNING).count()
            if len(kills) < KILLS and running:
                if len(kills) % 3 == 2:
                    kill_worker(worker.process.pid)  # the main process and its pool
                    worker.process.wait(10)
                    worker = start_worker(concurrency=2, queues="vision", **worker_env)
                    kills.append("main")
                else:
                    children = pool_children(worker.process.pid)
                    if children:
                        os.kill(children[0], signal.SIGKILL)
                        kills.append("child")
                last_kill = time.monotonic()
            if len(kills) == KILLS // 2 and refused is None:
                refused = tick_with_refused_broker()
            if len(kills) >= KILLS and not rows.filter(status__in=UNSETTLED).exists():
                break
            time.sleep(2)
        recovery = time.monotonic() - last_kill
    finally:
        camera.stop()
    assert len(kills) >= KILLS - 2, kills
    assert {"main", "child"} <= set(kills), kills
    assert refused is not None
    assert refused.returncode == 0, refused.stderr[-2000:]
    assert "published 0" in refused.stdout
    final = dict(Observation.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert sorted(final) == sorted(ids)  # none lost
    assert not [pk for pk, status in final.items() if status in UNSETTLED], final
    # None duplicated: one row per slot, at most one evidence file per row.
    assert Observation.objects.filter(camera__office=office, slot=slot).count() == SLOTS
    assert Evidence.objects.filter(observation_id__in=ids).count() == sum(
        status == ObservationStatus.OK for status in final.values()
    )
    ok = sum(status == ObservationStatus.OK for status in final.values())
    assert ok >= SLOTS - 3, final  # only a slot whose worker died three times is an error
    sys.stderr.write(
        f"\nchaos: kills={len(kills)} ({kills.count('main')} main, {kills.count('child')} pool) "
        f"ok={ok} other={SLOTS - ok} recovery_after_last_kill_s={recovery:.1f} "
        f"lease_s={LEASE_S}\n"
    )
