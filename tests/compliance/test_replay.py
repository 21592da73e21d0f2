"""A scripted day through the real tick, check task and detector, judged as a person would."""

import json
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 24)  # a Tuesday
SEQUENCE = "sequences/iot_one_by_one_room"


def frames_by_label(shared_dir: Path) -> tuple[list[Path], list[Path]]:
    rows = (shared_dir / SEQUENCE / "labels.csv").read_text().splitlines()[1:]
    empty, staffed = [], []
    for row in rows:
        name, people = row.split(",")[:2]
        (staffed if int(people) else empty).append(shared_dir / SEQUENCE / name)
    return empty, staffed


def write_camera(folder: Path, empty, staffed, opens: time | None, offline_until: time | None):
    """Frames every 5 minutes from 07:00 to 17:00, empty before `opens`, staffed after."""
    folder.mkdir(parents=True)
    moment = datetime.combine(DAY, time(7, 0))
    step = 0
    while moment.time() <= time(17, 0):
        now = moment.time()
        if offline_until is None or now >= offline_until:
            pool = staffed if opens is not None and now >= opens else empty
            shutil.copy(pool[step % len(pool)], folder / f"{now:%H%M%S}.jpg")
        moment += timedelta(minutes=5)
        step += 1


@pytest.fixture
def scenario(tmp_path, shared_dir, kendari) -> Path:
    empty, staffed = frames_by_label(shared_dir)
    cameras = {
        "74.71.01.1005": (time(7, 10), None),  # staff in at 07:10
        "74.71.01.1006": (time(8, 0), None),  # staff in at 08:00: 30 minutes late
        "74.71.01.1007": (None, None),  # nobody all day
        "74.71.01.1008": (time(7, 20), time(9, 0)),  # camera down until 09:00
    }
    offices = {}
    for code, (opens, offline_until) in cameras.items():
        write_camera(tmp_path / "cams" / code, empty, staffed, opens, offline_until)
        offices[code] = {"camera": f"cams/{code}"}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"offices": offices}))
    return path


def test_replayed_day_gives_the_verdicts_a_person_would(scenario, capsys):
    call_command("replay_day", "--date", DAY.isoformat(), "--scenario", str(scenario), "--json")
    rows = {row["office"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["74.71.01.1005"]["status"] == "on_time"
    assert rows["74.71.01.1006"]["status"] == "late"
    assert rows["74.71.01.1006"]["minutes_late"] == 30
    assert rows["74.71.01.1006"]["opened_at"] == "08:00"
    assert rows["74.71.01.1007"]["status"] == "not_opened"
    assert rows["74.71.01.1008"]["status"] == "no_data"
    assert set(rows["74.71.01.1005"]) == {
        "office",
        "status",
        "opened_at",
        "minutes_late",
        "coverage",
    }


def test_replay_twice_gives_the_same_answer(scenario, capsys):
    args = ["replay_day", "--date", DAY.isoformat(), "--scenario", str(scenario), "--json"]
    args += ["--until", "09:30"]
    call_command(*args)
    first = capsys.readouterr().out
    call_command(*args)
    assert capsys.readouterr().out == first


def test_unknown_office_is_a_clear_error(tmp_path, kendari):
    (tmp_path / "cam").mkdir()
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps({"offices": {"74.71.99.9999": {"camera": "cam"}}}))
    with pytest.raises(CommandError, match="unknown office"):
        call_command("replay_day", "--date", DAY.isoformat(), "--scenario", str(path))


@pytest.mark.parametrize(
    "document",
    [
        "[]",
        '{"offices": {"74.71.01.1005": {}}}',
        '{"offices": {"74.71.01.1005": {"camera": "nope"}}}',
    ],
)
def test_bad_scenarios_are_refused(tmp_path, kendari, document):
    path = tmp_path / "scenario.json"
    path.write_text(document)
    with pytest.raises(CommandError):
        call_command("replay_day", "--date", DAY.isoformat(), "--scenario", str(path))
