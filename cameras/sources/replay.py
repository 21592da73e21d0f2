"""replay: sources, a directory of frames named by local time, for simulated-clock runs.

Layout: `HHMMSS.jpg|png` directly in the directory (valid for every date) and/or under
`YYYY-MM-DD/` subfolders (valid for that date only). A check at local time t sees the newest
frame at or before t that is at most `max_age` old; otherwise the camera was offline at t.

Every replayed frame gets its own sensor noise when `CameraAddress.sensor_noise` > 0 (a live
camera never delivers the same pixels twice; an exact repeat is a frozen camera by the
frame-health rule). The noise is seeded by the file and the instant shown, so a replay repeats.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path, PurePath
from urllib.parse import unquote, urlsplit

import numpy as np
from numpy.typing import NDArray

from cameras.vision.noise import add_sensor_noise, noise_seed

from .base import CameraAddress, CameraUnreachable, Deadline
from .file import read_image_file

DEFAULT_MAX_AGE = timedelta(minutes=10)
_FRAME_NAME = re.compile(r"^(\d{2})(\d{2})(\d{2})\.(?:jpe?g|png)$", re.IGNORECASE)
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _frame_time(name: str, default_date: date, zone: tzinfo | None) -> datetime | None:
    """Local wall-clock instant a frame file stands for, or None if the name does not fit."""
    path = PurePath(name)
    match = _FRAME_NAME.match(path.name)
    if not match:
        return None
    hour, minute, second = (int(g) for g in match.groups())
    day = default_date
    if _DATE_DIR.match(path.parent.name):
        try:
            day = date.fromisoformat(path.parent.name)
        except ValueError:
            return None
    try:
        return datetime.combine(day, time(hour, minute, second), tzinfo=zone)
    except ValueError:
        return None


def pick_replay_frame(
    files: list[str], at_local: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> str | None:
    """The newest frame at or before `at_local` and not older than `max_age`, else None.

    `files` are names or relative paths (`073000.jpg`, `2026-11-24/073000.jpg`); undated names
    count as frames of `at_local`'s date. Times compare as local wall-clock times of
    `at_local`'s zone. A dated frame wins a tie against an undated one.
    """
    best: tuple[datetime, bool, str] | None = None
    for name in files:
        stamp = _frame_time(name, at_local.date(), at_local.tzinfo)
        if stamp is None or stamp > at_local or at_local - stamp > max_age:
            continue
        dated = bool(_DATE_DIR.match(PurePath(name).parent.name))
        candidate = (stamp, dated, name)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def replay_root(url: str) -> Path:
    """`replay:/abs/dir` or `replay:///abs/dir` to the directory Path."""
    parts = urlsplit(url)
    if parts.netloc:
        raise CameraUnreachable(f"replay URL must name an absolute directory: {url}")
    return Path(unquote(parts.path))


def list_replay_files(root: Path, at_local: datetime) -> list[str]:
    """Candidate files for `at_local`: undated ones plus that day's and the previous day's folder
    (the previous day matters just after midnight)."""
    names: list[str] = []
    for folder, prefix in (
        (root, ""),
        (root / at_local.date().isoformat(), at_local.date().isoformat() + "/"),
        (
            root / (at_local.date() - timedelta(days=1)).isoformat(),
            (at_local.date() - timedelta(days=1)).isoformat() + "/",
        ),
    ):
        if folder.is_dir():
            names += [prefix + p.name for p in folder.iterdir() if _FRAME_NAME.match(p.name)]
    return names


def capture_replay(
    address: CameraAddress,
    deadline: Deadline,
    frames: int,
    interval_s: float,
    at: datetime | None,
    zone: tzinfo | None,
) -> list[NDArray[np.uint8]]:
    """Frames a replay camera showed at `at` (aware), `at + interval_s`, …"""
    if at is None or at.tzinfo is None:
        raise ValueError("replay sources need an aware `at` datetime (the simulated clock)")
    root = replay_root(address.url)
    if not root.is_dir():
        raise CameraUnreachable(f"replay directory does not exist: {root}")
    taken: list[NDArray[np.uint8]] = []
    for index in range(frames):
        deadline.check(f"replay {root.name}")
        at_local = (at + timedelta(seconds=index * interval_s)).astimezone(zone or at.tzinfo)
        chosen = pick_replay_frame(list_replay_files(root, at_local), at_local)
        if chosen is None:
            raise CameraUnreachable(
                f"replay {root}: camera offline at {at_local:%Y-%m-%d %H:%M:%S} local time "
                f"(no frame in the {int(DEFAULT_MAX_AGE.total_seconds() // 60)} minutes before)"
            )
        frame = read_image_file(root / chosen, address.min_long_side)
        if address.sensor_noise > 0:
            seed = noise_seed(f"{root.name}/{chosen}@{at_local.isoformat()}")
            frame = add_sensor_noise(frame, address.sensor_noise, np.random.default_rng(seed))
        taken.append(frame)
    return taken
