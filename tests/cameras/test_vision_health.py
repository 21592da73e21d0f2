"""Frame health on raw frames: dark, no detail, frozen, moved; static look-alikes."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from cameras.vision import PersonBox
from cameras.vision.health import (
    STATUSES,
    assess_frame_health,
    build_reference,
    decode_reference,
    frame_signature,
    reject_static_false_people,
)

SHARED = Path(
    os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")
)
FRAMES = SHARED / "frames"
ROOM = SHARED / "sequences" / "iot_one_by_one_room"


def read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    assert image is not None, path
    return image


@pytest.fixture(scope="module")
def room_rows() -> list[tuple[np.ndarray, int]]:
    with (ROOM / "labels.csv").open(encoding="utf-8") as handle:
        return [(read(ROOM / row["file"]), int(row["people"])) for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def room_reference(room_rows) -> str:
    return build_reference([frame for frame, people in room_rows if people == 0][:3])


def test_every_real_photo_is_healthy():
    for path in sorted(FRAMES.glob("*.jpg")):
        health = assess_frame_health(read(path))
        assert health.status == "ok", (path.name, health)


def test_black_and_very_dark_frames_are_dark():
    black = np.zeros((720, 1280, 3), dtype=np.uint8)
    assert assess_frame_health(black).status == "dark"
    night = (read(FRAMES / "obo_empty_f0000.jpg") * 0.08).astype(np.uint8)
    assert assess_frame_health(night).status == "dark"


def test_covered_or_out_of_focus_lens_has_no_detail():
    blurred = cv2.GaussianBlur(read(FRAMES / "nyu_conference_308.jpg"), (0, 0), 12)
    covered = np.full((360, 640, 3), 140, dtype=np.uint8)
    for frame in (blurred, covered):
        health = assess_frame_health(frame)
        assert health.status == "no_detail", health


def test_same_picture_twice_is_a_frozen_stream_but_sensor_noise_is_not():
    frame = read(FRAMES / "obo_empty_f0000.jpg")
    previous = assess_frame_health(frame).signature
    assert assess_frame_health(frame.copy(), previous_signature=previous).status == "frozen"
    noise = np.random.default_rng(1).integers(-3, 4, frame.shape)
    live = np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    assert assess_frame_health(live, previous_signature=previous).status == "ok"


def test_signature_fits_the_observation_column():
    for size in ((270, 480), (1080, 1920), (640, 480)):
        signature = frame_signature(np.zeros((*size, 3), dtype=np.uint8))
        assert len(signature) <= 128


def test_fixed_camera_with_people_and_empty_frames_is_not_moved(room_rows, room_reference):
    for frame, _people in room_rows:
        health = assess_frame_health(frame, reference_signature=room_reference)
        assert health.status == "ok", health


@pytest.mark.parametrize(
    "warp",
    [
        pytest.param(lambda w, h: np.float32([[1, 0, 0.03 * w], [0, 1, 0]]), id="panned-3pct"),
        pytest.param(lambda w, h: np.float32([[1, 0, 0], [0, 1, 0.04 * h]]), id="tilted-4pct"),
        pytest.param(lambda w, h: cv2.getRotationMatrix2D((w / 2, h / 2), 4, 1.0), id="rot-4deg"),
        pytest.param(lambda w, h: cv2.getRotationMatrix2D((w / 2, h / 2), 0, 1.15), id="zoom"),
    ],
)
def test_turned_camera_is_moved(room_rows, room_reference, warp):
    frame = room_rows[5][0]  # a person is in the room as well
    height, width = frame.shape[:2]
    moved = cv2.warpAffine(
        frame, warp(width, height), (width, height), borderMode=cv2.BORDER_REFLECT
    )
    assert assess_frame_health(moved, reference_signature=room_reference).status == "moved"


def test_other_scene_is_moved(room_reference):
    other = read(FRAMES / "vut_hall_empty_bg.jpg")
    assert assess_frame_health(other, reference_signature=room_reference).status == "moved"


def test_health_serialises_for_the_database():
    health = assess_frame_health(read(FRAMES / "obo_empty_f0000.jpg"))
    values = health.as_dict()
    assert values["status"] in STATUSES
    assert set(values) >= {"status", "brightness", "sharpness", "edge_density", "signature"}


def test_reference_round_trips(room_rows):
    frames = [frame for frame, people in room_rows if people == 0][:3]
    reference = decode_reference(build_reference(frames))
    assert reference.dtype == np.uint8
    assert reference.ndim == 2
    with pytest.raises(ValueError, match="at least one"):
        build_reference([])


def test_static_look_alike_from_the_reference_is_rejected_but_real_people_stay(room_rows):
    empty = [frame for frame, people in room_rows if people == 0]
    with_person = [frame for frame, people in room_rows if people == 1]
    # The person detected in a frame: use a box from the default detector.
    from cameras.vision import get_detector

    frame = with_person[4]
    people = list(get_detector().detect(frame).people)
    assert len(people) == 1
    real = reject_static_false_people(people, frame, build_reference(empty[:3]))
    assert real == people
    # Same figure present in the "empty" reference (a poster or standee): dropped.
    poster_reference = build_reference([frame, frame.copy()])
    assert reject_static_false_people(people, frame, poster_reference) == []
    assert reject_static_false_people(people, frame, "") == people
    # A box the detector might put on the empty background is dropped too.
    background = PersonBox(40, 40, 120, 200, 0.7, "pose")
    assert reject_static_false_people([background], empty[1], build_reference(empty[:1])) == []
