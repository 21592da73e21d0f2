# ruff: noqa: T201, S603 - a measuring script: it prints, and runs the camera and the agent
"""The office agent's CPU per check and its memory, against a local HTTP camera of real frames.

    .venv/bin/python benchmarks/agent_check.py --checks 10

Starts the fake HTTP camera (tests/camservers/http_camera.py: the photographs of ../shared/frames,
1280x720 JPEG) in its own process, writes an agent home as `enrol` leaves it (the server
address points at a closed port: the records stay queued, as offline), and runs the box's own
`check_now` (capture burst, frame health, counting, blurred evidence, queue) repeatedly in
this process. CPU is this process's (user + system), so the camera's serving is not counted.
Prints the first check (model loading included), the median of the others, the process's peak
resident memory, and the one-shot `kelurahan-agent check-now` command's CPU and peak memory.
No Django is imported.
"""

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.domain.plan_inputs import office_day_to_dict, policy_to_dict  # noqa: E402
from compliance.domain import CheckPolicy, DayStatus, OfficeDay  # noqa: E402
from compliance.domain.types import DayHours  # noqa: E402
from tests.camservers.http_camera import DEFAULT_PASSWORD, OPEN_PATH  # noqa: E402

ZONE = ZoneInfo("Asia/Makassar")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_home(home: Path, camera_url: str, detector: str) -> None:
    today = datetime.now(ZONE).date()
    days = [
        office_day_to_dict(
            OfficeDay(today + timedelta(days=n), DayStatus.WORKING,
                      DayHours(clock_time(7, 30), clock_time(16)))
        )
        for n in range(-1, 3)
    ]  # fmt: skip
    config = {
        "office": {"id": 1, "code": "99.99.01.0001", "name": "Bench", "time_zone": ZONE.key},
        "policy": policy_to_dict(CheckPolicy()),
        "days": days,
        "cameras": [
            {
                "id": 1,
                "name": "Ruang pelayanan",
                "staff_zone": [],
                "ignore_zones": [],
                "reference_signature": "",
                "burst_frames": 3,
                "burst_interval_seconds": 1.0,
                "timeout_seconds": 10,
                "detector": detector,
            }
        ],
        "evidence_budget_bytes": 1_000_000,
        "agent": {"id": 1, "name": "bench"},
        "config_version": "bench",
        "chain": {"last_sequence": 0, "last_hash": ""},
    }
    state = {
        "server": "http://127.0.0.1:9",
        "token": "bench",
        "signing_key": "00" * 32,
        "agent_id": 1,
        "cameras": [{"url": camera_url, "username": "admin", "password": DEFAULT_PASSWORD}],
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.json").write_text(json.dumps(config))
    (home / "agent.json").write_text(json.dumps(state))
    os.chmod(home / "agent.json", 0o600)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--detector", default="", help="empty: the camera's default")
    args = parser.parse_args()
    port = free_port()
    camera = subprocess.Popen(
        [sys.executable, "-m", "tests.camservers.http_camera", "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            write_home(home, f"http://127.0.0.1:{port}{OPEN_PATH}", args.detector)
            before_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            from kelurahan_agent.agent import OfficeAgent

            agent = OfficeAgent(home)
            cpu, wall, statuses = [], [], []
            for _ in range(args.checks):
                started_cpu, started_wall = cpu_seconds(), time.perf_counter()
                sequences = agent.check_now()
                cpu.append(cpu_seconds() - started_cpu)
                wall.append(time.perf_counter() - started_wall)
                statuses += [str(len(sequences))]
                time.sleep(1.0)  # the next check gets its own second (its own key)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            queued = agent.store.pending(1000)
            found = sorted({(r.payload["status"], r.payload["people_total"]) for r in queued})
            print(f"checks={len(cpu)} records={len(queued)} (status, people)={found}")
            print(f"first_check_cpu_seconds={cpu[0]:.2f} wall_seconds={wall[0]:.2f}")
            print(
                f"check_cpu_seconds_median={statistics.median(cpu[1:]):.2f} "
                f"max={max(cpu[1:]):.2f} wall_median={statistics.median(wall[1:]):.2f}"
            )
            baseline_mb = before_import / 1024
            print(f"peak_rss_mb={peak_mb:.0f} (before the agent's imports: {baseline_mb:.0f})")
            agent.store.close()
            once = subprocess.run(
                ["/usr/bin/time", "-f", "%U %S %M", sys.executable, "-m", "kelurahan_agent",
                 "--home", str(home), "check-now"],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            user, system, rss_kb = once.stderr.strip().splitlines()[-1].split()
            print(
                f"one_shot_check_now_cpu_seconds={float(user) + float(system):.2f} "
                f"peak_rss_mb={int(rss_kb) / 1024:.0f} ({once.stdout.strip()})"
            )
    finally:
        camera.terminate()
        camera.wait(10)


if __name__ == "__main__":
    main()
