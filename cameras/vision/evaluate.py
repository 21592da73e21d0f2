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
"""

from __future__ import annotations

import csv
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from cameras.sources.file import read_image_file
from cameras.vision.boxes import resize_long_side
from cameras.vision.detector import PeopleDetector

EVAL_LONG_SIDE = 640


@dataclass(frozen=True)
class ImageResult:
    file: str
    label: int
    predicted: int
    ms: float

    def format_line(self) -> str:
        return f"{self.file} label={self.label} predicted={self.predicted} ms={self.ms:.1f}"


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


def evaluate_labelled_dir(
    directory: Path, detector: PeopleDetector, *, warmup: bool = True
) -> EvaluationReport:
    """Run `detector` on every image listed in directory/labels.csv and score it.

    The first image is run once untimed when `warmup` is set (models load lazily).
    Raises FileNotFoundError for a listed image that is missing or unreadable.
    """
    rows = read_labels(directory)
    results: list[ImageResult] = []
    for index, (name, label) in enumerate(rows):
        # Read as a camera check reads a snapshot (large JPEGs at a reduced scale).
        frame = read_image_file(directory / name, EVAL_LONG_SIDE)
        frame, _scale = resize_long_side(frame, EVAL_LONG_SIDE)
        if warmup and index == 0:
            detector.detect(frame)
        started = time.perf_counter()
        detection = detector.detect(frame)
        elapsed = (time.perf_counter() - started) * 1000.0
        results.append(ImageResult(name, label, detection.count, elapsed))
    return summarise(f"{detector.name} {detector.version}", results)
