# ruff: noqa: T201 - a measuring script: it prints
"""Every frame of every burst scored against its own label, on ../shared/sequences.

    .venv/bin/python benchmarks/every_burst_frame.py [--noise 0 2] [--only FOLDER ...]
    (PYTHONPATH=. in a worktree)

`evaluate_detector --sequences` scores a check by its first frame only. A real check stores
the count of its evidence frame and the burst's combination, and any frame of the burst can be
that frame, so a person counted on a later frame of a burst after they left (a frame labelled
0) is the product's worst error even when the first frame is right. This runs the same
per-camera path (`evaluate_sequences`: the same bursts, the same learned scene carried from
earlier frames only) and, per noise level, prints:

* `false_person` lines: every frame labelled 0 that some burst counts a person on (the check,
  the frame's position in the burst, the count and the signals that counted it);
* one line per sequence: presence and exact count over every frame of every burst;
* `noise=... burst_frames=... empty_frames=... false_persons=... presence=... exact=...
  false_open_checks=...`: the last is the checks whose combined count (the upper median of
  the burst's frames, as `cameras.checking.combine_burst` records it) is above 0 while the
  upper median of the burst's labels is 0.

No Django is imported.
"""

import argparse
import os
from collections import defaultdict
from pathlib import Path

from cameras.vision import get_detector
from cameras.vision.evaluate import BurstFrameResult, evaluate_sequences, every_burst_frame

SEQUENCES = Path(os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SEQUENCES = SEQUENCES / "sequences"


def _shares(frames: list[BurstFrameResult]) -> tuple[float, float]:
    presence = sum((f.predicted > 0) == (f.label > 0) for f in frames) / len(frames)
    exact = sum(f.predicted == f.label for f in frames) / len(frames)
    return presence, exact


def _upper_median(values: list[int]) -> int:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 2.0])
    parser.add_argument("--only", nargs="*", default=[], help="sequence folder names")
    parser.add_argument("--sequences", type=Path, default=SEQUENCES)
    args = parser.parse_args()
    detector = get_detector(None)
    print(f"detector={detector.name} version={detector.version}")
    for noise in args.noise:
        report = evaluate_sequences(args.sequences, detector, noise=noise, only=args.only)
        frames = every_burst_frame(report)
        false_persons = [f for f in frames if f.label == 0 and f.predicted > 0]
        for f in false_persons:
            print(
                f"noise={noise:g} false_person check={f.check} frame={f.file} "
                f"position={f.position} predicted={f.predicted} signals={f.signals}"
            )
        by_folder: dict[str, list[BurstFrameResult]] = defaultdict(list)
        for f in frames:
            by_folder[f.file.split("/")[0]].append(f)
        for folder, results in sorted(by_folder.items()):
            presence, exact = _shares(results)
            print(
                f"noise={noise:g} sequence={folder} burst_frames={len(results)} "
                f"presence={presence:.3f} exact={exact:.3f}"
            )
        checks: dict[str, list[BurstFrameResult]] = defaultdict(list)
        for f in frames:
            checks[f.check].append(f)
        false_open = [
            check
            for check, burst in checks.items()
            if _upper_median([f.predicted for f in burst]) > 0
            and _upper_median([f.label for f in burst]) == 0
        ]
        for check in false_open:
            print(f"noise={noise:g} false_open_check={check}")
        presence, exact = _shares(frames)
        empties = sum(f.label == 0 for f in frames)
        print(
            f"noise={noise:g} burst_frames={len(frames)} empty_frames={empties} "
            f"false_persons={len(false_persons)} presence={presence:.3f} exact={exact:.3f} "
            f"false_open_checks={len(false_open)} first_frame: {report.format_summary()}"
        )


if __name__ == "__main__":
    main()
