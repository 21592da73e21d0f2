"""`make demo` is alive at any hour: looping frames around the clock, cameras with real names,
public cameras that are never frozen, and weeks of history behind today."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from cameras.models import Camera, CameraStill
from cameras.sources.replay import list_replay_files, pick_replay_frame
from cameras.stills import capture_still
from compliance.models import DailyVerdict
from devtools import demo, replay
from devtools.demo_cameras import create_demo_public_cameras
from devtools.management.commands.demo_morning import add_door_cameras, seed_history
from places.models import Office

WITA = ZoneInfo("Asia/Makassar")
TUESDAY = date(2026, 11, 24)


def local(hour: int, minute: int, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


def frame_at(camera_dir, at: datetime) -> str | None:
    return pick_replay_frame(list_replay_files(camera_dir, at), at)


def test_office_frames_cover_the_whole_day_and_the_room_empties_after_work(tmp_path):
    codes = [f"74.71.01.{1000 + n}" for n in range(13)]
    demo.build_demo_scenario(codes, tmp_path)
    staffed = {path.name for path in demo._frame_pools()[1]}
    for index, code in enumerate(codes):
        profile = demo.profile_for(index)
        camera_dir = tmp_path / code
        for hour, minute in ((0, 0), (6, 0), (10, 0), (19, 0), (22, 0), (23, 59)):
            at = local(hour, minute)
            chosen = frame_at(camera_dir, at)
            if profile.is_offline(at.time()):
                assert chosen is None
                continue
            assert chosen is not None, (code, at)
            source = (camera_dir / chosen).resolve().name
            assert (source in staffed) == profile.is_staffed(at.time())
    assert not demo.profile_for(1).is_staffed(time(22, 0))  # nobody at the desk at night


def test_public_frames_loop_and_change_every_five_minutes(tmp_path):
    (first, second) = demo.build_public_frames(tmp_path, 2)
    at_night = [frame_at(first, local(22, minute)) for minute in (0, 5, 10)]
    assert None not in at_night
    assert len({(first / name).resolve() for name in at_night}) == 3
    assert (first / at_night[0]).resolve() != (second / frame_at(second, local(22, 0))).resolve()


@pytest.mark.django_db
def test_the_demo_public_cameras_send_live_pictures_at_22_00(tmp_path, settings):
    from places.seeding import DATA_DIR, seed_local_government

    settings.CAMERA_LOCAL_SOURCES = True
    seed_local_government(DATA_DIR / "kabupaten_konawe.json")
    assert create_demo_public_cameras(local(21, 0), tmp_path) == 4
    cameras = list(Camera.objects.filter(local_government__code="74.02"))
    assert all(camera.source_url.startswith("replay:") for camera in cameras)
    for slot in (local(22, 0), local(22, 5)):
        for camera in cameras:
            assert capture_still(camera.pk, slot, slot).status == "ok", camera.name
    assert CameraStill.objects.filter(status="ok").count() == 2 * len(cameras)


@pytest.mark.django_db
def test_office_cameras_get_a_real_name(kendari, tmp_path):
    office = Office.objects.filter(kecamatan__local_government=kendari).order_by("code").first()
    demo.build_demo_scenario([office.code], tmp_path)
    replay.prepare_offices(
        TUESDAY,
        replay.load_scenario(tmp_path / "scenario.json"),
        camera_name=demo.OFFICE_CAMERA_NAME,
    )
    assert list(office.cameras.values_list("name", flat=True)) == ["Ruang pelayanan"]
    assert add_door_cameras([office]) == add_door_cameras([office]) == 1
    room, door = office.cameras.order_by("-name")
    assert (room.name, door.name) == ("Ruang pelayanan", "Pintu depan")
    assert door.source_url == room.source_url


@pytest.mark.django_db
def test_history_fills_the_past_working_days_once(kendari):
    offices = list(Office.objects.filter(active=True).select_related("kecamatan__local_government"))
    made = seed_history(offices, TUESDAY, 14)
    days = set(DailyVerdict.objects.values_list("date", flat=True))
    assert date(2026, 11, 23) in days  # Monday
    assert date(2026, 11, 22) not in days  # Sunday: nobody works
    assert TUESDAY not in days  # today is the replay's
    assert made == DailyVerdict.objects.count() == len(days) * len(offices)
    statuses = set(DailyVerdict.objects.values_list("status", flat=True))
    assert {"on_time", "late", "not_opened", "no_data"} <= statuses
    assert seed_history(offices, TUESDAY, 14) == 0
