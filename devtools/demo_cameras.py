"""Demo public-area cameras and an incident post for Kabupaten Konawe (`make demo`).

The pictures are the CC BY 4.0 demo frames (an office room, see demo_frames/ATTRIBUTION.md):
what matters in the demo is the pipeline, the blurring and the pages, not the scene. Each camera
replays a looping day of those frames (a new one every five minutes, with fresh sensor noise),
so it is live, never frozen, at any hour.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from cameras.models import Camera, CameraGroup, CameraKind
from devtools.demo import build_public_frames
from incidents.models import Incident, IncidentKind, Severity
from places.models import Kecamatan, LocalGovernment


@dataclass(frozen=True)
class DemoCamera:
    name: str
    place: str
    kecamatan_code: str
    latitude: str
    longitude: str
    public: bool = True


KONAWE_CAMERAS = (
    DemoCamera(
        "Alun-alun Unaaha",
        "Depan Kantor Bupati dan DPRD",
        "74.02.02",
        "-3.8545",
        "122.0580",
    ),
    DemoCamera("Jl. Inolobu", "Pusat kota Unaaha", "74.02.02", "-3.8580", "122.0520"),
    DemoCamera(
        "Simpang Wawotobi",
        "Jalan poros Kendari–Kolaka",
        "74.02.03",
        "-3.8600",
        "122.1330",
    ),
    DemoCamera(
        "Gudang logistik BPBD",
        "Unaaha (hanya petugas)",
        "74.02.02",
        "-3.8520",
        "122.0610",
        public=False,
    ),
)


@transaction.atomic
def create_demo_public_cameras(now: datetime, frames_root: Path) -> int:
    """Create (or refresh) Konawe's demo cameras, their wall group and one incident post; each
    camera's looping frames are written under `frames_root`.

    Needs `seed_konawe` first. Returns how many cameras exist afterwards. Idempotent.
    """
    frame_dirs = build_public_frames(frames_root, len(KONAWE_CAMERAS))
    konawe = LocalGovernment.objects.get(code="74.02")
    group, _ = CameraGroup.objects.get_or_create(
        local_government=konawe, name="Jalan dan alun-alun", defaults={"position": 1}
    )
    cameras = []
    for spec, frames in zip(KONAWE_CAMERAS, frame_dirs, strict=True):
        camera, _ = Camera.objects.update_or_create(
            local_government=konawe,
            office=None,
            name=spec.name,
            defaults={
                "kind": CameraKind.PUBLIC_AREA,
                "kecamatan": Kecamatan.objects.get(code=spec.kecamatan_code),
                "location_name": spec.place,
                "latitude": Decimal(spec.latitude),
                "longitude": Decimal(spec.longitude),
                "is_public": spec.public,
                "source_url": f"replay:{frames.resolve()}",
                "burst_frames": 1,
                "crowd_busy_at": 1,
                "crowd_packed_at": 3,
            },
        )
        cameras.append(camera)
    group.cameras.set(cameras)
    Incident.objects.update_or_create(
        local_government=konawe,
        title="Genangan air setinggi 20 cm",
        defaults={
            "kind": IncidentKind.FLOOD,
            "place": "Jl. Inolobu, Unaaha",
            "severity": Severity.MEDIUM,
            "description": "Kendaraan roda dua disarankan melewati jalan alternatif.",
            "camera": cameras[1],
            "starts_at": now - timedelta(minutes=30),
            "expires_at": now + timedelta(hours=12),
            "removed_at": None,
        },
    )
    return len(cameras)
