"""A realistic day for every office, built from real CC BY 4.0 camera frames for the demo.

Each office gets a replay camera directory whose frames (named HHMMSS.jpg, local time, every
five minutes around the clock) show an empty room until the office opens, staff until closing
time and an empty room again in the evening, or a camera that is offline for part of the day.
Frames are undated, so the replay loops them every day, and the live worker reads the frame of
the current time (with fresh sensor noise): the demo is alive at any hour. Profiles are chosen
deterministically from the office's position in the list, so the board shows a mix: on time,
late, not opened and no data.
"""

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

DEMO_FRAMES = Path(__file__).resolve().parent.parent / "kelurahan_monitor" / "demo_frames"
SCENE = DEMO_FRAMES / "one_by_one_room"
FIRST_FRAME = time(0, 0)
LAST_FRAME = time(23, 55)
STAFF_LEAVE = time(16, 0)
STEP = timedelta(minutes=5)
OFFICE_CAMERA_NAME = "Ruang pelayanan"


@dataclass(frozen=True)
class OfficeProfile:
    """When the office's staff arrive, and when its camera is offline (local times)."""

    opens: time | None  # None: never opens this day
    offline_from: time | None = None
    offline_until: time | None = None  # None: offline for the rest of the day

    def is_offline(self, at: time) -> bool:
        return self.offline_from is not None and (
            self.offline_from <= at and (self.offline_until is None or at < self.offline_until)
        )

    def is_staffed(self, at: time) -> bool:
        return self.opens is not None and self.opens <= at < STAFF_LEAVE


def profile_for(index: int) -> OfficeProfile:
    """A varied but repeatable morning for the `index`-th office."""
    kind = index % 13
    if kind == 0:
        return OfficeProfile(opens=None)
    if kind in (1, 2, 3):
        late_by = 20 + (index * 7) % 80
        return OfficeProfile(opens=_at(time(7, 30), timedelta(minutes=late_by)))
    if kind == 4:
        return OfficeProfile(opens=time(7, 20), offline_from=time(7, 0), offline_until=time(9, 0))
    if kind == 5:
        return OfficeProfile(opens=time(7, 25), offline_from=FIRST_FRAME)
    early_by = (index * 11) % 35
    return OfficeProfile(opens=_at(time(7, 40), -timedelta(minutes=early_by)))


def _at(base: time, delta: timedelta) -> time:
    return (datetime.combine(date(2000, 1, 1), base) + delta).time()


def _frame_pools() -> tuple[list[Path], list[Path]]:
    """Empty-room frames and frames with one person, as labelled by eye."""
    empty: list[Path] = []
    staffed: list[Path] = []
    with (SCENE / "labels.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            (staffed if int(row["people"]) > 0 else empty).append(SCENE / row["file"])
    return empty, staffed


def build_demo_scenario(office_codes: list[str], out_dir: Path) -> Path:
    """Write one frames directory per office and a scenario.json for `replay_day`.

    Consecutive frames come from different source frames, as a live camera never sends the same
    picture twice. Returns the scenario path.
    """
    empty, staffed = _frame_pools()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    offices = {}
    for index, code in enumerate(office_codes):
        profile = profile_for(index)
        camera_dir = out_dir / code
        camera_dir.mkdir(parents=True)
        for step, at in enumerate(frame_times()):
            if not profile.is_offline(at):
                pool = staffed if profile.is_staffed(at) else empty
                (camera_dir / f"{at:%H%M%S}.jpg").symlink_to(pool[(step + index) % len(pool)])
        offices[code] = {"camera": code}
    scenario = out_dir / "scenario.json"
    scenario.write_text(json.dumps({"offices": offices}, indent=1), encoding="utf-8")
    return scenario


def frame_times() -> list[time]:
    """Every frame's local time of day, FIRST_FRAME to LAST_FRAME, STEP apart."""
    moment = datetime.combine(date(2000, 1, 1), FIRST_FRAME)
    times = []
    while moment.time() <= LAST_FRAME and moment.date() == date(2000, 1, 1):
        times.append(moment.time())
        moment += STEP
    return times


def build_public_frames(out_dir: Path, count: int) -> list[Path]:
    """`count` looping frame directories for public-area cameras: every scene frame in turn,
    around the clock, each camera starting elsewhere in the scene. Returns the directories."""
    frames = sorted(SCENE.glob("*.jpg"))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    dirs = []
    for number in range(count):
        camera_dir = out_dir / f"camera-{number + 1}"
        camera_dir.mkdir(parents=True)
        for step, at in enumerate(frame_times()):
            source = frames[(step + number * 7) % len(frames)]
            (camera_dir / f"{at:%H%M%S}.jpg").symlink_to(source)
        dirs.append(camera_dir)
    return dirs


@dataclass(frozen=True)
class HistoryDay:
    """One past day of an office, as the demo's history gives it (local times)."""

    status: str
    opened: time | None
    minutes_late: int | None


def history_for(index: int, day_number: int) -> HistoryDay:
    """A repeatable past day for the `index`-th office: mostly on time, some late, a few not
    opened or without data, the same office better or worse from one day to the next."""
    roll = (index * 7 + day_number * 13 + index * day_number) % 20
    if roll < 12:
        return HistoryDay("on_time", _at(time(7, 10), timedelta(minutes=roll * 2)), 0)
    if roll < 16:
        late = 20 + (roll * 9 + day_number) % 60
        return HistoryDay("late", _at(time(7, 30), timedelta(minutes=late)), late)
    if roll < 18:
        return HistoryDay("not_opened", None, None)
    return HistoryDay("no_data", None, None)
