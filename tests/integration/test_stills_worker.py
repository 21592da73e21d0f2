"""Many viewers, one capture: the public page and the wall through a real worker and Redis."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from cameras.domain.wall import crowd_level
from cameras.models import Camera, CameraKind, CameraStill
from places.models import Kecamatan, LocalGovernment
from tests.camservers.snapshot_camera import FlakyCamera
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

VIEWERS = 24


@pytest.fixture
def shared_cache(settings):
    """Web processes of a deployment share one cache (CACHE_URL): Redis here, as in production."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def camera_server(shared_dir):
    jpeg = (shared_dir / "frames" / "vut_hall_front_multi.jpg").read_bytes()
    server = FlakyCamera(jpeg, hang_first=False)
    yield server
    server.stop()


def test_many_viewers_cause_one_capture_per_interval(
    start_worker, live_server, shared_cache, camera_server, settings
):
    settings.STILL_INTERVAL_SECONDS = 3600  # one interval for the whole test, whatever the clock
    government = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    kecamatan = Kecamatan.objects.create(
        local_government=government, code="74.02.02", name="Unaaha"
    )
    camera = Camera.objects.create(
        local_government=government,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=kecamatan,
        name="Alun-alun Unaaha",
        source_url=camera_server.url,
        is_public=True,
    )
    # The worker writes stills where this process reads them (the same KM_VAR_DIR).
    worker = start_worker(queues="vision")

    url = f"{live_server.url}/publik/74.02/kamera.json"

    def view(_: int) -> int:
        return requests.get(url, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(view, range(VIEWERS))) == {200}
    try:
        wait_for(
            lambda: Camera.objects.filter(pk=camera.pk, latest_picture__isnull=False).exists(),
            90,
            "no still was captured by the worker",
        )
    except AssertionError:
        raise AssertionError(worker.log()[-4000:]) from None
    still = CameraStill.objects.get(camera=camera)
    # Viewers who come after the capture are served the stored still.
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(view, range(VIEWERS))) == {200}
    data = requests.get(url, timeout=30).json()
    assert camera_server.requests == 1
    assert CameraStill.objects.filter(camera=camera).count() == 1
    [entry] = data["cameras"]
    assert entry["picture"] == f"/publik/74.02/kamera/{camera.pk}/{still.pk}.jpg"
    picture = requests.get(live_server.url + entry["picture"], timeout=30)
    assert picture.status_code == 200
    assert picture.content[:2] == b"\xff\xd8"
    assert still.status == "ok"
    assert still.people_count >= 1  # three people in a hall: the worker found people
    expected = crowd_level(still.people_count, camera.crowd_busy_at, camera.crowd_packed_at)
    assert entry["crowd"] == expected.value
