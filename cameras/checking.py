"""Pure rules of one camera check: combining a burst of frames into one answer.

No Django, no camera, no model: plain values in, plain values out. A worker (cameras.services)
and an office agent (kelurahan_agent) read their frames with the same `read_burst`.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from cameras.vision import Detection, PeopleDetector
from cameras.vision.fixed_camera import count_burst
from cameras.vision.health import assess_frame_health, reject_static_false_people
from cameras.vision.privacy import render_evidence
from cameras.vision.scene import scene_from_bytes, scene_to_bytes
from cameras.vision.zones import count_people_in_zone

# A usable frame; anything else is a camera fault that says nothing about people.
HEALTHY = "ok"
# When every frame of a burst is faulty, report the most telling fault first.
_FAULT_PRIORITY = ("moved", "no_detail", "dark", "frozen")


@dataclass(frozen=True)
class FrameReading:
    """What one frame of a burst showed."""

    health: str  # "ok" or a fault code: dark, no_detail, frozen, moved
    people_total: int = 0
    people_in_zone: int = 0


@dataclass(frozen=True)
class BurstResult:
    """The combined answer of a burst. `status` is "ok" or the fault of an all-faulty burst."""

    status: str
    people_total: int | None
    people_in_zone: int | None
    evidence_index: int | None  # which frame best shows the combined answer


def combine_burst(readings: Sequence[FrameReading]) -> BurstResult:
    """Combine the frames of one check.

    Faulty frames are dropped; a burst with no healthy frame is a camera fault, never "no people".
    Counts are the upper median of the healthy frames, so one frame in which a person is hidden
    (behind a monitor) or one spurious detection does not decide the check. The evidence frame is
    the first healthy frame whose in-zone count equals the combined one.
    """
    if not readings:
        raise ValueError("a burst needs at least one frame")
    healthy = [(i, r) for i, r in enumerate(readings) if r.health == HEALTHY]
    if not healthy:
        faults = {r.health for r in readings}
        status = next((f for f in _FAULT_PRIORITY if f in faults), sorted(faults)[0])
        return BurstResult(status, None, None, None)
    in_zone = _upper_median([r.people_in_zone for _, r in healthy])
    total = _upper_median([r.people_total for _, r in healthy])
    evidence = next(i for i, r in healthy if r.people_in_zone == in_zone)
    return BurstResult(HEALTHY, total, in_zone, evidence)


def _upper_median(values: Sequence[int]) -> int:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


@dataclass(frozen=True)
class BurstReading:
    """What one check found on its frames, for a worker or an office agent to record."""

    status: str
    people_total: int | None
    people_in_zone: int | None
    detector: tuple[str, str]
    signature: str
    health: dict[str, object]
    evidence_jpeg: bytes | None
    people_signals: dict[str, int]
    # The empty scene learned afresh when the check saw it empty, healthy and still.
    learned_scene: bytes | None


def read_burst(
    frames: Sequence[NDArray[np.uint8]],
    detector: PeopleDetector,
    *,
    previous_signature: str,
    reference_signature: str,
    staff_zone: Sequence[Sequence[float]],
    ignore_zones: Sequence[Sequence[Sequence[float]]],
    scene_state: bytes,
    evidence_max_width: int = 640,
    evidence_quality: int = 80,
) -> BurstReading:
    """Judge each frame's health, count the people in the staff zone by the fixed-camera rules
    (with the camera's learned empty scene), combine the burst and blur the evidence frame.

    The same reading on a worker and on an office agent: plain values in, plain values out.
    Raw frames stay in memory; only the blurred evidence JPEG leaves this function.
    """
    healths = [
        assess_frame_health(
            frame, previous_signature=previous_signature, reference_signature=reference_signature
        )
        for frame in frames
    ]
    healthy = [index for index, health in enumerate(healths) if health.ok]
    detections: list[Detection | None] = [None] * len(frames)
    learned: bytes | None = None
    counted_skipped = False
    if healthy:
        counted = count_burst(
            [frames[index] for index in healthy],
            detector.detect,
            getattr(detector, "detect_regions", None),
            scene_from_bytes(scene_state),
            getattr(detector, "segment_people", None),
        )
        counted_skipped = counted.skipped
        if counted.learned and counted.scene is not None:
            learned = scene_to_bytes(counted.scene)
        for position, index in enumerate(healthy):
            detections[index] = counted.detections[position]
    readings: list[FrameReading] = []
    for frame, health, detection in zip(frames, healths, detections, strict=True):
        if detection is not None:
            real_people = reject_static_false_people(detection.people, frame, reference_signature)
            in_zone = count_people_in_zone(real_people, frame.shape, staff_zone, ignore_zones)
            readings.append(FrameReading("ok", len(detection.people), len(in_zone)))
        else:
            readings.append(FrameReading(health.status))
    burst = combine_burst(readings)
    evidence_jpeg = None
    signals: dict[str, int] = {}
    if burst.evidence_index is not None:
        evidence = detections[burst.evidence_index]
        if evidence is not None and counted_skipped and not evidence.faces:
            # No model ran on this burst (it matched the empty scene): blur whatever face the
            # cheap face pass sees, so a rule that was wrong can never store a readable face.
            privacy_faces = getattr(detector, "privacy_faces", None)
            if privacy_faces is not None:
                evidence = replace(evidence, faces=privacy_faces(frames[burst.evidence_index]))
        if evidence is not None:
            signals = dict(Counter(person.source for person in evidence.people))
            evidence_jpeg = render_evidence(
                frames[burst.evidence_index],
                evidence,
                max_width=evidence_max_width,
                quality=evidence_quality,
            )
    return BurstReading(
        status=burst.status,
        people_total=burst.people_total,
        people_in_zone=burst.people_in_zone,
        detector=(detector.name, detector.version),
        signature=healths[-1].signature,
        health=healths[-1].as_dict(),
        evidence_jpeg=evidence_jpeg,
        people_signals=signals,
        learned_scene=learned,
    )
