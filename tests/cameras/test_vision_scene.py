"""The fixed camera's empty scene and the burst rules, on real frames of ../shared, no Django.

Empty rooms are real empty photographs; a chair moved and a light switched on are synthesised
from them (a patch shifted, the brightness scaled), with fresh sensor noise on every frame.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from cameras.vision import get_detector
from cameras.vision.evaluate import read_eval_frame, read_labels
from cameras.vision.fixed_camera import count_burst
from cameras.vision.noise import add_sensor_noise
from cameras.vision.scene import (
    SceneState,
    change_mask,
    changed_regions,
    learn_scene,
    scene_from_bytes,
    scene_grey,
    scene_to_bytes,
)

SHARED = Path(
    os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")
)
FRAMES = SHARED / "frames"
SEQUENCES = SHARED / "sequences"
EMPTY_ROOMS = [
    name for name, people in read_labels(FRAMES) if people == 0 and name != "coco_clock_078.jpg"
]


def _noisy(frame: np.ndarray, seed: int) -> np.ndarray:
    return add_sensor_noise(frame, 2.0, np.random.default_rng(seed))


def _burst(frame: np.ndarray, seed: int, frames: int = 3) -> list[np.ndarray]:
    """A still scene as a camera delivers it: the same picture with fresh noise per frame."""
    return [_noisy(frame, seed * 10 + index) for index in range(frames)]


def _learned(frame: np.ndarray, seed: int = 1) -> SceneState:
    scene = learn_scene(None, [scene_grey(f) for f in _burst(frame, seed)])
    return learn_scene(scene, [scene_grey(f) for f in _burst(frame, seed + 1)])


def _light_on(frame: np.ndarray) -> np.ndarray:
    """A lamp switched on: brighter overall and brighter still towards one side."""
    width = frame.shape[1]
    ramp = np.linspace(1.2, 1.6, width, dtype=np.float32)[None, :, None]
    return np.clip(frame.astype(np.float32) * ramp, 0, 255).astype(np.uint8)


def _chair_moved(frame: np.ndarray) -> np.ndarray:
    """A piece of the room (a chair's worth) shifted sideways by a fifth of its size."""
    height, width = frame.shape[:2]
    moved = frame.copy()
    side = height // 3
    y, x = height // 2, width // 3
    moved[y : y + side, x + side // 5 : x + side + side // 5] = frame[y : y + side, x : x + side]
    return moved


def test_scene_state_round_trips_in_a_few_kilobytes():
    frame = read_eval_frame(FRAMES / "obo_empty_f0000.jpg")
    scene = _learned(frame)

    data = scene_to_bytes(scene)

    assert len(data) < 30_000
    back = scene_from_bytes(data)
    assert back is not None
    assert back.frames_learned == scene.frames_learned == 2
    assert np.array_equal(back.background, scene.background)
    assert scene_from_bytes(b"") is None
    assert scene_from_bytes(b"not a scene at all") is None


def test_learning_follows_a_lasting_change_slowly():
    dark = np.full((90, 160), 60.0, dtype=np.float32)
    bright = np.full((90, 160), 160.0, dtype=np.float32)
    scene = learn_scene(None, [dark])

    once = learn_scene(scene, [bright])
    for _ in range(30):
        scene = learn_scene(scene, [bright])

    assert 60 < float(once.background.mean()) < 80  # one odd check does not stick ...
    assert float(scene.background.mean()) > 150  # ... a lasting change is followed


@pytest.mark.parametrize("name", EMPTY_ROOMS)
def test_a_light_switched_on_in_an_empty_room_is_hardly_a_change(name):
    frame = read_eval_frame(FRAMES / name)
    scene = _learned(frame)

    lit = _noisy(_light_on(frame), 99)

    # The illumination normalisation leaves at most a few cells where highlights clip.
    assert float(change_mask(scene_grey(lit), scene).mean()) < 0.06


@pytest.mark.parametrize("name", EMPTY_ROOMS)
def test_a_moved_chair_or_a_lamp_in_an_empty_room_counts_zero(name):
    detector = get_detector()
    frame = read_eval_frame(FRAMES / name)
    scene = _learned(frame)

    for changed in (_chair_moved(frame), _light_on(frame), _light_on(_chair_moved(frame))):
        counted = count_burst(_burst(changed, 7), detector.detect, detector.detect_regions, scene)
        assert [d.count for d in counted.detections] == [0, 0, 0], name


def test_a_moved_chair_is_a_change_the_counter_looks_at():
    frame = read_eval_frame(FRAMES / "nyu_conference_308.jpg")
    scene = _learned(frame)

    moved = _noisy(_chair_moved(frame), 5)

    assert changed_regions(change_mask(scene_grey(moved), scene), moved.shape)


def test_a_person_in_the_empty_room_is_a_changed_region_at_the_person():
    empty = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0001.jpg")
    scene = _learned(empty)
    detector = get_detector()
    with_person = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0005.jpg")
    person = detector.detect(with_person).people[0]

    regions = changed_regions(change_mask(scene_grey(with_person), scene), with_person.shape)

    centre_x = person.x + person.w / 2
    assert any(r.x <= centre_x <= r.x2 for r in regions)


def test_a_burst_with_a_counted_person_is_never_learned():
    detector = get_detector()
    empty = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0001.jpg")
    scene = _learned(empty)
    frames = [
        read_eval_frame(SEQUENCES / "iot_one_by_one_room" / f"{i:04d}.jpg") for i in (4, 5, 6)
    ]

    counted = count_burst(frames, detector.detect, detector.detect_regions, scene)

    assert all(d.count == 1 for d in counted.detections)
    assert not counted.learned
    assert counted.scene is scene


def test_a_still_empty_burst_is_learned():
    detector = get_detector()
    empty = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0001.jpg")

    counted = count_burst(_burst(empty, 3), detector.detect, detector.detect_regions, None)

    assert counted.learned
    assert counted.scene is not None
    assert counted.scene.frames_learned == 1


def _no_model(_frame: np.ndarray) -> object:
    raise AssertionError("a model ran on a burst that matches the empty scene")


@pytest.mark.parametrize("name", EMPTY_ROOMS)
def test_a_still_empty_room_matching_its_scene_runs_no_model(name):
    frame = read_eval_frame(FRAMES / name)
    scene = _learned(frame)

    # Fresh sensor noise (and a JPEG q90 round trip) on every frame, as a live camera gives.
    counted = count_burst(_burst(frame, 11), _no_model, None, scene)

    assert counted.skipped
    assert [d.count for d in counted.detections] == [0, 0, 0]
    assert counted.learned  # daylight and lamps are still followed
    assert counted.scene is not None
    assert counted.scene.frames_learned == scene.frames_learned + 1


def test_without_a_learned_scene_the_models_always_run():
    detector = get_detector()
    frame = read_eval_frame(FRAMES / "obo_empty_f0000.jpg")

    counted = count_burst(_burst(frame, 12), detector.detect, detector.detect_regions, None)

    assert not counted.skipped


def test_a_person_or_a_moved_chair_in_the_learned_room_makes_the_models_run():
    detector = get_detector()
    empty = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0001.jpg")
    scene = _learned(empty)
    with_person = read_eval_frame(SEQUENCES / "iot_one_by_one_room" / "0005.jpg")
    conference = read_eval_frame(FRAMES / "nyu_conference_308.jpg")

    person = count_burst(_burst(with_person, 13), detector.detect, detector.detect_regions, scene)
    chair = count_burst(
        _burst(_chair_moved(conference), 14),
        detector.detect,
        detector.detect_regions,
        _learned(conference),
    )

    assert not person.skipped
    assert [d.count for d in person.detections] == [1, 1, 1]
    assert not chair.skipped
    assert [d.count for d in chair.detections] == [0, 0, 0]


def test_the_evidence_of_a_burst_that_ran_no_model_still_hides_every_face():
    """Were the empty scene ever learned with a person in it, the skipped burst's evidence
    must not store a readable face: the cheap face pass blurs it."""
    import cv2

    from cameras.checking import read_burst

    detector = get_detector()
    frame = read_eval_frame(SEQUENCES / "iot_headpose_female" / "0001.jpg")
    [face, *_] = detector.privacy_faces(frame)
    burst = _burst(frame, 15)

    reading = read_burst(
        burst,
        detector,
        previous_signature="",
        reference_signature="",
        staff_zone=[],
        ignore_zones=[],
        scene_state=scene_to_bytes(_learned(frame)),
        evidence_max_width=frame.shape[1],
    )

    assert reading.people_total == 0  # skipped: the models never saw the face
    assert reading.evidence_jpeg is not None
    stored = cv2.imdecode(np.frombuffer(reading.evidence_jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    raw = cv2.cvtColor(burst[-1], cv2.COLOR_BGR2GRAY)
    x1, y1, x2, y2 = int(face.x), int(face.y), int(face.x2), int(face.y2)

    def detail(image: np.ndarray) -> float:
        return float(cv2.Laplacian(image[y1:y2, x1:x2], cv2.CV_64F).var())

    assert detail(stored) < 0.2 * detail(raw)
