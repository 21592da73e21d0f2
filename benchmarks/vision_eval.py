"""Score people detectors on labelled folders and measure speed and memory.

Run pinned to one core, e.g.:
    taskset -c 0 .venv/bin/python benchmarks/vision_eval.py --detector mp-fusion
    taskset -c 0 .venv/bin/python benchmarks/vision_eval.py --detector mp-fast --per-image
    taskset -c 0 .venv/bin/python benchmarks/vision_eval.py --sequences ../shared/sequences
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cameras.vision import available_detectors, get_detector  # noqa: E402
from cameras.vision.evaluate import (  # noqa: E402
    evaluate_labelled_dir,
    evaluate_sequences,
    format_summary,
)
from cameras.vision.privacy import render_evidence  # noqa: E402

SHARED = REPO.parent / "shared"


def time_640x360(detector_name: str, repeats: int = 30) -> tuple[float, float, float, int]:
    """(median, 90th percentile, median CPU) ms of detect() on real frames resized to 640x360,
    and how many of those frames needed the extra passes (adaptive detectors only).

    CPU time (all threads of this process) is given as well because wall time is inflated
    whenever other processes share the core.
    """
    detector = get_detector(detector_name)
    frames = _frames_at((640, 360))
    detector.detect(frames[0])
    before = getattr(detector, "escalations", 0)
    times = []
    cpu_times = []
    for index in range(repeats):
        started = time.perf_counter()
        cpu_started = time.process_time()
        detector.detect(frames[index % len(frames)])
        cpu_times.append((time.process_time() - cpu_started) * 1000.0)
        times.append((time.perf_counter() - started) * 1000.0)
    return (
        statistics.median(times),
        float(np.percentile(times, 90)),
        statistics.median(cpu_times),
        getattr(detector, "escalations", 0) - before,
    )


def time_evidence(detector_name: str) -> tuple[float, float]:
    """(median wall, median CPU) ms of render_evidence() on 768x432 frames with people."""
    detector = get_detector(detector_name)
    cases = [(frame, detector.detect(frame)) for frame in _frames_at((768, 432))]
    cases = [(frame, found) for frame, found in cases if found.people or found.faces]
    times = []
    cpu_times = []
    for frame, found in cases * 3:
        started = time.perf_counter()
        cpu_started = time.process_time()
        render_evidence(frame, found)
        cpu_times.append((time.process_time() - cpu_started) * 1000.0)
        times.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(times), statistics.median(cpu_times)


def _frames_at(size: tuple[int, int]) -> list[np.ndarray]:
    frames = []
    for path in sorted((SHARED / "frames").glob("*.jpg")):
        image = cv2.imread(str(path))
        frames.append(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detector", default=None, choices=available_detectors())
    parser.add_argument("--dir", action="append", type=Path, default=None)
    parser.add_argument("--per-image", action="store_true")
    parser.add_argument("--sequences", action="append", type=Path, default=None)
    parser.add_argument("--noise", type=float, default=0.0, help="sensor noise sigma")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    detector = get_detector(args.detector)
    directories = args.dir or ([] if args.sequences else [SHARED / "frames"])
    for root in args.sequences or []:
        report = evaluate_sequences(root, detector, noise=args.noise)
        if args.per_image:
            for result in report.results:
                print(result.format_line())  # noqa: T201
        print(f"{root.name} (sequences): {report.detector}: {format_summary(report)}")  # noqa: T201
    for directory in directories:
        report = evaluate_labelled_dir(directory, detector, noise=args.noise)
        if args.per_image:
            for result in report.results:
                print(result.format_line())  # noqa: T201
        print(f"{directory.name}: {report.detector}: {format_summary(report)}")  # noqa: T201
    median, p90, cpu, escalated = time_640x360(detector.name)
    evidence_wall, evidence_cpu = time_evidence(detector.name)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(  # noqa: T201
        f"640x360: median {median:.1f} ms (CPU {cpu:.1f} ms), p90 {p90:.1f} ms, "
        f"{escalated} of 30 frames escalated; render_evidence 768x432: median "
        f"{evidence_wall:.1f} ms (CPU {evidence_cpu:.1f} ms); peak RSS {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
