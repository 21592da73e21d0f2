"""The burst rule for weak candidates (`Detection.candidates`), on synthetic frames with fake
detector callables: pure, no model, no Django.

A candidate is a person-shaped hit too weak for a photograph (a person seen from high above
and behind). It counts only when its place moved during the burst, another frame of the burst
has a person or candidate of its size there, and (with a learned scene) its place differs from
the empty scene.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from cameras.vision.detector import Box, Detection, PersonBox
from cameras.vision.fixed_camera import count_burst
from cameras.vision.mediapipe_backend import _person_blobs
from cameras.vision.scene import learn_scene, scene_grey

HEIGHT, WIDTH = 360, 640


def _room(seed: int = 0) -> np.ndarray:
    """A textured still room (the same picture for every seed but for fine sensor grain)."""
    base = np.random.default_rng(42).integers(60, 200, (HEIGHT // 8, WIDTH // 8, 3))
    room = np.kron(base, np.ones((8, 8, 1))).astype(np.float32)
    grain = np.random.default_rng(seed).normal(0, 2, room.shape)
    return np.clip(room + grain, 0, 255).astype(np.uint8)


def _with_figure(frame: np.ndarray, x: int, y: int = 100, w: int = 60, h: int = 160) -> np.ndarray:
    out = frame.copy()
    out[y : y + h, x : x + w] = (30, 40, 200)
    return out


def _candidate(x: int, y: int = 100, w: int = 60, h: int = 160) -> PersonBox:
    return PersonBox(x, y, w, h, 0.6, "pose", Box(x + 15, y, 30, 30, 0.6))


class _Fake:
    """detect() returning the candidates given per frame (by call order)."""

    def __init__(self, candidates: Sequence[Sequence[PersonBox]]) -> None:
        self.candidates = list(candidates)
        self.calls = 0

    def detect(self, frame: np.ndarray) -> Detection:
        found = self.candidates[self.calls]
        self.calls += 1
        return Detection(people=(), frame_shape=(HEIGHT, WIDTH), candidates=tuple(found))


def test_a_moving_candidate_seen_across_the_burst_counts_and_says_so():
    xs = (200, 215, 230)
    frames = [_with_figure(_room(i), x) for i, x in enumerate(xs)]
    fake = _Fake([[_candidate(x)] for x in xs])

    counted = count_burst(frames, fake.detect, None, None)

    assert [d.count for d in counted.detections] == [1, 1, 1]
    assert counted.signals(0) == {"moving-pose": 1}
    assert not counted.learned  # a burst with a counted person never goes into the scene


def test_a_candidate_alone_on_a_photograph_does_not_count():
    fake = _Fake([[_candidate(200)]])

    counted = count_burst([_with_figure(_room(), 200)], fake.detect, None, None)

    assert counted.detections[0].count == 0


def test_a_still_candidate_does_not_count():
    """Furniture the pose model half-takes for a person stands still through the burst."""
    frames = [_with_figure(_room(i), 200) for i in range(3)]
    fake = _Fake([[_candidate(200)]] * 3)

    counted = count_burst(frames, fake.detect, None, None)

    assert [d.count for d in counted.detections] == [0, 0, 0]


def test_a_candidate_seen_in_only_one_frame_does_not_count():
    xs = (200, 215, 230)
    frames = [_with_figure(_room(i), x) for i, x in enumerate(xs)]
    fake = _Fake([[_candidate(200)], [], []])

    counted = count_burst(frames, fake.detect, None, None)

    assert counted.detections[0].count == 0


def test_a_small_candidate_where_someone_else_walked_past_does_not_count():
    """An empty frame whose pillar the pose model half-sees, while a person walks over that
    place in the next frames: the person there is more than SAME_SIZE times as tall."""
    frames = [_room(0), _with_figure(_room(1), 200), _with_figure(_room(2), 215)]
    pillar = _candidate(215, y=180, w=25, h=60)
    fake = _Fake([[pillar], [_candidate(200)], [_candidate(215)]])

    counted = count_burst(frames, fake.detect, None, None)

    assert counted.detections[0].count == 0


def test_the_place_a_person_left_is_no_person_on_the_later_frames_of_the_burst():
    """A person stands at a place in the first frame and has gone in the next two; the pose
    model half-sees a shadow there in both empty frames (one-by-one room 0022-0024). Those
    frames moved only against the first one and look alike: the ghost counts on neither."""
    frames = [_with_figure(_room(0), 200), _room(1), _room(2)]
    person = PersonBox(200, 100, 60, 160, 0.95, "pose", Box(215, 100, 30, 30, 0.95))
    shadow = _candidate(200)
    fake = _Fake([[], [shadow], [shadow]])

    def detect(frame: np.ndarray) -> Detection:
        found = fake.detect(frame)
        first = fake.calls == 1
        return Detection(
            people=(person,) if first else (),
            frame_shape=found.frame_shape,
            candidates=found.candidates,
        )

    counted = count_burst(frames, detect, None, None)

    assert [d.count for d in counted.detections] == [1, 0, 0]


def test_with_a_learned_scene_a_candidate_must_differ_from_it():
    """Motion at a place that looks as the empty scene does (someone passed in front of a
    candidate-like shelf in another frame) is not enough."""
    empty = [_room(10 + i) for i in range(3)]
    scene = learn_scene(None, [scene_grey(f) for f in empty])
    xs = (200, 215, 230)
    moving = [_with_figure(_room(i), x) for i, x in enumerate(xs)]
    with_scene = count_burst(moving, _Fake([[_candidate(x)] for x in xs]).detect, None, scene)
    assert with_scene.signals(0) == {"moving-pose": 1}  # a figure is a change: counts

    frames = [_room(0), _with_figure(_room(1), 200), _with_figure(_room(2), 215)]
    fake = _Fake([[_candidate(208)], [_candidate(200)], [_candidate(215)]])
    counted = count_burst(frames, fake.detect, None, scene)

    assert counted.detections[0].count == 0


class _CountingDetect:
    """A whole-frame detector that finds the same people on every frame and counts its runs."""

    def __init__(self, people: Sequence[PersonBox]) -> None:
        self.people = tuple(people)
        self.runs = 0

    def __call__(self, frame: np.ndarray) -> Detection:
        self.runs += 1
        return Detection(people=self.people, frame_shape=(frame.shape[0], frame.shape[1]))


def test_a_still_burst_runs_the_whole_frame_models_once_when_the_first_frame_is_confident():
    figure = _with_figure(_room(), 200)
    confident = PersonBox(200, 100, 60, 160, 0.97, "pose", Box(215, 100, 30, 30, 0.97))
    detect = _CountingDetect([confident])

    counted = count_burst([figure, figure, figure], detect, None, None)

    assert detect.runs == 1
    assert [d.count for d in counted.detections] == [1, 1, 1]


def test_a_weak_hit_in_a_still_burst_gets_every_frame_run_for_its_own_second_opinion():
    still = _room()
    weak = PersonBox(200, 100, 60, 160, 0.55, "pose", Box(215, 100, 30, 30, 0.55))
    detect = _CountingDetect([weak])

    count_burst([still, still, still], detect, None, None)

    assert detect.runs == 3


def test_a_burst_where_something_moved_runs_every_frame():
    frames = [_with_figure(_room(), x) for x in (100, 200, 300)]
    confident = PersonBox(200, 100, 60, 160, 0.97, "pose", Box(215, 100, 30, 30, 0.97))
    detect = _CountingDetect([confident])

    count_burst(frames, detect, None, None)

    assert detect.runs == 3


def _blob_burst(face: Box | None) -> list[Detection]:
    """Three still frames whose detect() finds nobody, with `face` among the faces."""
    faces = () if face is None else (face,)
    return [Detection(people=(), faces=faces, frame_shape=(HEIGHT, WIDTH))] * 3


def test_a_still_blob_with_a_face_at_its_top_counts_as_segment_face():
    """Two models agree on a still person (no pose pass finds them: seen from behind)."""
    frames = [_with_figure(_room(i), 200) for i in range(3)]
    blob = Box(200, 100, 60, 160, 0.9)
    detections = iter(_blob_burst(Box(215, 100, 30, 30, 0.6)))

    counted = count_burst(frames, lambda f: next(detections), None, None, lambda f: (blob,))

    assert [d.count for d in counted.detections] == [1, 1, 1]
    assert counted.signals(0) == {"segment-face": 1}


def test_a_still_blob_without_a_face_does_not_count():
    """A bottle is person-shaped to the segmentation model and stands still."""
    frames = [_with_figure(_room(i), 200) for i in range(3)]
    blob = Box(200, 100, 60, 160, 0.97)
    detections = iter(_blob_burst(None))

    counted = count_burst(frames, lambda f: next(detections), None, None, lambda f: (blob,))

    assert [d.count for d in counted.detections] == [0, 0, 0]


def test_a_blob_in_only_some_frames_of_the_burst_does_not_count():
    frames = [_with_figure(_room(i), 200) for i in range(3)]
    blob = Box(200, 100, 60, 160, 0.9)
    detections = iter(_blob_burst(Box(215, 100, 30, 30, 0.6)))
    blobs = iter([(blob,), (), (blob,)])

    counted = count_burst(frames, lambda f: next(detections), None, None, lambda f: next(blobs))

    assert [d.count for d in counted.detections] == [0, 0, 0]


@pytest.mark.parametrize(("first", "second", "runs"), [(True, False, 2), (False, True, 1)])
def test_segmentation_stops_at_the_first_frame_without_a_blob(first: bool, second: bool, runs: int):
    """No blob can stand in every frame once one frame has none: the later frames are not
    segmented, and the counts are those of segmenting them all."""
    frames = [_with_figure(_room(i), 200) for i in range(3)]
    blob = Box(200, 100, 60, 160, 0.9)
    blobs = iter([(blob,) if first else (), (blob,) if second else (), (blob,)])
    detections = iter(_blob_burst(Box(215, 100, 30, 30, 0.6)))
    segmented: list[np.ndarray] = []

    def segment(frame: np.ndarray) -> Sequence[Box]:
        segmented.append(frame)
        return next(blobs)

    counted = count_burst(frames, lambda f: next(detections), None, None, segment)

    assert [d.count for d in counted.detections] == [0, 0, 0]
    assert len(segmented) == runs


def test_segmentation_blobs_leave_out_arms_from_above_and_lying_shapes():
    """Upright blobs stay, and one cut off by the bottom edge may be as wide as tall."""
    mask = np.zeros((144, 256), dtype=np.float32)
    mask[0:40, 10:20] = 1.0  # an arm reaching in from the top edge
    mask[50:110, 100:125] = 1.0  # a standing person
    mask[120:135, 150:220] = 1.0  # a lying shape (a table edge)
    mask[124:144, 30:50] = 1.0  # a head and shoulders cut off by the bottom edge
    mask[130:144, 230:256] = 1.0  # a wide shape at the bottom edge (a desk)

    blobs = _person_blobs(mask, 640, 360)

    assert sorted((b.x, b.y, b.w, b.h) for b in blobs) == [(75, 310, 50, 50), (250, 125, 62, 150)]
