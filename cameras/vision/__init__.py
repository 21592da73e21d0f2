"""Vision: numpy frames in, people counts, frame health and blurred evidence out.

No Django and no model loading at import: detectors are built by `get_detector()` on first use
and load their models on their first `detect()`.
"""

from cameras.vision.detector import (
    DEFAULT_DETECTOR_NAME,
    Box,
    Detection,
    PeopleDetector,
    PersonBox,
    available_detectors,
    get_detector,
    register_detector,
)
from cameras.vision.health import (
    FrameHealth,
    assess_frame_health,
    build_reference,
    frame_signature,
    reject_static_false_people,
)
from cameras.vision.privacy import annotate, render_evidence
from cameras.vision.zones import count_people_in_zone, validate_polygon

__all__ = [
    "DEFAULT_DETECTOR_NAME",
    "Box",
    "Detection",
    "FrameHealth",
    "PeopleDetector",
    "PersonBox",
    "annotate",
    "assess_frame_health",
    "available_detectors",
    "build_reference",
    "count_people_in_zone",
    "frame_signature",
    "get_detector",
    "register_detector",
    "reject_static_false_people",
    "render_evidence",
    "validate_polygon",
]
