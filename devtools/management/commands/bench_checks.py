import resource
import statistics
import tempfile
import time as clock
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test import override_settings

from cameras import services
from cameras.models import Camera, Observation
from cameras.sources.frames import decode_image
from cameras.vision import Detection, PeopleDetector, get_detector
from places.models import Kecamatan, LocalGovernment, Office

# The camera servers live with the tests; the benchmark reuses them rather than a copy.
from tests.camservers.http_camera import (
    HIKVISION_PATH,
    FakeHttpCamera,
    shared_frames,
    start_http_camera,
)


class Command(BaseCommand):
    help = (
        "Throughput of whole camera checks (fetch, decode, detect, blur, store) against a local "
        "HTTP snapshot camera (digest auth) serving the shared real photographs, in this one "
        "process. Prints per-stage medians, each stage's ratio to JPEG decode time measured in "
        "the same run, and peak memory. decode_ms is a full-size decode of the camera's JPEG "
        "(the ruler); checks decode large frames at a reduced scale, and fetch_ms is the "
        "capture time minus that reduced decode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=20.0)
        parser.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT of the camera frames")
        parser.add_argument("--detector", default="")
        parser.add_argument(
            "--offices",
            type=int,
            default=65,
            help="offices (one camera each) the checks rotate over, as a deployment's do",
        )

    def handle(
        self, *args: object, seconds: float, size: str, detector: str, offices: int, **o: object
    ) -> None:
        if offices < 1:
            raise CommandError("--offices must be at least 1")
        try:
            width, height = (int(v) for v in size.lower().split("x"))
        except ValueError as exc:
            raise CommandError("--size is WIDTHxHEIGHT, e.g. 1280x720") from exc
        camera_server = start_http_camera(shared_frames(), size=(width, height))
        try:
            with (
                tempfile.TemporaryDirectory() as evidence_dir,
                override_settings(
                    STORAGES={
                        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                        "evidence": {
                            "BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": evidence_dir},
                        },
                        "staticfiles": {
                            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                        },
                    }
                ),
            ):
                figures = self._run(camera_server, seconds, detector, offices)
        finally:
            camera_server.stop()
        for stage in ("capture", "decode", "fetch", "detect", "blur", "db", "check"):
            ratio = figures[stage] / figures["decode"] if figures["decode"] else 0.0
            self.stdout.write(f"{stage:<8} median_ms={figures[stage]:8.2f}  x_decode={ratio:6.1f}")
        self.stdout.write(
            f"checks={figures['checks']:.0f} seconds={figures['seconds']:.1f} "
            f"size={width}x{height} offices={offices}"
        )
        self.stdout.write(
            f"checks_per_second={figures['checks_per_second']:.1f} "
            f"fetch_ms={figures['fetch']:.1f} decode_ms={figures['decode']:.1f} "
            f"detect_ms={figures['detect']:.1f} blur_ms={figures['blur']:.1f} "
            f"db_ms={figures['db']:.1f} "
            f"check_to_decode_ratio={figures['check'] / figures['decode']:.1f} "
            f"peak_rss_mib={figures['peak_rss_mib']:.0f}"
        )

    def _run(
        self, camera_server: FakeHttpCamera, seconds: float, detector: str, offices: int
    ) -> dict[str, float]:
        jpegs = list(camera_server.frames)
        with transaction.atomic():
            cameras = self._cameras(camera_server, offices)
            # 08:00 WITA on a working day; each office gets one slot a minute, so an office-day
            # holds as many checks as a real schedule's (judging them is the tick's work, see
            # bench_tick; the check only records its facts).
            start_slot = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
            decode_ms: list[float] = []
            capture_decode_ms: list[float] = []
            check_ms: list[float] = []
            # One untimed check loads the models, as a worker's first check does.
            warmup_slot = start_slot - timedelta(minutes=1)
            stages: dict[str, list[float]] = {}
            self._check(self._observation(cameras[0], warmup_slot), warmup_slot, detector, {})
            started = clock.perf_counter()
            count = 0
            while clock.perf_counter() - started < seconds:
                camera = cameras[count % len(cameras)]
                slot = start_slot + timedelta(minutes=count // len(cameras))
                # The slot's row is the tick's work (bench_tick), not the check's.
                observation = self._observation(camera, slot)
                began = clock.perf_counter()
                self._check(observation, slot, detector, stages)
                check_ms.append((clock.perf_counter() - began) * 1000)
                # Decode the same kind of JPEG again, on its own, in the same run: at full
                # size (the ruler) and as the capture does (to split capture into fetch).
                jpeg = jpegs[count % len(jpegs)]
                began = clock.perf_counter()
                cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
                decode_ms.append((clock.perf_counter() - began) * 1000)
                began = clock.perf_counter()
                decode_image(jpeg, "bench", services.CAPTURE_LONG_SIDE)
                capture_decode_ms.append((clock.perf_counter() - began) * 1000)
                count += 1
            elapsed = clock.perf_counter() - started
            transaction.set_rollback(True)
        median = {stage: statistics.median(values) for stage, values in stages.items()}
        decode = statistics.median(decode_ms)
        return {
            "checks": count,
            "seconds": elapsed,
            # Checks per second of the check itself (the extra decode is the ruler, not work).
            "checks_per_second": count / (sum(check_ms) / 1000),
            "capture": median["capture"],
            "decode": decode,
            "fetch": max(0.0, median["capture"] - statistics.median(capture_decode_ms)),
            "detect": median.get("detect", 0.0),
            "blur": median.get("blur", 0.0),
            "db": median.get("db", 0.0),
            "check": statistics.median(check_ms),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }

    def _cameras(self, camera_server: FakeHttpCamera, offices: int) -> list[Camera]:
        government = LocalGovernment.objects.create(code="99.98", name="Bench", kind="kota")
        kecamatan = Kecamatan.objects.create(local_government=government, code="99.98.01")
        cameras = []
        for number in range(1, offices + 1):
            office = Office.objects.create(
                code=f"99.98.01.{number:04d}", name=f"Bench {number}", kecamatan=kecamatan
            )
            camera = Camera.for_office(
                office,
                name="bench",
                source_url=camera_server.url(HIKVISION_PATH),
                username=camera_server.username,
                password=camera_server.password,
                burst_frames=1,
                burst_interval_seconds=0,
            )
            camera.save()
            cameras.append(camera)
        return cameras

    def _observation(self, camera: Camera, slot: datetime) -> Observation:
        return Observation.objects.create(
            camera=camera, slot=slot, office_date=slot.date(), expires_at=slot + timedelta(days=1)
        )

    def _check(
        self,
        observation: Observation,
        slot: datetime,
        detector: str,
        stages: dict[str, list[float]],
    ) -> None:
        """The steps of services.run_camera_check, each timed here (the service has no timers)."""
        if not services.claim_observation(observation.pk, "bench", slot):
            raise CommandError("a bench slot was taken")
        observation = Observation.objects.select_related("camera__local_government").get(
            pk=observation.pk
        )
        began = clock.perf_counter()
        frames = services.capture_frames(observation)
        stages.setdefault("capture", []).append((clock.perf_counter() - began) * 1000)
        timed = _TimedDetector(
            get_detector(detector or services.detector_name_for(observation.camera))
        )
        began = clock.perf_counter()
        reading = services.read_frames(observation, frames, timed)
        read_ms = (clock.perf_counter() - began) * 1000
        stages.setdefault("detect", []).append(timed.milliseconds)
        if reading.evidence_jpeg is not None:
            # Frame health, the zone count and the blur of the evidence frame.
            stages.setdefault("blur", []).append(read_ms - timed.milliseconds)
        began = clock.perf_counter()
        summary = services.record_reading(observation, "bench", reading, slot, began)
        stages.setdefault("db", []).append((clock.perf_counter() - began) * 1000)
        if summary.status != "ok":
            raise CommandError(f"a check failed: {summary.status}")


class _TimedDetector:
    """Adds up the time the wrapped detector spends on a check's frames."""

    def __init__(self, detector: PeopleDetector) -> None:
        self._detector = detector
        self.name, self.version = detector.name, detector.version
        self.milliseconds = 0.0

    def detect(self, frame_bgr: np.ndarray) -> Detection:
        began = clock.perf_counter()
        try:
            return self._detector.detect(frame_bgr)
        finally:
            self.milliseconds += (clock.perf_counter() - began) * 1000
