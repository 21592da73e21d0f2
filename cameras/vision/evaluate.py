"""Score a detector on a labelled folder (labels.csv: file,people[,scene,notes]).

Policy: every image is read as a camera check reads a snapshot (a large JPEG is decoded at a
reduced scale) and resized so its longer side is EVAL_LONG_SIDE px (a CCTV-like working size)
before `detect()`; the time is that of `detect()` alone, on the calling thread.

Metrics over all images of the folder:
* presence_accuracy: share of images where (predicted > 0) == (label > 0);
* empty_accuracy: share of label-0 images predicted 0 (1.0 when there is none);
* exact_count_accuracy: share of all images where predicted == label (crowd labels marked
  APPROX in notes count as exact only when equal too);
* count_mae_le5: mean |predicted - label| over images labelled 0..5 people;
* ms_per_frame_median: median `detect()` time.

Fixed cameras (`evaluate_sequences`): DIR holds one folder per camera, frames in time order.
Each frame is one check of that camera whose burst is the frame and the SEQUENCE_BURST - 1
frames right after it (fewer at the end of the folder), counted by the real per-camera path
(`cameras.vision.fixed_camera.count_burst`). The camera's learned empty scene starts empty in
every folder and takes in a check's frames only once the whole burst lies before the frame
being checked: never later frames, never labels, never another folder. The predicted count
of a frame is its own count within its burst; its time is the burst's time divided by the
burst's frames (each frame is detected once in a real check). Each result also keeps the
count of every frame of its burst (`burst_predicted`): `every_burst_frame` scores those against
each frame's own label, which finds a person counted on a frame of the burst after they left.

With `noise` > 0 every frame gets fresh Gaussian sensor noise of that sigma and a JPEG q90
round trip (`cameras.vision.noise`) as read, with a fixed seed per file, so runs repeat.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cameras.sources.file import read_image_file
from cameras.vision.boxes import resize_long_side
from cameras.vision.detector import PeopleDetector
from cameras.vision.fixed_camera import SegmentFn, ZoomFn, count_burst
from cameras.vision.noise import add_sensor_noise, noise_seed
from cameras.vision.scene import SceneState, learn_scene, scene_grey

EVAL_LONG_SIDE = 640
SEQUENCE_BURST = 3  # frames per check in `evaluate_sequences`: the frame and the next two


@dataclass(frozen=True)
class ImageResult:
    file: str
    label: int
    predicted: int
    ms: float
    signals: str = ""  # which signal counted each person, e.g. "pose:2,zoom-pose:1"
    scene_learned: bool = False  # sequences: this check's burst went into the empty scene
    # Sequences: the count of every frame of this check's burst (the first is `predicted`) and
    # the signals that counted them, for scoring each frame against its own label.
    burst_predicted: tuple[int, ...] = ()
    burst_signals: tuple[str, ...] = ()

    def format_line(self) -> str:
        line = f"{self.file} label={self.label} predicted={self.predicted} ms={self.ms:.1f}"
        return f"{line} signals={self.signals}" if self.signals else line


@dataclass(frozen=True)
class EvaluationReport:
    detector: str
    results: tuple[ImageResult, ...]
    presence_accuracy: float
    empty_accuracy: float
    exact_count_accuracy: float
    count_mae_le5: float
    ms_per_frame_median: float

    @property
    def images(self) -> int:
        return len(self.results)

    def format_summary(self) -> str:
        return format_summary(self)


def format_summary(report: EvaluationReport) -> str:
    """The one-line summary, e.g. `presence_accuracy=0.950 ... images=30`."""
    return (
        f"presence_accuracy={report.presence_accuracy:.3f} "
        f"empty_accuracy={report.empty_accuracy:.3f} "
        f"exact_count_accuracy={report.exact_count_accuracy:.3f} "
        f"count_mae_le5={report.count_mae_le5:.3f} "
        f"ms_per_frame_median={report.ms_per_frame_median:.1f} "
        f"images={report.images}"
    )


def read_labels(directory: Path) -> list[tuple[str, int]]:
    """(file, people) rows of directory/labels.csv, in file order."""
    with (directory / "labels.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["file"], int(row["people"])) for row in csv.DictReader(handle)]


def summarise(detector_label: str, results: list[ImageResult]) -> EvaluationReport:
    """Metrics (see module docstring) of per-image results."""
    if not results:
        raise ValueError("no images to evaluate")
    total = len(results)
    presence = sum((r.predicted > 0) == (r.label > 0) for r in results) / total
    empties = [r for r in results if r.label == 0]
    empty = sum(r.predicted == 0 for r in empties) / len(empties) if empties else 1.0
    exact = sum(r.predicted == r.label for r in results) / total
    small = [r for r in results if r.label <= 5]
    mae = sum(abs(r.predicted - r.label) for r in small) / len(small) if small else 0.0
    return EvaluationReport(
        detector=detector_label,
        results=tuple(results),
        presence_accuracy=presence,
        empty_accuracy=empty,
        exact_count_accuracy=exact,
        count_mae_le5=mae,
        ms_per_frame_median=statistics.median(r.ms for r in results),
    )


def read_eval_frame(path: Path, noise: float = 0.0, seed_name: str = "") -> NDArray[np.uint8]:
    """An image as a camera check reads it, with sensor noise when `noise` > 0."""
    # Read as a camera check reads a snapshot (large JPEGs at a reduced scale).
    frame = read_image_file(path, EVAL_LONG_SIDE)
    if noise > 0:
        rng = np.random.default_rng(noise_seed(seed_name or path.name))
        frame = add_sensor_noise(frame, noise, rng)
    frame, _scale = resize_long_side(frame, EVAL_LONG_SIDE)
    return frame


def evaluate_labelled_dir(
    directory: Path, detector: PeopleDetector, *, warmup: bool = True, noise: float = 0.0
) -> EvaluationReport:
    """Run `detector` on every image listed in directory/labels.csv and score it.

    The first image is run once untimed when `warmup` is set (models load lazily).
    Raises FileNotFoundError for a listed image that is missing or unreadable.
    """
    rows = read_labels(directory)
    results: list[ImageResult] = []
    for index, (name, label) in enumerate(rows):
        frame = read_eval_frame(directory / name, noise)
        if warmup and index == 0:
            detector.detect(frame)
        started = time.perf_counter()
        detection = detector.detect(frame)
        elapsed = (time.perf_counter() - started) * 1000.0
        results.append(ImageResult(name, label, detection.count, elapsed))
    return summarise(f"{detector.name} {detector.version}", results)


def sequence_folders(root: Path) -> list[Path]:
    """The camera folders of a sequences directory (those with a labels.csv), by name."""
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "labels.csv").is_file())


def evaluate_sequences(
    root: Path,
    detector: PeopleDetector,
    *,
    burst: int = SEQUENCE_BURST,
    noise: float = 0.0,
    warmup: bool = True,
    only: Sequence[str] = (),
) -> EvaluationReport:
    """Score `detector` on every camera folder of `root` as consecutive fixed-camera checks.

    See the module docstring for the burst, the carried scene state and the timing. Result
    files are named `folder/file`. `only` limits the run to these folder names. Raises
    ValueError when no folder has labels.
    """
    folders = [f for f in sequence_folders(root) if not only or f.name in only]
    if not folders:
        raise ValueError(f"no folder with labels.csv in {root}")
    zoom: ZoomFn | None = getattr(detector, "detect_regions", None)
    segment: SegmentFn | None = getattr(detector, "segment_people", None)
    results: list[ImageResult] = []
    for folder in folders:
        rows = read_labels(folder)
        frames = [
            read_eval_frame(folder / name, noise, f"{folder.name}/{name}") for name, _ in rows
        ]
        if warmup and frames:
            detector.detect(frames[0])
            warmup = False
        committed: SceneState | None = None
        pending: list[tuple[int, list[NDArray[np.uint8]]]] = []
        for index, (name, label) in enumerate(rows):
            # Learned scenes whose whole burst lies before this frame become the camera's state.
            for _ready, learned in [item for item in pending if item[0] <= index]:
                committed = learn_scene(committed, [scene_grey(frame) for frame in learned])
            pending = [item for item in pending if item[0] > index]
            check = frames[index : index + burst]
            started = time.perf_counter()
            counted = count_burst(check, detector.detect, zoom, committed, segment)
            elapsed = (time.perf_counter() - started) * 1000.0 / len(check)
            if counted.learned:
                pending.append((index + len(check), check))
            burst_signals = tuple(
                ",".join(f"{k}:{v}" for k, v in sorted(counted.signals(i).items()))
                for i in range(len(check))
            )
            results.append(
                ImageResult(
                    f"{folder.name}/{name}",
                    label,
                    counted.detections[0].count,
                    elapsed,
                    burst_signals[0],
                    counted.learned,
                    tuple(detection.count for detection in counted.detections),
                    burst_signals,
                )
            )
    return summarise(f"{detector.name} {detector.version}", results)


@dataclass(frozen=True)
class BurstFrameResult:
    """One frame of one check's burst, scored against that frame's own label."""

    check: str  # the check's first frame, `folder/file`
    file: str  # this frame, `folder/file`
    position: int  # 0 for the check's first frame
    label: int
    predicted: int
    signals: str


def every_burst_frame(report: EvaluationReport) -> list[BurstFrameResult]:
    """Every frame of every burst of a sequences report with its own label (frames appear in
    up to SEQUENCE_BURST checks). The labels come from the report's own per-frame results."""
    labels = {result.file: result.label for result in report.results}
    order = [result.file for result in report.results]
    found: list[BurstFrameResult] = []
    for index, result in enumerate(report.results):
        folder = result.file.split("/")[0]
        for position, predicted in enumerate(result.burst_predicted):
            name = order[index + position]
            if name.split("/")[0] != folder:
                raise ValueError(f"burst of {result.file} runs past its folder")
            found.append(
                BurstFrameResult(
                    result.file,
                    name,
                    position,
                    labels[name],
                    predicted,
                    result.burst_signals[position],
                )
            )
    return found
