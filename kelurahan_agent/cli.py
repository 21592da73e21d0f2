"""`kelurahan-agent enrol URL CODE [--camera URL]... | run | status | check-now`."""

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kelurahan_agent import __version__
from kelurahan_agent.agent import OfficeAgent, home_dir, write_private
from kelurahan_agent.simclock import SharedClock
from kelurahan_agent.store import Store
from kelurahan_agent.wire import Client, LinkDown, ServerRefused


def _credentials(path: str | None, camera_url: str) -> dict[str, str]:
    """Camera credentials from a file (first line user, second password) or a prompt."""
    if path:
        lines = [*Path(path).read_text().splitlines(), "", ""]
        return {"url": camera_url, "username": lines[0].strip(), "password": lines[1].strip()}
    if not sys.stdin.isatty():
        return {"url": camera_url, "username": "", "password": ""}
    username = input(f"Camera user for {camera_url} (empty: none): ").strip()
    password = getpass.getpass("Camera password: ") if username else ""
    return {"url": camera_url, "username": username, "password": password}


def enrol(args: argparse.Namespace) -> int:
    home: Path = args.home
    try:
        answer = Client(args.url).enrol(args.code)
    except (LinkDown, ServerRefused) as exc:
        print(f"enrolment failed: {exc}", file=sys.stderr)
        return 2
    cameras = [_credentials(args.credentials_file, url) for url in args.camera]
    write_private(
        home / "agent.json",
        {
            "server": args.url,
            "token": answer["token"],
            "signing_key": answer["signing_key"],
            "agent_id": answer["config"]["agent"]["id"],
            "cameras": cameras,
        },
    )
    config = answer["config"]
    write_private(home / "config.json", config)
    store = Store(home)
    chain = config.get("chain", {})
    store.continue_chain(int(chain.get("last_sequence", 0)), str(chain.get("last_hash", "")))
    store.close()
    office = config["office"]
    print(f"enrolled for {office['name']} ({office['code']}); {len(cameras)} camera(s) on the box")
    return 0


def _simulated_clock(
    start: str | None, speed: float, epoch_file: Path | None = None
) -> Callable[[], datetime]:
    """A test aid: the agent's clock runs from `start` at `speed` times real time; with
    `epoch_file` it is the clock several processes share (kelurahan_agent.simclock)."""
    if not start:
        return lambda: datetime.now(UTC)
    origin = datetime.fromisoformat(start)
    if epoch_file is not None:
        return SharedClock(origin, speed, epoch_file)
    began = time.monotonic()
    return lambda: origin + timedelta(seconds=(time.monotonic() - began) * speed)


def run(args: argparse.Namespace) -> int:
    speed = args.speed if args.simulate_from else 1.0
    clock = _simulated_clock(args.simulate_from, speed, args.simulate_epoch_file)
    agent = OfficeAgent(args.home, clock, speed)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    agent.run(stop)
    return 0


def status(args: argparse.Namespace) -> int:
    agent = OfficeAgent(args.home)
    info: dict[str, Any] = agent.status()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"office:        {info['office']}")
    print(f"last contact:  {info['last_contact'] or 'never'}")
    print(f"clock offset:  {info['clock_offset_seconds']:+.1f} s (server minus box)")
    print(f"queue depth:   {info['queue_depth']} record(s) {info['records']}")
    print(f"disk use:      {info['disk_used_bytes']} bytes")
    for slot in info["next_checks"]:
        print(f"next check:    {slot['at']} ({slot['kind']})")
    return 0


def check_now(args: argparse.Namespace) -> int:
    agent = OfficeAgent(args.home)
    sequences = agent.check_now()
    report = agent.sync()
    print(f"checked: {len(sequences)} record(s); sent {report.sent} ({report.error or 'ok'})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kelurahan-agent", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--home", type=Path, default=None, help="state directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("enrol", help="exchange a one-time code for this box's token")
    p.add_argument("url", help="the server, e.g. https://monitor.kendarikota.go.id")
    p.add_argument("code", help="the one-time enrolment code from the admin")
    p.add_argument("--camera", action="append", default=[], help="the camera's local URL")
    p.add_argument("--credentials-file", help="camera user and password, one per line")
    p.set_defaults(func=enrol)
    p = commands.add_parser("run", help="check on schedule and forward (the systemd service)")
    p.add_argument("--simulate-from", help=argparse.SUPPRESS)
    p.add_argument("--speed", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--simulate-epoch-file", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)
    p = commands.add_parser("status", help="last contact, queue, disk, clock offset, next checks")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=status)
    p = commands.add_parser("check-now", help="check every camera now and forward")
    p.set_defaults(func=check_now)
    args = parser.parse_args(argv)
    args.home = args.home or home_dir()
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "run" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
