"""End to end on 127.0.0.1: a working day with the link down from 06:00 to 14:00 gives the verdicts
the same day gives with the link up.

Real parts: the web process (gunicorn, restarted mid-batch), a Celery worker, PostgreSQL, six
agent processes (one killed mid-check and started again), a local HTTP camera serving real
photographs, and a TCP proxy. Three offices (on time, late, not opened) reach the server through
the proxy, which the test cuts from 06:00 to 14:00; three twin offices whose camera shows the
same scenes at the same moments reach it directly. Every process reads one simulated clock
(SPEED times real time from one shared epoch, written once every box is ready:
kelurahan_agent.simclock), so the day takes about a minute. The offices work a half day
(07:30-12:00, checks every 15 minutes from 07:00 to 12:30): once the link is back nothing new
is checked and each box's queue is the whole day. After the link is back the proxy loses the
server's answer to the first batch (the box sends it again), the web process is killed while
the second batch is on its way and the box sending the third is killed mid-upload, each then
started again: every record still arrives exactly once and each office's verdict equals its
twin's.
"""

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from agents import services
from agents.models import Agent, AgentRecord, AgentWarning
from cameras.models import Camera, Observation
from compliance.models import DailyVerdict, TickCursor
from compliance.tasks import plan_due_checks
from places.models import Office, OpeningHours
from tests.camservers.http_camera import DEFAULT_FRAMES_DIR
from tests.factories import CameraFactory
from tests.integration.agent_parts import (
    KILL_BOX,
    KILL_SERVER,
    LOSE_ANSWER,
    PASS,
    CuttableProxy,
    agent_command,
    box_records,
)
from tests.integration.conftest import _database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)  # a working day: opening 07:30, 15 minutes' grace
SPEED = 720.0  # simulated seconds per real second: 06:00 -> 14:00 in 40 s
START = datetime.combine(TUESDAY, clock_time(6, 0), tzinfo=WITA)
LINK_BACK = datetime.combine(TUESDAY, clock_time(14, 0), tzinfo=WITA)
# Staff arrive on a check's instant (the office checks every 15 minutes): 07:15 is on time,
# 08:30 late; the third office never opens. (expected verdict, arrival)
DAYS = [("on_time", clock_time(7, 15)), ("late", clock_time(8, 30)), ("not_opened", None)]
THROUGH_PROXY = ["74.71.01.1005", "74.71.01.1006", "74.71.01.1007"]
DIRECT = ["74.71.01.1008", "74.71.01.1009", "74.71.01.1010"]
# The same room with one member of staff in three places, and empty (../shared/frames).
STAFF_FRAMES = ["obo_back_f0242.jpg", "obo_back_f0969.jpg", "obo_back_f1271.jpg"]
EMPTY_FRAME = "obo_empty_f0000.jpg"


class SimulatedClock:
    """The test's reading of the shared clock: START at `epoch` (a Unix time)."""

    def __init__(self, epoch: float) -> None:
        self.epoch = epoch

    def __call__(self) -> datetime:
        return START + timedelta(seconds=max(0.0, time.time() - self.epoch) * SPEED)

    def sleep_until(self, moment: datetime) -> None:
        time.sleep(max(0.0, (moment - START).total_seconds() / SPEED - (time.time() - self.epoch)))


class StaffedCamera:
    """A loopback HTTP camera per office (/<office code>.jpg): the empty room until the office's
    staff arrive, then the room with staff, each frame stamped with the simulated time the way
    a CCTV camera stamps its picture (so no two frames are the same)."""

    def __init__(self, arrivals: dict[str, datetime | None], clock: Callable[[], datetime]):
        def load(name: str) -> np.ndarray:
            image = cv2.imread(str(DEFAULT_FRAMES_DIR / name))
            assert image is not None, f"missing frame {name} in {DEFAULT_FRAMES_DIR}"
            return image

        self.staff = [load(name) for name in STAFF_FRAMES]
        self.empty = load(EMPTY_FRAME)
        self.arrivals = arrivals
        self.clock = clock
        self.turn = itertools.count()
        self.hold_code = ""
        self.hold_after = START
        self.held = threading.Event()  # a request is being held
        self.release = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code = self.path.strip("/").removesuffix(".jpg")
                if code not in camera.arrivals:
                    self.send_error(404)
                    return
                body = camera.picture(code)
                if camera.holds(code):
                    camera.release.wait(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the box was killed while it waited

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]

    def hold(self, code: str, after: datetime) -> None:
        """Hold the first picture `code`'s box asks for after `after` until `release` is set:
        the box is then in the middle of a check."""
        self.hold_code, self.hold_after = code, after

    def holds(self, code: str) -> bool:
        if code != self.hold_code or self.held.is_set() or self.clock() < self.hold_after:
            return False
        self.held.set()
        return True

    def picture(self, code: str) -> bytes:
        now = self.clock()
        arrival = self.arrivals[code]
        staffed = arrival is not None and now >= arrival
        frame = (self.staff[next(self.turn) % 3] if staffed else self.empty).copy()
        stamp = now.astimezone(WITA).strftime("%Y-%m-%d %H:%M:%S")
        cv2.putText(frame, stamp, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        return jpeg.tobytes()

    def url(self, code: str) -> str:
        return f"http://127.0.0.1:{self.port}/{code}.jpg"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebProcess:
    """gunicorn on the shared simulated clock (tests/integration/simulated_web.py)."""

    def __init__(self, tmp_path: Path, epoch_file: Path, secret_key: str) -> None:
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = probe.getsockname()[1]
        self.log_path = tmp_path / "web.log"
        self.epoch_file = epoch_file
        self.env = dict(
            os.environ,
            DATABASE_URL=_database_url(),
            SECRET_KEY=secret_key,
            KM_VAR_DIR=str(tmp_path / "web-var"),
            DJANGO_SETTINGS_MODULE="kelurahan_monitor.settings",
            # Six boxes living a day in a minute talk to the server 720 times as often.
            API_AGENT_RATE="100000/minute",
            API_AGENT_ENROL_RATE="1000/minute",
        )
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.killed = threading.Event()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "tests.integration.simulated_web",
                "--bind", f"127.0.0.1:{self.port}", "--start", START.isoformat(),
                "--speed", str(SPEED), "--epoch-file", str(self.epoch_file),
            ],
            cwd=REPO, env=self.env, stdout=self.log_path.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.starts += 1
        wait_for(self.answers, 60, f"the web process did not start:\n{self.log()}")

    def answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log()
        try:
            urllib.request.urlopen(f"{self.url}/api/v1/agent/config/", timeout=2)
        except urllib.error.HTTPError:
            return True  # 401 without a token: it is serving
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the master and its worker: a crash, nothing flushed or answered."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.killed.set()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


def proxy_plan(n: int) -> str:
    """After the link is back: the first batch loses its answer, the second kills the server,
    the third kills the box sending it."""
    return {1: LOSE_ANSWER, 2: KILL_SERVER, 3: KILL_BOX}.get(n, PASS)


def test_a_day_with_the_link_down_until_14_00_gets_the_verdicts_of_the_same_day_with_it_up(
    kendari, start_worker, tmp_path, settings
):
    agents: dict[str, Agent] = {}
    arrivals: dict[str, datetime | None] = {}
    expected: dict[str, str] = {}
    for (verdict, arrival), twins in zip(
        DAYS, zip(THROUGH_PROXY, DIRECT, strict=True), strict=True
    ):
        for code in twins:
            office = Office.objects.get(code=code)
            office.opening_interval_minutes = 15
            office.save(update_fields=["opening_interval_minutes"])
            # A half day (this Tuesday the office closes at 12:00): the last check is at 12:30,
            # so once the link is back at 14:00 the queues hold the whole day and no more.
            OpeningHours.objects.create(
                local_government=office.kecamatan.local_government,
                office=office,
                weekday=OpeningHours.Weekday.TUESDAY,
                opens_at=clock_time(7, 30),
                closes_at=clock_time(12, 0),
            )
            CameraFactory(office=office, burst_frames=1, burst_interval_seconds=0)
            agents[code] = Agent.objects.create(office=office, name=f"kotak-{code}")
            arrivals[code] = datetime.combine(TUESDAY, arrival, WITA) if arrival else None
            expected[code] = verdict
    epoch_file = tmp_path / "epoch"
    web = WebProcess(tmp_path, epoch_file, settings.SECRET_KEY)
    proxy: CuttableProxy | None = None
    camera: StaffedCamera | None = None
    boxes: dict[str, subprocess.Popen] = {}
    homes = {code: tmp_path / f"box-{code}" for code in agents}
    log = tmp_path / "agents.log"
    clock = SimulatedClock(float("inf"))
    worker = start_worker(queues="default,scheduling")
    try:
        web.start()
        box_killed: list[str] = []

        def kill_box(token: str) -> None:
            code = next(c for c, h in homes.items() if token in (h / "agent.json").read_text())
            boxes[code].send_signal(signal.SIGKILL)
            box_killed.append(code)

        proxy = CuttableProxy(web.port, proxy_plan, kill_server=web.kill, kill_box=kill_box)
        camera = StaffedCamera(arrivals, clock)
        # Enrolment at 06:00 (the server's clock stands there until the day starts).
        enrolments = {}
        for code, agent in agents.items():
            server = f"http://127.0.0.1:{proxy.port}" if code in THROUGH_PROXY else web.url
            once = services.issue_enrolment_code(agent, START)
            enrolments[code] = subprocess.Popen(
                agent_command(homes[code], "enrol", server, once, "--camera", camera.url(code)),
                cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
        for code, process in enrolments.items():
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 0, f"{code}: {output}"
            assert oct((homes[code] / "agent.json").stat().st_mode & 0o777) == "0o600"
        # The camera's address stays on the box: the server never learns it.
        assert not any(
            camera.url(code) in url for url in Camera.objects.values_list("source_url", flat=True)
        )

        proxy.cut()  # the link is down from 06:00 ...
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

        def start_box(code: str) -> None:
            boxes[code] = subprocess.Popen(
                agent_command(
                    homes[code], "run", "--simulate-from", START.isoformat(),
                    "--speed", str(SPEED), "--simulate-epoch-file", str(epoch_file),
                ),
                cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=log.open("a"),
                stderr=subprocess.STDOUT,
            )  # fmt: skip

        for code in homes:
            start_box(code)

        wait_for(
            lambda: log.read_text().count(" ready: ") == len(boxes),
            60,
            f"the boxes did not start:\n{log.read_text()[-3000:]}",
        )
        # ... when the simulated day starts for everyone, once the boxes have loaded their models
        # (every clock stands at 06:00 until then).
        clock.epoch = time.time()
        epoch_file.write_text(repr(clock.epoch))
        # The on-time office's box is killed in the middle of its 10:00 check (the camera holds
        # the picture it asked for) and started again: the check leaves nothing half-written.
        killed = THROUGH_PROXY[0]
        camera.hold(killed, datetime.combine(TUESDAY, clock_time(10, 0), WITA))
        assert camera.held.wait(60), f"no 10:00 check:\n{log.read_text()[-3000:]}"
        boxes[killed].send_signal(signal.SIGKILL)
        boxes[killed].wait(timeout=10)
        camera.release.set()
        queued_when_killed = len(box_records(homes[killed]))
        start_box(killed)
        clock.sleep_until(LINK_BACK - timedelta(minutes=20))
        assert len(box_records(homes[killed])) > queued_when_killed
        for code in THROUGH_PROXY:
            assert not Observation.objects.filter(camera__office__code=code).exists()
            assert len(box_records(homes[code])) >= 14, log.read_text()[-3000:]
        for code in DIRECT:  # the twins' records arrived as they were taken
            assert Observation.objects.filter(camera__office__code=code).count() >= 15
        clock.sleep_until(LINK_BACK)
        proxy.restore()  # ... and back at 14:00.

        assert web.killed.wait(60), f"no batch came through the proxy:\n{log.read_text()[-3000:]}"
        assert web.process is not None
        web.process.wait(timeout=10)
        web.start()  # the server comes back on the same timeline
        # ... and a box killed in the middle of an upload is started again.
        wait_for(lambda: box_killed, 60, f"no third batch:\n{log.read_text()[-3000:]}")
        boxes[box_killed[0]].wait(timeout=10)
        start_box(box_killed[0])

        def drained() -> bool:
            for code, home in homes.items():
                records = box_records(home)
                if not records or any(state != "acked" for _, _, state, _ in records):
                    return False
                if Observation.objects.filter(camera__office__code=code).count() < len(records):
                    return False
            return True

        wait_for(drained, 90, f"the queues did not drain:\n{log.read_text()[-3000:]}")
        stopped_at = clock()
        for process in boxes.values():
            process.send_signal(signal.SIGTERM)
        for process in boxes.values():
            process.wait(timeout=30)
        records = {code: box_records(home) for code, home in homes.items()}
    finally:
        for process in boxes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        web.stop()
        if proxy is not None:
            proxy.close()
        if camera is not None:
            camera.stop()

    assert stopped_at > LINK_BACK
    assert web.starts == 2
    # The proxy lost the answer to the first batch: the same records went again, and the
    # server, which had kept them, acknowledged them without keeping them twice.
    uploads = proxy.batch_uploads()
    assert proxy.actions[:3] == [LOSE_ANSWER, KILL_SERVER, KILL_BOX]
    assert uploads[0] in uploads[1:], uploads

    # Nothing lost, nothing twice: one unbroken chain per box, one observation per record.
    for code, queued in records.items():
        sequences = [sequence for sequence, *_ in queued]
        assert sequences == list(range(1, len(queued) + 1)), code
        assert len({slot for _, slot, _, _ in queued}) == len(queued), code
        server_slots = sorted(
            o.isoformat()
            for o in Observation.objects.filter(camera__office__code=code).values_list(
                "slot", flat=True
            )
        )
        receipts = list(
            AgentRecord.objects.filter(agent=agents[code])
            .order_by("sequence")
            .values_list("sequence", "slot", "observation_id", "received_at", "refused")
        )
        assert len(server_slots) == len(queued), (code, server_slots, queued, receipts)
        assert AgentRecord.objects.filter(agent=agents[code]).count() == len(queued)
        assert not AgentRecord.objects.filter(agent=agents[code]).exclude(refused="").exists()
    assert not AgentWarning.objects.filter(agent__in=agents.values()).exists()

    # The worker's tick judges the day from what arrived (its clock is the real one, days on).
    TickCursor.objects.update_or_create(
        name="verdicts", defaults={"facts_until": (START - timedelta(hours=1)).astimezone(UTC)}
    )
    plan_due_checks.delay()
    wait_for(
        lambda: DailyVerdict.objects.filter(date=TUESDAY, office__code__in=agents).count() == 6,
        60,
        f"no verdicts:\n{worker.log()[-3000:]}",
    )
    verdicts = {
        v.office.code: v
        for v in DailyVerdict.objects.filter(date=TUESDAY).select_related("office")
        if v.office.code in agents
    }
    for down, up in zip(THROUGH_PROXY, DIRECT, strict=True):
        assert verdicts[down].status == expected[down], (down, verdicts[down].status)
        assert (verdicts[down].status, verdicts[down].opened_at) == (
            verdicts[up].status,
            verdicts[up].opened_at,
        ), (down, up)
        assert verdicts[down].is_final
    opened = {code: verdicts[code].opened_at for code in THROUGH_PROXY}
    assert opened[THROUGH_PROXY[0]] == arrivals[THROUGH_PROXY[0]]
    assert opened[THROUGH_PROXY[1]] == arrivals[THROUGH_PROXY[1]]
    assert opened[THROUGH_PROXY[2]] is None
