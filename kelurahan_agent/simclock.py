"""A test aid: one simulated clock several processes share (the server, boxes, a camera).

It reads `start` until `epoch_file` holds a Unix time, then runs from `start` at that instant
at `speed` times real time. The test writes the file once every process is ready, so a slow
start on a busy machine costs no simulated time.
"""

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
