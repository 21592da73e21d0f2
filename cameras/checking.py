"""Pure rules of one camera check: combining a burst of frames into one answer.

No Django, no camera, no model: plain values in, plain values out.
"""

from collections.abc import Sequence
from dataclasses import dataclass

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
