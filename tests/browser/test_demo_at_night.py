"""The demo at 22:00 local time: the wall shows live pictures of the demo's office cameras,
not "Belum ada gambar" (issue 15: a demo that lives at any hour)."""

from __future__ import annotations

from datetime import datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import log_in, open_page, save_screenshot
from tests.browser.test_wall_and_public_browser import ALL_IMAGES_LOADED

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def night(kendari, evidence_storage, tmp_path, settings):
    """22:00 local today (the web server thread too); five Kendari offices with the demo's
    looping cameras, each captured once at that hour as the worker would."""
    from cameras.stills import capture_still
    from devtools import demo, replay
    from places.models import Office

    settings.CAMERA_LOCAL_SOURCES = True
    zone = timezone.get_current_timezone()
    at_night = datetime.combine(timezone.localdate(), time(22, 0), tzinfo=zone)
    with time_machine.travel(at_night, tick=True):
        offices = list(Office.objects.filter(kecamatan__code="74.71.01").order_by("code")[:5])
        demo.build_demo_scenario([office.code for office in offices], tmp_path)
        replay.prepare_offices(
            timezone.localdate(),
            replay.load_scenario(tmp_path / "scenario.json"),
            camera_name=demo.OFFICE_CAMERA_NAME,
        )
        cameras = [office.cameras.get() for office in offices]
        for camera in cameras:
            assert capture_still(camera.pk, timezone.now(), timezone.now()).status == "ok"
        yield cameras


def test_the_demo_wall_shows_pictures_at_22_00(live_server, chromium, night, staff_user):
    page = open_page(chromium, {"width": 1440, "height": 900})
    try:
        log_in(page, live_server.url, staff_user.username)
        page.goto(live_server.url + reverse("cameras:wall"))
        page.wait_for_selector("#wall-grid .wall-tile")
        assert page.locator(".wall-tile").count() == len(night)
        summary = page.locator(".wall-summary").first.inner_text()
        assert f"{len(night)} kamera · {len(night)} daring · 0 bermasalah" in summary
        for camera in night:
            tile = page.locator(f".wall-tile[data-camera='{camera.pk}']")
            assert tile.locator(".wall-name").inner_text() == "Ruang pelayanan"
            assert tile.locator(".wall-health").inner_text() == "Daring"
        page.wait_for_function(ALL_IMAGES_LOADED, arg=".wall-tile img")
        assert page.locator(".wall-tile img").count() == len(night)
        assert "Belum ada gambar" not in page.content()
        save_screenshot(page, "demo-wall-22-00")
        assert page.console_log.errors == []
    finally:
        page.context.close()
