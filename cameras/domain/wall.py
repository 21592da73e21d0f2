"""Still intervals, camera health over time and crowd levels: plain values in and out."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from places.vocabulary import CameraHealth

# Capture outcomes (ObservationStatus values) grouped by what the wall shows.
_CAPTURE_FAILURES = frozenset(
    {"unreachable", "timeout", "auth_failed", "not_an_image", "stream_ended", "error", "expired"}
)
_FRAME_FAULTS = frozenset({"frozen", "dark", "no_detail", "moved"})


# A camera's health on the wall: the product vocabulary's (places.vocabulary, pure).
Health = CameraHealth


class CrowdLevel(StrEnum):
    QUIET = "sepi"
    BUSY = "ramai"
    PACKED = "padat"


def still_slot(now: datetime, interval_seconds: int) -> datetime:
    """Start of the capture interval holding `now` (aware, UTC), aligned to the Unix epoch.

    Every viewer asking within one interval gets the same slot, which is what lets the still
    table's unique (camera, slot) key allow one capture per camera per interval.
    """
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    seconds = int(now.timestamp()) // interval_seconds * interval_seconds
    return datetime.fromtimestamp(seconds, tz=UTC)


def is_stale(latest_slot: datetime | None, now: datetime, interval_seconds: int) -> bool:
    """True when no still exists for the interval holding `now`."""
    return latest_slot is None or latest_slot < still_slot(now, interval_seconds)


def health_of(status: str) -> Health:
    """What one capture outcome says about the camera."""
    if status == "ok":
        return Health.ONLINE
    if status in _FRAME_FAULTS:
        return Health(status)
    if status in _CAPTURE_FAILURES:
        return Health.OFFLINE
    return Health.UNKNOWN


def next_health(
    current: Health, since: datetime | None, observed: Health, at: datetime
) -> tuple[Health, datetime]:
    """The camera's state after a new capture: `since` moves only when the state changes."""
    if observed == current and since is not None:
        return current, since
    return observed, at


@dataclass(frozen=True)
class HealthSpan:
    state: Health
    starts: datetime
    ends: datetime | None  # None: still going


def health_spans(captures: Sequence[tuple[datetime, str]]) -> list[HealthSpan]:
    """Merge (time, capture status) pairs, oldest first, into runs of one state."""
    spans: list[HealthSpan] = []
    for at, status in captures:
        state = health_of(status)
        if spans and spans[-1].state == state:
            continue
        if spans:
            spans[-1] = HealthSpan(spans[-1].state, spans[-1].starts, at)
        spans.append(HealthSpan(state, at, None))
    return spans


def crowd_level(people: int | None, busy_at: int, packed_at: int) -> CrowdLevel | None:
    """sepi below `busy_at` people, padat from `packed_at`, ramai between; None when unknown."""
    if people is None:
        return None
    if packed_at <= busy_at:
        raise ValueError("packed_at must be greater than busy_at")
    if people >= packed_at:
        return CrowdLevel.PACKED
    if people >= busy_at:
        return CrowdLevel.BUSY
    return CrowdLevel.QUIET


def age_seconds(captured_at: datetime | None, now: datetime) -> int | None:
    """Whole seconds since a capture (never negative: clocks of web and worker may differ)."""
    if captured_at is None:
        return None
    return max(0, int((now - captured_at) / timedelta(seconds=1)))


@dataclass(frozen=True)
class Sparkline:
    points: str  # SVG polyline points
    width: int
    height: int
    low: int
    high: int


def sparkline(values: Sequence[int], width: int = 600, height: int = 80) -> Sparkline | None:
    """An SVG polyline of `values` (oldest first), scaled from 0 to the highest value."""
    if not values:
        return None
    high = max(values)
    scale = height / high if high else 0.0
    step = width / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - value * scale:.1f}" for i, value in enumerate(values)
    )
    return Sparkline(points, width, height, min(values), high)
