"""The web process (gunicorn serving the project) on a simulated clock, for end-to-end tests.

    python -m tests.integration.simulated_web --bind 127.0.0.1:8123 \\
        --start 2026-11-24T06:00:00+08:00 --speed 720 --epoch-file /tmp/epoch

`django.utils.timezone.now` (which the server reads for every "now") reads `--start` until the
epoch file holds a Unix time, then runs from `--start` at that instant at `--speed` times real
time. The agents and the test's camera read the same epoch, so every process lives the same
simulated day; a restarted web process comes back on the same timeline.
"""

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


class SharedClock:
    def __init__(self, start: datetime, speed: float, epoch_file: Path) -> None:
        self.start = start.astimezone(UTC)
        self.speed = speed
        self.epoch_file = epoch_file
        self.epoch: float | None = None

    def __call__(self) -> datetime:
        if self.epoch is None:
            try:
                self.epoch = float(self.epoch_file.read_text())
            except (OSError, ValueError):
                return self.start  # not started yet: the clock stands at the start
        return self.start + timedelta(seconds=max(0.0, time.time() - self.epoch) * self.speed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--speed", type=float, required=True)
    parser.add_argument("--epoch-file", type=Path, required=True)
    args = parser.parse_args()
    from django.utils import timezone

    # Before gunicorn forks and loads the project: every module imported after sees this.
    timezone.now = SharedClock(datetime.fromisoformat(args.start), args.speed, args.epoch_file)
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = [
        "gunicorn",
        "kelurahan_monitor.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--graceful-timeout",
        "2",
        "--access-logfile",
        "-",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


if __name__ == "__main__":
    main()
