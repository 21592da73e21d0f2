"""End to end on 127.0.0.1: the real server (live server + worker + PostgreSQL), a real agent
process checking a local HTTP camera, and a TCP proxy between them that the test cuts.

The agent lives through a simulated morning (its clock runs 06:30 -> 09:30 at SPEED times real
time) with the link down until 08:30; it is killed mid-morning and restarted. After the link is
back every record reaches the server exactly once and the day's verdict is the one the same
observations give a server that had the link all along.
"""

import json
import os
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agents import services
from agents.models import Agent, AgentRecord, AgentWarning
from cameras.models import Observation
from compliance import domain, verdict_batches
from compliance import services as compliance
from compliance.models import DailyVerdict, TickCursor
from compliance.tasks import plan_due_checks
from places import calendar
from places.models import Office
from tests.camservers.http_camera import OPEN_PATH, shared_frames, start_http_camera
from tests.factories import CameraFactory
from tests.integration.agent_parts import CuttableProxy, agent_command, box_records
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)
SPEED = 60.0  # simulated seconds per real second: a 5-minute slot every 5 s


def start_agent(home: Path, start: datetime, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        agent_command(home, "run", "--simulate-from", start.isoformat(), "--speed", str(SPEED)),
        cwd=REPO,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def simulated_now(start: datetime, began: float) -> datetime:
    return start + timedelta(seconds=(time.monotonic() - began) * SPEED)


def test_a_morning_with_the_link_down_arrives_whole_and_judged_as_with_the_link_up(
    live_server, kendari, start_worker, tmp_path, settings, time_machine
):
    settings.CAMERA_LOCAL_SOURCES = True
    # The server's clock: the box enrols the evening before the Tuesday, and its data arrives
    # in the night after it (the worker's own clock is the real one, days later).
    time_machine.move_to(datetime.combine(TUESDAY, datetime.min.time(), WITA) - timedelta(hours=4))
    office = Office.objects.get(code="74.71.01.1005")
    camera_row = CameraFactory(office=office, burst_frames=1, burst_interval_seconds=0)
    agent = Agent.objects.create(office=office, name="kotak-e2e")
    code = services.issue_enrolment_code(agent, datetime.now(UTC))
    worker = start_worker(queues="default,scheduling")
    camera = start_http_camera(shared_frames(), size=(640, 360))
    port = int(live_server.url.rsplit(":", 1)[1])
    proxy = CuttableProxy(port)
    home = tmp_path / "box"
    log = tmp_path / "agent.log"
    process: subprocess.Popen | None = None
    try:
        enrol = subprocess.run(
            agent_command(
                home, "enrol", f"http://127.0.0.1:{proxy.port}", code, "--camera",
                camera.url(OPEN_PATH),
            ),
            cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert enrol.returncode == 0, enrol.stderr
        assert oct((home / "agent.json").stat().st_mode & 0o777) == "0o600"
        assert camera.url(OPEN_PATH) not in json.dumps(
            [a.source_url for a in type(camera_row).objects.all()]
        )

        night_after = datetime.combine(TUESDAY + timedelta(days=1), datetime.min.time(), WITA)
        time_machine.move_to(night_after + timedelta(minutes=30))
        proxy.cut()  # the link is down from 06:30 (the simulated start) ...
        start = datetime.combine(TUESDAY, datetime.min.time(), WITA).replace(hour=6, minute=30)
        began = time.monotonic()
        process = start_agent(home, start, log)
        # ... the box checks on its own clock meanwhile; kill it mid-morning, start it again.
        wait_for(lambda: len(box_records(home)) >= 6, 120, f"no checks:\n{log.read_text()[-3000:]}")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        killed_at = len(box_records(home))
        process = start_agent(home, simulated_now(start, began), log)
        until_830 = (
            datetime.combine(TUESDAY, datetime.min.time(), WITA).replace(hour=8, minute=30) - start
        )
        time.sleep(max(0.0, until_830.total_seconds() / SPEED - (time.monotonic() - began)))
        assert not Observation.objects.filter(camera__office=office).exists()
        assert len(box_records(home)) > killed_at
        proxy.restore()  # ... and back at 08:30.
        end_930 = until_830 + timedelta(hours=1)
        time.sleep(max(0.0, end_930.total_seconds() / SPEED - (time.monotonic() - began)))
        records = box_records(home)
        wait_for(
            lambda: (
                Observation.objects.filter(camera__office=office).count()
                >= len([r for r in box_records(home) if r[2] != "refused"])
                and all(r[2] == "acked" for r in box_records(home))
            ),
            120,
            f"the queue did not drain:\n{log.read_text()[-3000:]}",
        )
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        records = box_records(home)
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        proxy.close()
        camera.stop()

    # Nothing lost, nothing twice: one unbroken chain, one observation per record.
    sequences = [r[0] for r in records]
    assert sequences == list(range(1, len(records) + 1))
    assert len({r[1] for r in records}) == len(records)
    observations = Observation.objects.filter(camera__office=office)
    assert observations.count() == len(records)
    assert AgentRecord.objects.filter(agent=agent).count() == len(records)
    assert not AgentWarning.objects.filter(agent=agent).exists()

    # The worker's tick (through the broker) judges the day from the late data: its cursor
    # stood where the server's clock was when the link came back.
    TickCursor.objects.update_or_create(
        name="verdicts", defaults={"facts_until": night_after.astimezone(UTC)}
    )
    plan_due_checks.delay()
    wait_for(
        lambda: DailyVerdict.objects.filter(office=office, date=TUESDAY).exists(),
        60,
        f"no verdict:\n{worker.log()[-3000:]}",
    )
    late_data = DailyVerdict.objects.get(office=office, date=TUESDAY)
    # ... as a server with the link up judges the same observations.
    office_day = calendar.office_day_for(office, TUESDAY)
    link_up = domain.decide_verdict(
        office_day,
        sorted(compliance.check_results(observations), key=lambda c: c.slot),
        verdict_batches.check_policy_for(office),
        None,
        zone=WITA,
    )
    assert late_data.status == link_up.kind.value
    assert late_data.opened_at == link_up.opened_at
    assert late_data.is_final
