"""The check split in two stages: waiting for the camera, then counting.

A burst of three frames a second apart holds its process about 2 s, nearly all of it waiting on
the network and the interval between frames; counting the frames takes about 50 ms a frame of
CPU. In one prefork process per check, the waits decide how many processes (and how much
memory) a deployment needs. Split, the capture stage runs on a pool of threads (`celery worker
-P threads -c 100 -Q capture`: a thread waiting on a socket costs a few MB, not a process) and
hands the burst as JPEG bytes, in memory and through the broker, to the counting stage on
prefork processes (`-Q count`, one process per core) that never wait on a camera.

Each stage keeps the check's guarantees: the capture claims the slot (lease and token as in
cameras.services), the count records only while that claim holds, and a redelivered message
repeats its stage harmlessly. Raw frames are never written to disk.
"""

import base64
import time
from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np

from cameras import services, sources
from cameras.models import Observation
from cameras.sources.frames import decode_image
from cameras.vision import PeopleDetector, get_detector

# Frames are re-encoded at this quality for the hand-over: about 40 kB for a 640 px frame.
_HANDOVER_JPEG_QUALITY = 90


@dataclass(frozen=True)
class CapturedBurst:
    """A captured burst waiting to be counted: the check's claim and its frames as JPEG."""

    observation_id: int
    token: str
    captured_at: datetime
    jpegs: list[bytes]


def capture_for_counting(
    observation_id: int, token: str, now: datetime
) -> CapturedBurst | services.CheckSummary:
    """Claim the slot and capture its burst; the frames come back as JPEG bytes for the count
    stage. A slot taken by someone else, expired, or a camera that answered with a permanent
    error ends here (recorded, or skipped) and returns the summary. Raises TRANSIENT_ERRORS as
    `run_camera_check` does."""
    if not services.claim_observation(observation_id, token, now):
        return services.CheckSummary(observation_id, "skipped")
    observation = Observation.objects.select_related("camera__local_government").get(
        pk=observation_id
    )
    started = time.perf_counter()
    if observation.expires_at is not None and now >= observation.expires_at:
        expired = services.CheckReading("expired", error="slot expired")
        return services.record_reading(observation, token, expired, now, started)
    try:
        frames = services.capture_frames(observation)
    except services.TRANSIENT_ERRORS:
        raise
    except sources.CaptureError as exc:
        failed = services.CheckReading(exc.code, error=str(exc))
        return services.record_reading(observation, token, failed, now, started)
    return CapturedBurst(observation_id, token, now, [encode_frame(frame) for frame in frames])


def count_captured(
    burst: CapturedBurst, now: datetime, *, detector: PeopleDetector | None = None
) -> services.CheckSummary:
    """Count the people in a captured burst and record the reading at `now` (the count's
    clock: the tick pulls facts by when they were written), only while the capture's claim
    still holds (a slot the tick settled meanwhile is left as it is). `duration_ms` is the
    counting time: CPU work, without the camera waits."""
    observation = Observation.objects.select_related("camera__local_government").get(
        pk=burst.observation_id
    )
    started = time.perf_counter()
    frames = [
        decode_image(jpeg, "captured frame", services.CAPTURE_LONG_SIDE) for jpeg in burst.jpegs
    ]
    chosen = detector or get_detector(services.detector_name_for(observation.camera))
    reading = services.read_frames(observation, frames, chosen)
    return services.record_reading(
        observation, burst.token, reading, now, started, captured_at=burst.captured_at
    )


def encode_frame(frame: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, _HANDOVER_JPEG_QUALITY])
    if not ok:
        raise sources.NotAnImage("a captured frame could not be encoded")
    return encoded.tobytes()


def burst_to_message(burst: CapturedBurst) -> dict[str, object]:
    """The burst as JSON-safe task arguments (the broker carries JSON only)."""
    return {
        "observation_id": burst.observation_id,
        "token": burst.token,
        "captured_at": burst.captured_at.isoformat(),
        "jpegs": [base64.b64encode(jpeg).decode("ascii") for jpeg in burst.jpegs],
    }


def burst_from_message(message: dict[str, object]) -> CapturedBurst:
    jpegs = message["jpegs"]
    assert isinstance(jpegs, list)  # noqa: S101 - our own message
    return CapturedBurst(
        observation_id=int(str(message["observation_id"])),
        token=str(message["token"]),
        captured_at=datetime.fromisoformat(str(message["captured_at"])),
        jpegs=[base64.b64decode(jpeg) for jpeg in jpegs],
    )
