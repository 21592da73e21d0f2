"""People counting scored on the whole labelled photo set (../shared/frames), no Django."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from cameras.vision import Detection, PeopleDetector, get_detector
from cameras.vision.evaluate import EvaluationReport, evaluate_labelled_dir, format_summary
from cameras.vision.mediapipe_backend import FUSION, MediapipeDetector

SHARED = Path(
    os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")
)
FRAMES = SHARED / "frames"


@pytest.fixture(scope="module")
def default_report() -> EvaluationReport:
    return evaluate_labelled_dir(FRAMES, get_detector())


def test_default_detector_meets_the_accuracy_targets_on_all_frames(default_report):
    report = default_report
    assert report.images == 30
    # The targets of the camera-check issue, met by mp-crowd 6 and 7 (measured: 0.967 / 1.000 /
    # 0.800 / 0.286).
    assert report.empty_accuracy == 1.0, format_summary(report)
    assert report.presence_accuracy >= 0.95, format_summary(report)
    assert report.exact_count_accuracy >= 0.80 - 1e-9, format_summary(report)
    assert report.count_mae_le5 <= 0.30, format_summary(report)


def test_default_detector_is_the_crowd_aware_fusion_pipeline():
    detector = get_detector()
    assert isinstance(detector, PeopleDetector)
    assert (detector.name, detector.version.split("+")[0]) == ("mp-crowd", "9")
    assert get_detector(None) is detector
    assert get_detector("mp-crowd") is detector


def test_fusion_detector_meets_its_floors_on_all_frames():
    """mp-fusion without the crowd path: the same counts except on the plaza crowd."""
    report = evaluate_labelled_dir(FRAMES, get_detector("mp-fusion"))
    assert get_detector("mp-fusion").version.split("+")[0] == "5"
    assert report.empty_accuracy == 1.0, format_summary(report)
    assert report.presence_accuracy >= 28 / 30 - 1e-9, format_summary(report)
    assert report.exact_count_accuracy >= 24 / 30 - 1e-9, format_summary(report)
    assert report.count_mae_le5 <= 8 / 28 + 1e-9, format_summary(report)


def test_summary_line_has_the_agreed_format(default_report):
    line = format_summary(default_report)
    keys = [part.split("=")[0] for part in line.split()]
    assert keys == [
        "presence_accuracy",
        "empty_accuracy",
        "exact_count_accuracy",
        "count_mae_le5",
        "ms_per_frame_median",
        "images",
    ]
    assert line.endswith("images=30")
    assert f"presence_accuracy={default_report.presence_accuracy:.3f} " in line


def _assert_sane(detection: Detection, frame: np.ndarray) -> None:
    height, width = frame.shape[:2]
    assert detection.frame_shape == (height, width)
    for person in detection.people:
        assert person.x >= 0
        assert person.y >= 0
        assert person.x + person.w <= width
        assert person.y + person.h <= height
        assert person.w > 0
        assert person.h > 0
        assert person.score >= 0.0
        assert person.source in {"pose", "face", "hog"}
    for face in detection.faces:
        assert face.x >= 0
        assert face.x2 <= width
        assert face.y >= 0
        assert face.y2 <= height


@pytest.mark.parametrize("name", ["mp-fusion", "mp-fast", "hog"])
def test_boxes_are_in_input_frame_pixels_at_any_resolution(name):
    detector = get_detector(name)
    frame = cv2.imread(str(FRAMES / "vut_hall_front_single.jpg"))
    big = cv2.resize(frame, (1920, 1080))
    small = cv2.resize(frame, (480, 270))
    found = []
    for image in (big, small):
        detection = detector.detect(image)
        _assert_sane(detection, image)
        found.append(detection)
    if name != "hog":
        assert found[0].count == found[1].count == 1
        scale = 1920 / 480
        assert abs(found[0].people[0].x - found[1].people[0].x * scale) < 0.1 * 1920


def test_fast_detector_keeps_empty_rooms_empty():
    report = evaluate_labelled_dir(FRAMES, get_detector("mp-fast"))
    assert report.empty_accuracy == 1.0, format_summary(report)
    assert report.presence_accuracy >= 28 / 30 - 1e-9, format_summary(report)


def test_crowd_detector_finds_distant_people_and_keeps_every_empty_frame_empty():
    """The crowd path finds small people on a plaza and never invents one on an empty frame."""
    report = evaluate_labelled_dir(FRAMES, get_detector("mp-crowd"))
    assert report.empty_accuracy == 1.0, format_summary(report)
    assert report.presence_accuracy >= 29 / 30 - 1e-9, format_summary(report)
    assert report.exact_count_accuracy >= 24 / 30 - 1e-9, format_summary(report)
    assert report.count_mae_le5 <= 8 / 28 + 1e-9, format_summary(report)
    for folder in sorted((SHARED / "sequences").iterdir()):
        if (folder / "labels.csv").is_file():
            sequence = evaluate_labelled_dir(folder, get_detector("mp-crowd"))
            empties = [r for r in sequence.results if r.label == 0]
            assert all(r.predicted == 0 for r in empties), f"{folder.name}: a false person"


def test_hog_detector_runs_and_stays_quiet_on_empty_rooms():
    report = evaluate_labelled_dir(FRAMES, get_detector("hog"))
    assert report.images == 30
    assert report.empty_accuracy == 1.0, format_summary(report)
    assert report.presence_accuracy >= 0.35, format_summary(report)


def test_every_empty_frame_of_a_fixed_camera_counts_zero_and_people_are_seen():
    folder = SHARED / "sequences" / "iot_one_by_one_room"
    report = evaluate_labelled_dir(folder, get_detector())
    empties = [r for r in report.results if r.label == 0]
    assert empties
    assert all(r.predicted == 0 for r in empties)
    assert report.presence_accuracy >= 0.9, format_summary(report)


def test_people_seated_far_from_a_corner_camera_are_counted():
    folder = SHARED / "sequences" / "iot_classroom"
    report = evaluate_labelled_dir(folder, get_detector())
    assert report.images == 15
    # Measured: mp-fusion 3 counts all 4 in 11 of 15 frames (mp-fusion 2: 1 of 15). The back
    # row is found only on the tiles, confirmed by the faces there.
    exact = sum(r.predicted == r.label for r in report.results)
    assert exact >= 11, format_summary(report)


def test_adaptive_pipeline_counts_as_well_as_running_every_pass(default_report):
    always = MediapipeDetector(dataclasses.replace(FUSION, adaptive=False))
    report = evaluate_labelled_dir(FRAMES, always)
    assert default_report.presence_accuracy >= report.presence_accuracy, format_summary(report)
    assert default_report.exact_count_accuracy >= report.exact_count_accuracy
    assert default_report.count_mae_le5 <= report.count_mae_le5 + 1e-9


def test_confident_frames_skip_the_extra_passes_and_doubtful_ones_get_them():
    detector = get_detector()
    frame = cv2.imread(str(FRAMES / "vut_hall_empty_bg.jpg"))
    detector.detect(frame)
    before = detector.escalations
    for name in ("vut_hall_empty_bg.jpg", "obo_back_f0242.jpg", "nyu_dining_312.jpg"):
        detector.detect(cv2.imread(str(FRAMES / name)))
    assert detector.escalations == before
    # Furniture scoring as a middling person candidate needs the tiles and the verifier.
    assert detector.detect(cv2.imread(str(FRAMES / "nyu_conference_308.jpg"))).count == 0
    assert detector.escalations == before + 1


def test_an_arm_reaching_into_a_close_up_is_not_a_person():
    folder = SHARED / "sequences" / "iot_bottles_tabletop"
    report = evaluate_labelled_dir(folder, get_detector())
    assert report.images == 24
    # Measured: mp-fusion 2 counts nobody in all 24 frames (mp-fusion 1: 18 of 24).
    assert report.empty_accuracy == 1.0, format_summary(report)


def test_detect_rejects_non_colour_frames():
    with pytest.raises(ValueError, match="BGR"):
        get_detector().detect(np.zeros((10, 10), dtype=np.uint8))
