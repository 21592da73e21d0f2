"""Complaint fixtures: a seeded Kendari office with a camera, images, and isolated storage."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from cameras.models import Camera, Observation, ObservationStatus
from places.models import Office

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Photos go to a temporary MEDIA_ROOT; rate-limit counters start at zero."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def office(kendari) -> Office:
    found = Office.objects.select_related("kecamatan__local_government").get(code="74.71.01.1005")
    found.alert_emails = "camat.mandonga@example.go.id, sekcam@example.go.id"
    found.save(update_fields=["alert_emails"])
    return found


@pytest.fixture
def camera(office) -> Camera:
    camera = Camera.for_office(office, name="Ruang pelayanan", source_url="file:///x")
    camera.save()
    return camera


@pytest.fixture
def observe(camera):
    """Write one observation: observe(slot, people, status="ok")."""

    def make(slot: datetime, people: int | None, status: str = ObservationStatus.OK):
        local = timezone.localtime(slot)
        return Observation.objects.create(
            camera=camera,
            slot=slot,
            office_date=local.date(),
            status=status,
            people_in_zone=people,
            people_count=people,
        )

    return make


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretPhoneMaker"
        gps = {1: "S", 2: (3.0, 58.0, 12.0), 3: "E", 4: (122.0, 30.0, 45.0)}
        data[0x8825] = gps
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def jpeg_with_gps() -> bytes:
    return image_bytes("JPEG", exif=True)


@pytest.fixture
def png_bytes() -> bytes:
    return image_bytes("PNG")


def local_now() -> datetime:
    return timezone.localtime(timezone.now())


def recent_visit(hours: int = 1) -> datetime:
    return local_now().replace(second=0, microsecond=0) - timedelta(hours=hours)
