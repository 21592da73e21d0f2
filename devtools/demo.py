"""A realistic morning for every office, built from real CC BY 4.0 camera frames for the demo.

Each office gets a replay camera directory whose frames (named HHMMSS.jpg, local time) show an
empty room until the office opens and staff after it, or a camera that is offline for part of
the morning. Profiles are chosen deterministically from the office's position in the list, so
the board shows a mix: on time, late, not opened and no data.
"""

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

DEMO_FRAMES = Path(__file__).resolve().parent.parent / "kelurahan_monitor" / "demo_frames"
SCENE = DEMO_FRAMES / "one_by_one_room"
FIRST_FRAME = time(6, 55)
LAST_FRAME = time(17, 0)
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class OfficeProfile:
    """When the office's staff arrive, and when its camera is offline (local times)."""

    opens: time | None  # None: never opens this morning
    offline_from: time | None = None
    offline_until: time | None = None


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
        return OfficeProfile(opens=time(7, 25), offline_from=FIRST_FRAME, offline_until=LAST_FRAME)
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
        moment = datetime.combine(date(2000, 1, 1), FIRST_FRAME)
        step = 0
        while moment.time() <= LAST_FRAME:
            now = moment.time()
            offline = profile.offline_from is not None and profile.offline_from <= now < (
                profile.offline_until or LAST_FRAME
            )
            if not offline:
                is_open = profile.opens is not None and now >= profile.opens
                pool = staffed if is_open else empty
                source = pool[(step + index) % len(pool)]
                (camera_dir / f"{now:%H%M%S}.jpg").symlink_to(source)
            moment += STEP
            step += 1
        offices[code] = {"camera": code}
    scenario = out_dir / "scenario.json"
    scenario.write_text(json.dumps({"offices": offices}, indent=1), encoding="utf-8")
    return scenario
