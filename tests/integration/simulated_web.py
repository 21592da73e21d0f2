"""The web process (gunicorn serving the project) on a simulated clock, for end-to-end tests.

    python -m tests.integration.simulated_web --bind 127.0.0.1:8123 \\
        --start 2026-11-24T06:00:00+08:00 --speed 720 --epoch-file /tmp/epoch

`django.utils.timezone.now` (which the server reads for every "now") is the shared simulated
clock of kelurahan_agent.simclock: it reads `--start` until the epoch file holds a Unix time,
then runs from `--start` at that instant at `--speed` times real time. The boxes and the test's
camera read the same file, so every process lives the same simulated day; a restarted web
process comes back on the same timeline.
"""

import argparse
import sys
from datetime import datetime
from pathlib import Path

from kelurahan_agent.simclock import SharedClock


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
