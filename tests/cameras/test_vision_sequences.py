"""Fixed-camera counting scored on the whole sequence set (../shared/sequences) and the photo
set (../shared/frames), with and without sensor noise; no Django.

Floors are the figures measured on this development set (README, "How people are counted");
a change that loses a frame anywhere fails here.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from cameras.vision import get_detector
from cameras.vision.evaluate import (
    SEQUENCE_BURST,
    EvaluationReport,
    ImageResult,
    evaluate_labelled_dir,
    evaluate_sequences,
    every_burst_frame,
    format_summary,
    read_eval_frame,
    read_labels,
    summarise,
)
from cameras.vision.fixed_camera import count_burst
from cameras.vision.noise import add_sensor_noise

SHARED = Path(
    os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")
)
SEQUENCES = SHARED / "sequences"
FRAMES = SHARED / "frames"

# Per sequence: presence floor measured (without and with noise sigma 2).
PRESENCE_FLOORS = {
    "iot_bottles_tabletop": 1.0,
    "iot_classroom": 1.0,
    "iot_corridor_walk": 1.0,
    "iot_headpose_female": 1.0,
    "iot_headpose_male": 1.0,
    "iot_one_by_one_room": 1.0,
    # 0.97 with and without noise since segmentation blobs count (mp-crowd 9; 0.85 / 0.76
    # before; the target, 0.85, is reached both ways).
    "iot_store_aisle": 0.97,
}


@pytest.fixture(scope="module")
def plain() -> EvaluationReport:
    return evaluate_sequences(SEQUENCES, get_detector())


@pytest.fixture(scope="module")
def noisy() -> EvaluationReport:
    return evaluate_sequences(SEQUENCES, get_detector(), noise=2.0)


def _by_folder(report: EvaluationReport) -> dict[str, list[ImageResult]]:
    folders: dict[str, list[ImageResult]] = defaultdict(list)
    for result in report.results:
        folders[result.file.split("/")[0]].append(result)
    return folders


def test_sequences_meet_their_floors(plain):
    assert plain.images == 156
    assert plain.empty_accuracy == 1.0, format_summary(plain)
    assert plain.presence_accuracy >= 155 / 156 - 1e-9, format_summary(plain)
    # 129 since segmentation blobs with a face at their top count (store aisle 0002-0009: the
    # man reaching into a shelf); the target, 0.85 (133), is not reached (the aisle).
    assert plain.exact_count_accuracy >= 129 / 156 - 1e-9, format_summary(plain)


@pytest.mark.parametrize("report_name", ["plain", "noisy"])
def test_every_sequence_meets_its_presence_floor(report_name, request):
    report = request.getfixturevalue(report_name)
    folders = _by_folder(report)
    assert set(folders) == set(PRESENCE_FLOORS)
    for folder, results in folders.items():
        share = summarise(folder, results).presence_accuracy
        assert share >= PRESENCE_FLOORS[folder] - 1e-9, (folder, share)


def test_sensor_noise_adds_no_person_and_keeps_presence(plain, noisy):
    empty_frames = [r for r in noisy.results if r.label == 0]
    assert len(empty_frames) == 33
    assert [r.file for r in empty_frames if r.predicted] == []
    # The target: within 0.01. Measured: the same since segmentation blobs count, a
    # head and shoulders at the bottom edge included (mp-crowd 9; before, noise lost 3 store
    # aisle frames: weak poses seen from above flicker around the candidate floor).
    assert abs(noisy.presence_accuracy - plain.presence_accuracy) <= 0.01 + 1e-9


@pytest.mark.parametrize("report_name", ["plain", "noisy"])
def test_the_empty_scene_never_learns_a_frame_with_a_person(report_name, request):
    """Every burst that went into a camera's empty scene shows nobody (by the labels)."""
    report = request.getfixturevalue(report_name)
    learned_any = False
    for results in _by_folder(report).values():
        for index, result in enumerate(results):
            if result.scene_learned:
                learned_any = True
                burst = results[index : index + SEQUENCE_BURST]
                assert [r.label for r in burst] == [0] * len(burst), result.file
    assert learned_any  # the rooms with empty stretches did learn their scene


def test_noise_on_the_photographs_adds_no_person_and_keeps_presence():
    detector = get_detector()
    plain = evaluate_labelled_dir(FRAMES, detector)
    noisy = evaluate_labelled_dir(FRAMES, detector, noise=2.0)
    assert noisy.empty_accuracy == 1.0, format_summary(noisy)
    assert abs(noisy.presence_accuracy - plain.presence_accuracy) <= 0.01 + 1e-9, (
        format_summary(plain),
        format_summary(noisy),
    )


@pytest.mark.parametrize("noise", [0.0, 2.0])
def test_no_frame_of_a_burst_counts_the_man_who_left_the_one_by_one_room(noise):
    """Every frame of every check's burst, scored against its own label: a frame after a
    visitor left (labelled 0) gets nobody, though the frame before it in the burst shows him
    (mp-crowd 7 counted the floor shadow where he stood in 0022 on 0023 and 0024 as a moving
    candidate), and the visits are still counted."""
    report = evaluate_sequences(
        SEQUENCES, get_detector(), noise=noise, only=["iot_one_by_one_room"]
    )
    frames = every_burst_frame(report)
    assert len(frames) == 40 * SEQUENCE_BURST - 3  # the last two checks are shorter
    assert [(f.check, f.file, f.signals) for f in frames if f.label == 0 and f.predicted] == []
    with_people = [f for f in frames if f.label > 0]
    assert sum(f.predicted == f.label for f in with_people) >= len(with_people) - 2


@pytest.mark.parametrize("report_name", ["plain", "noisy"])
def test_no_frame_of_any_burst_counts_a_person_on_an_empty_frame(report_name, request):
    """The same every-frame scoring on every sequence (a hand moving bottles included)."""
    frames = every_burst_frame(request.getfixturevalue(report_name))
    assert len(frames) == 156 * SEQUENCE_BURST - 3 * 7
    assert [(f.check, f.file, f.signals) for f in frames if f.label == 0 and f.predicted] == []


def test_the_still_man_in_the_store_aisle_is_counted_by_his_blob_and_a_face():
    """He reaches into a shelf seen from above and behind: no pose pass finds him, the
    segmentation model gives his blob and the face model the back of his head at 0.6-0.75."""
    report = evaluate_sequences(SEQUENCES, get_detector(), only=["iot_store_aisle"])
    found = [r.file for r in report.results if "segment-face" in r.signals]
    assert {f"iot_store_aisle/{n:04d}.jpg" for n in range(2, 10)} <= set(found)
    assert all(r.predicted <= r.label + 1 for r in report.results)


@pytest.mark.parametrize("noise", [0.0, 2.0])
def test_a_burst_of_any_empty_photograph_counts_nobody_without_a_learned_scene(noise):
    """Three frames of each empty photograph (fresh noise on each with noise) and no empty
    scene yet: still, so only blobs with a face could count; none does (a clock face and a
    table of wine glasses are large person-like blobs to the segmentation model)."""
    detector = get_detector()
    zoom = detector.detect_regions
    empty = [name for name, people in read_labels(FRAMES) if people == 0]
    assert len(empty) >= 8
    for number, name in enumerate(empty):
        frame = read_eval_frame(FRAMES / name)
        burst = [
            add_sensor_noise(frame, noise, np.random.default_rng(100 * number + i))
            for i in range(SEQUENCE_BURST)
        ]
        counted = count_burst(burst, detector.detect, zoom, None, detector.segment_people)
        assert [d.count for d in counted.detections] == [0] * SEQUENCE_BURST, name
