"""Replaying a recorded day through the real tick and check tasks with a simulated clock.

A scenario names offices and, for each, a directory of frames named by local time (`replay:`
camera source). The replay creates or updates one "Replay" camera per office, then walks the
day's slot instants in order: at each instant the real planner claims the due checks and the
real check service runs them with its clock set to that instant, so nothing sleeps.
"""

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from cameras import services as camera_services
from cameras.models import Camera, CameraKind, Observation
from cameras.vision import Detection, PeopleDetector, get_detector
from compliance import domain
from compliance.models import DailyVerdict
from compliance.services import plan_due_checks, refresh_daily_verdict
from compliance.verdict_batches import check_policy_for
from places.calendar import load_calendars, zone_of
from places.models import Office, OpeningHours

REPLAY_CAMERA_NAME = "Replay"


class ScenarioError(ValueError):
    """The scenario file cannot be used; the message says why."""


@dataclass(frozen=True)
class ScenarioHours:
    open: time
    close: time
    grace_minutes: int = 15
    min_staff: int = 1


@dataclass(frozen=True)
class ScenarioOffice:
    code: str
    frames_dir: Path
    hours: ScenarioHours | None


def parse_scenario(data: Any, base_dir: Path) -> list[ScenarioOffice]:
    """Validate a scenario document; camera paths are relative to `base_dir`."""
    if not isinstance(data, dict) or not isinstance(data.get("offices"), dict):
        raise ScenarioError('a scenario is {"offices": {"<kode_wilayah>": {"camera": "<dir>"}}}')
    offices = []
    for code, spec in data["offices"].items():
        if not isinstance(spec, dict) or not isinstance(spec.get("camera"), str):
            raise ScenarioError(f"office {code}: 'camera' must be a directory path")
        frames_dir = (base_dir / spec["camera"]).resolve()
        if not frames_dir.is_dir():
            raise ScenarioError(f"office {code}: camera directory {frames_dir} does not exist")
        hours = None
        if (raw := spec.get("hours")) is not None:
            try:
                hours = ScenarioHours(
                    open=time.fromisoformat(raw["open"]),
                    close=time.fromisoformat(raw["close"]),
                    grace_minutes=int(raw.get("grace_minutes", 15)),
                    min_staff=int(raw.get("min_staff", 1)),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ScenarioError(f"office {code}: bad hours {raw!r} ({exc})") from exc
            if hours.close <= hours.open or hours.min_staff < 1 or hours.grace_minutes < 0:
                raise ScenarioError(f"office {code}: hours must close after opening")
        offices.append(ScenarioOffice(code=code, frames_dir=frames_dir, hours=hours))
    if not offices:
        raise ScenarioError("the scenario names no office")
    return offices


def load_scenario(path: Path) -> list[ScenarioOffice]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc}") from exc
    return parse_scenario(data, path.parent)


@transaction.atomic
def prepare_offices(
    day: date, scenario: list[ScenarioOffice], camera_name: str = REPLAY_CAMERA_NAME
) -> list[Office]:
    """Create or update each office's replay camera (named `camera_name`) and hours; clear
    that day's replay checks."""
    codes = [entry.code for entry in scenario]
    offices = {
        office.code: office
        for office in Office.objects.filter(code__in=codes).select_related(
            "kecamatan__local_government"
        )
    }
    if missing := sorted(set(codes) - set(offices)):
        raise ScenarioError(f"unknown office code(s): {', '.join(missing)}")
    for entry in scenario:
        office = offices[entry.code]
        camera, _ = Camera.objects.update_or_create(
            office=office,
            name=camera_name,
            defaults={
                "kind": CameraKind.OFFICE,
                "local_government_id": office.kecamatan.local_government_id,
                "kecamatan_id": office.kecamatan_id,
                "source_url": f"replay:{entry.frames_dir}",
                "enabled": True,
                "burst_frames": 1,
                "burst_interval_seconds": 0,
            },
        )
        Observation.objects.filter(camera=camera, office_date=day).delete()
        DailyVerdict.objects.filter(office=office, date=day).delete()
        if entry.hours is not None:
            OpeningHours.objects.update_or_create(
                office=office,
                weekday=day.weekday(),
                defaults={
                    "local_government": office.kecamatan.local_government,
                    "opens_at": entry.hours.open,
                    "closes_at": entry.hours.close,
                    "grace_minutes": entry.hours.grace_minutes,
                    "min_staff": entry.hours.min_staff,
                },
            )
    return [offices[code] for code in codes]


def replay_day(
    day: date,
    scenario: list[ScenarioOffice],
    until: time | None = None,
    camera_name: str = REPLAY_CAMERA_NAME,
) -> list[DailyVerdict | None]:
    """Run the day's planned checks for the scenario's offices; return their verdicts in order.

    With `until`, the day stops at that local time and verdicts stay provisional.
    """
    offices = prepare_offices(day, scenario, camera_name)
    office_ids = [office.pk for office in offices]
    calendars = load_calendars(offices, day, day)
    instants: set[datetime] = set()
    stop_at: dict[int, datetime | None] = {}
    for office in offices:
        zone = zone_of(office)
        plan = domain.plan_check_slots(
            calendars.office_day(office, day), check_policy_for(office), zone
        )
        stop = datetime.combine(day, until, tzinfo=zone) if until else None
        stop_at[office.pk] = stop
        instants.update(slot.at for slot in plan if stop is None or slot.at <= stop)

    detectors: dict[str, PeopleDetector] = {}
    for instant in sorted(instants):
        tick = plan_due_checks(instant, lookback=timedelta(minutes=1), office_ids=office_ids)
        for observation_id, _expires in tick.dispatched:
            _run_check(observation_id, instant, detectors)

    verdicts = []
    for office in offices:
        verdicts.append(refresh_daily_verdict(office.pk, day, stop_at[office.pk]))
    return verdicts


def _run_check(
    observation_id: int, instant: datetime, detectors: dict[str, PeopleDetector]
) -> None:
    """One check at the replay's clock; a replay's answer for a given time never changes, so
    a failed capture is recorded at once instead of retried."""
    camera = Camera.objects.get(observations=observation_id)
    name = camera_services.detector_name_for(camera) or ""
    if name not in detectors:
        detectors[name] = RecordedFramesDetector(get_detector(name or None))
    try:
        camera_services.run_camera_check(
            observation_id, f"replay:{observation_id}", instant, detector=detectors[name]
        )
    except camera_services.TRANSIENT_ERRORS as exc:
        camera_services.record_capture_failure(observation_id, exc.code, str(exc), instant)


class RecordedFramesDetector:
    """A detector that remembers its answers: recorded frames come again and again (live
    cameras never show the same picture twice, so only replays use this)."""

    def __init__(self, detector: PeopleDetector, size: int = 256) -> None:
        self._detector = detector
        self._size = size
        self._answers: OrderedDict[bytes, Detection] = OrderedDict()
        self.name = detector.name
        self.version = detector.version

    def detect(self, frame_bgr: np.ndarray) -> Detection:
        key = hashlib.blake2b(frame_bgr.tobytes(), digest_size=16).digest()
        if (cached := self._answers.get(key)) is not None:
            self._answers.move_to_end(key)
            return cached
        detection = self._answers[key] = self._detector.detect(frame_bgr)
        if len(self._answers) > self._size:
            self._answers.popitem(last=False)
        return detection


def verdict_summary(office: Office, verdict: DailyVerdict | None) -> dict[str, Any]:
    """The JSON shape of `replay_day --json`."""
    if verdict is None:
        return {
            "office": office.code,
            "status": None,
            "opened_at": None,
            "minutes_late": None,
            "coverage": 0.0,
        }
    opened = verdict.opened_at.astimezone(zone_of(office)) if verdict.opened_at else None
    return {
        "office": office.code,
        "status": verdict.status,
        "opened_at": f"{opened:%H:%M}" if opened else None,
        "minutes_late": verdict.minutes_late,
        "coverage": round(verdict.coverage, 3),
    }
