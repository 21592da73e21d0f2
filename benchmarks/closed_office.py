# ruff: noqa: T201 - a measuring script: it prints
"""What a closed office's check costs once its camera has learned the empty scene.

    .venv/bin/python benchmarks/closed_office.py   (PYTHONPATH=. in a worktree)

For every empty photograph of ../shared/frames (the clock close-up aside, as in the tests): the
scene is learned from one still burst, then a fresh burst of 3 frames (new sigma-2 sensor noise
and a JPEG q90 round trip on each) is counted by `count_burst`, once as it runs (a burst that
matches the empty scene runs no model) and once with the skip turned off (every model runs).
Prints one line per mode: the median time per frame and the people counted (must be 0). No
Django is imported.
"""

import os
import statistics
import time
from pathlib import Path

import numpy as np

from cameras.vision import fixed_camera, get_detector
from cameras.vision.evaluate import read_eval_frame, read_labels
from cameras.vision.noise import add_sensor_noise
from cameras.vision.scene import learn_scene, scene_grey

FRAMES = Path(os.environ.get("KM_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
FRAMES = FRAMES / "frames"


def _burst(frame: np.ndarray, seed: int) -> list[np.ndarray]:
    return [add_sensor_noise(frame, 2.0, np.random.default_rng(seed * 10 + i)) for i in range(3)]


def main() -> None:
    detector = get_detector(None)
    zoom = getattr(detector, "detect_regions", None)
    detector.detect(read_eval_frame(FRAMES / "obo_empty_f0000.jpg"))  # load the models
    rooms = [n for n, people in read_labels(FRAMES) if people == 0 and n != "coco_clock_078.jpg"]
    skip_from = fixed_camera.MIN_SKIP_LEARNED
    for mode, learned_needed in (("skip", skip_from), ("models", 10**9)):
        fixed_camera.MIN_SKIP_LEARNED = learned_needed
        times, counted = [], 0
        for number, name in enumerate(rooms):
            frame = read_eval_frame(FRAMES / name)
            scene = learn_scene(None, [scene_grey(f) for f in _burst(frame, 1)])
            burst = _burst(frame, 50 + number)
            began = time.perf_counter()
            result = fixed_camera.count_burst(burst, detector.detect, zoom, scene)
            times.append((time.perf_counter() - began) * 1000 / len(burst))
            counted += sum(d.count for d in result.detections)
        print(
            f"mode={mode} rooms={len(rooms)} "
            f"ms_per_frame_median={statistics.median(times):.1f} people_counted={counted}"
        )
    fixed_camera.MIN_SKIP_LEARNED = skip_from


if __name__ == "__main__":
    main()
