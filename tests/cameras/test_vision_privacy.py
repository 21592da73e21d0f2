"""Evidence pictures: downscaled, faces and heads destroyed before encoding."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from cameras.vision import Box, Detection, PersonBox, get_detector
from cameras.vision.privacy import annotate, privacy_regions, render_evidence

SHARED = Path(
    os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")
)
FRAMES = SHARED / "frames"
WITH_FACES = ["mps_business_person.jpg", "vut_hall_front_single.jpg", "coco_kitchen_294.jpg"]


def read(name: str) -> np.ndarray:
    image = cv2.imread(str(FRAMES / name))
    assert image is not None
    return image


def decode(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def detail(image: np.ndarray, box: Box | tuple[int, int, int, int]) -> float:
    x, y, w, h = (box.x, box.y, box.w, box.h) if isinstance(box, Box) else box
    patch = cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(patch, cv2.CV_64F).var())


def scaled(box: Box, factor: float) -> tuple[int, int, int, int]:
    return (
        int(box.x * factor),
        int(box.y * factor),
        max(2, int(box.w * factor)),
        max(2, int(box.h * factor)),
    )


@pytest.mark.parametrize("name", WITH_FACES)
def test_faces_in_evidence_are_destroyed_and_picture_is_downscaled(name):
    frame = cv2.resize(read(name), (1920, 1080)) if name.startswith("vut") else read(name)
    detector = get_detector()
    detection = detector.detect(frame)
    faces = [face for face in detection.faces if face.score >= 0.6]
    assert faces, "the photo must show a detectable face"

    evidence = decode(render_evidence(frame, detection, max_width=640))
    assert evidence.shape[1] <= 640
    factor = evidence.shape[1] / frame.shape[1]
    plain = cv2.resize(frame, (evidence.shape[1], evidence.shape[0]), interpolation=cv2.INTER_AREA)
    for face in faces:
        region = scaled(face, factor)
        # High-frequency energy inside the face drops to a small share of the original's.
        assert detail(evidence, region) < 0.1 * detail(plain, region) + 1.0, face
    # And the detector no longer finds a face anywhere in the evidence.
    again = detector.detect(evidence)
    assert not [face for face in again.faces if face.score >= 0.6]


def test_heads_of_people_seen_from_behind_are_blurred():
    frame = read("obo_back_f0242.jpg")
    detection = get_detector().detect(frame)
    assert detection.people
    assert detection.people[0].head is not None
    evidence = decode(render_evidence(frame, detection, max_width=frame.shape[1]))
    head = detection.people[0].head
    assert detail(evidence, head) < 0.1 * detail(frame, head) + 1.0


def test_full_body_mode_hides_the_whole_person():
    frame = read("vut_hall_front_single.jpg")
    detection = get_detector().detect(frame)
    person = detection.people[0]
    body = (person.x, person.y + person.h // 3, person.w, person.h // 3)
    heads_only = decode(render_evidence(frame, detection, max_width=frame.shape[1]))
    hidden = decode(render_evidence(frame, detection, max_width=frame.shape[1], full_body=True))
    assert detail(hidden, body) < 0.1 * detail(heads_only, body)


def test_evidence_never_modifies_the_frame_and_keeps_small_frames_size():
    frame = read("iot_corridor_walk_f0017.jpg")
    before = frame.copy()
    detection = Detection(
        people=(PersonBox(10, 10, 50, 120, 0.9, "pose"),), faces=(Box(20, 12, 15, 15, 0.9),)
    )
    evidence = decode(render_evidence(frame, detection, max_width=640, quality=70))
    assert np.array_equal(frame, before)
    assert evidence.shape[:2] == frame.shape[:2]
    # One face and the top of one person without a head box.
    assert len(privacy_regions(detection)) == 2
    assert decode(render_evidence(frame, None)).shape[:2] == frame.shape[:2]


def test_annotation_is_drawn_on_the_blurred_copy():
    frame = read("coco_kitchen_294.jpg")
    detection = get_detector().detect(frame)
    drawn = annotate(frame, detection)
    assert drawn.shape == frame.shape
    face = max(detection.faces, key=lambda f: f.score)
    inner = (face.x + 3, face.y + 3, max(2, face.w - 6), max(2, face.h - 6))
    assert detail(drawn, inner) < 0.1 * detail(frame, inner) + 1.0


def test_evidence_of_a_full_hd_frame_with_large_regions_takes_a_few_ms():
    # Whole-body blurring of four large people used to blur megapixels at full resolution.
    frame = cv2.resize(read("mpii_seated_pair.jpg"), (1920, 1080))
    people = tuple(PersonBox(60 + 460 * i, 40, 420, 1000, 0.9, "pose") for i in range(4))
    detection = Detection(people=people, faces=(Box(200, 100, 300, 300, 0.9),))
    render_evidence(frame, detection, full_body=True)
    cpu_ms = []
    for _ in range(5):
        started = time.process_time()
        evidence = decode(render_evidence(frame, detection, full_body=True))
        cpu_ms.append((time.process_time() - started) * 1000.0)
    assert statistics.median(cpu_ms) < 20.0, cpu_ms
    factor = evidence.shape[1] / frame.shape[1]
    plain = cv2.resize(frame, (evidence.shape[1], evidence.shape[0]), interpolation=cv2.INTER_AREA)
    for person in people:
        body = scaled(Box(person.x, person.y, person.w, person.h), factor)
        assert detail(evidence, body) < 0.1 * detail(plain, body) + 1.0


@pytest.mark.parametrize("max_width", [320, 640])
def test_only_block_averages_survive_inside_a_region(max_width):
    frame = cv2.resize(read("mps_business_person.jpg"), (1280, 720))
    face = Box(500, 150, 240, 240, 0.95)
    detection = Detection(people=(), faces=(face,))
    evidence = decode(render_evidence(frame, detection, max_width=max_width, quality=100))
    factor = evidence.shape[1] / frame.shape[1]
    x, y, w, h = scaled(face, factor)
    patch = cv2.cvtColor(evidence[y : y + h, x : x + w], cv2.COLOR_BGR2GRAY).astype(np.float32)
    # Squeezed to 6x6 and back, the patch barely changes: it holds no finer detail than that.
    coarse = cv2.resize(cv2.resize(patch, (6, 6), interpolation=cv2.INTER_AREA), (w, h))
    assert float(np.abs(patch - coarse).mean()) < 6.0
