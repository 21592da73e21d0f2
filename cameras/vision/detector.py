"""Detector contract and registry: a numpy BGR frame in, people boxes out.

Nothing here loads a model. `get_detector()` imports a back-end and builds its detector on first
use, once per process, and caches it; web processes that never call it never load a model.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixel coordinates of the frame given to `detect()`."""

    x: int
    y: int
    w: int
    h: int
    score: float = 1.0

    @property
    def x2(self) -> int:
        return self.x + self.w

    @property
    def y2(self) -> int:
        return self.y + self.h


@dataclass(frozen=True)
class PersonBox:
    """One counted person, in pixel coordinates of the frame given to `detect()`.

    `source` names the signal that found the person ("pose", "face", "hog"). `head` is the
    head (or face) region when the back-end knows it; privacy blurring falls back to the top
    of the box otherwise.
    """

    x: int
    y: int
    w: int
    h: int
    score: float
    source: str
    head: Box | None = None

    @property
    def bottom_centre(self) -> tuple[float, float]:
        """Where the person stands (image coordinates): used by staff zones."""
        return (self.x + self.w / 2.0, float(self.y + self.h))


@dataclass(frozen=True)
class Detection:
    """Result of one `detect()` call.

    `people` are the counted persons. `faces` are every face-like region worth blurring (a
    superset: faces below the counting threshold are included, false blurs are harmless).
    `frame_shape` is (height, width) of the analysed frame. `candidates` are person-shaped
    model hits too weak to count on a single photograph (never counted by `count`); the
    fixed-camera rules (`cameras.vision.fixed_camera`) count one only with agreeing evidence
    from the burst.
    """

    people: tuple[PersonBox, ...]
    faces: tuple[Box, ...] = ()
    frame_shape: tuple[int, int] = (0, 0)
    candidates: tuple[PersonBox, ...] = ()

    @property
    def count(self) -> int:
        return len(self.people)


@runtime_checkable
class PeopleDetector(Protocol):
    """A people counter. `name` and `version` are recorded with every observation."""

    name: str
    version: str

    def detect(self, frame_bgr: NDArray[np.uint8]) -> Detection:
        """Count people in one BGR uint8 frame (any size); boxes in that frame's pixels."""
        ...


# mp-fusion plus the crowd path: the same cost on all but the rare frame that needs it (a
# crowd's weak, small first-pass pose), and it finds the people mp-fusion misses there.
DEFAULT_DETECTOR_NAME = "mp-crowd"

# name -> "module:factory"; the module is imported only when the detector is first asked for.
_FACTORIES: dict[str, str] = {
    "mp-fusion": "cameras.vision.mediapipe_backend:build_fusion_detector",
    "mp-fast": "cameras.vision.mediapipe_backend:build_fast_detector",
    "mp-crowd": "cameras.vision.mediapipe_backend:build_crowd_detector",
    "hog": "cameras.vision.hog_backend:build_hog_detector",
}
_CALLABLES: dict[str, Callable[[], PeopleDetector]] = {}
_CACHE: dict[str, PeopleDetector] = {}
_LOCK = threading.Lock()


def available_detectors() -> tuple[str, ...]:
    """Names accepted by `get_detector()`, default first."""
    others = sorted(name for name in _FACTORIES if name != DEFAULT_DETECTOR_NAME)
    return (DEFAULT_DETECTOR_NAME, *others)


def register_detector(name: str, factory: str | Callable[[], PeopleDetector]) -> None:
    """Add a back-end: `factory` is "module:function" (imported lazily) or a callable."""
    with _LOCK:
        if callable(factory):
            _CALLABLES[name] = factory
            _FACTORIES[name] = ""
        else:
            _FACTORIES[name] = factory
        _CACHE.pop(name, None)


def get_detector(name: str | None = None) -> PeopleDetector:
    """The per-process detector called `name` (default when None/empty); built on first call.

    Raises KeyError for an unknown name. Thread-safe; the instance is shared by the process.
    """
    key = name or DEFAULT_DETECTOR_NAME
    if key not in _FACTORIES:
        known = ", ".join(available_detectors())
        raise KeyError(f"unknown people detector {key!r} (known: {known})")
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _build(key)
            _CACHE[key] = cached
        return cached


def loaded_detectors() -> tuple[str, ...]:
    """Names of the detectors built so far in this process (for tests and health pages)."""
    return tuple(sorted(_CACHE))


def _build(name: str) -> PeopleDetector:
    if name in _CALLABLES:
        return _CALLABLES[name]()
    module_name, _, function_name = _FACTORIES[name].partition(":")
    factory = getattr(importlib.import_module(module_name), function_name)
    detector: PeopleDetector = factory()
    return detector
