"""The command-centre wall and the public page in real headless Chromium.

Stills are made beforehand by calling the capture service on `file://` demo frames: the pages
only queue captures (to the embedded broker, which no worker reads here), so what they show is
exactly what the fixtures stored.
"""

from __future__ import annotations

import json
import re
import struct
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import log_in, open_page, save_screenshot

# serialized_rollback: the flush after each test must not lose the role groups that a data
# migration created; later (non-transactional) test modules rely on them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_FRAMES = settings.BASE_DIR / "kelurahan_monitor" / "demo_frames" / "one_by_one_room"
MISSING_FRAME = DEMO_FRAMES / "no-such-frame.jpg"
WALL_VIEWPORTS = {
    "4k": {"width": 3840, "height": 2160},
    "1080p": {"width": 1920, "height": 1080},
    "laptop": {"width": 1366, "height": 900},
}
PHONE = {"width": 390, "height": 844}
SVG_NUMBER = re.compile(r"-?\d+(\.\d+)?")
PUBLIC_PAGE_BUDGET_BYTES = 300 * 1024
SERVICE_WORKER_READY = """() => Promise.race([
    navigator.serviceWorker.ready.then((registration) => ({
        scope: registration.scope, state: registration.active && registration.active.state})),
    new Promise((resolve, reject) =>
        setTimeout(() => reject(new Error("service worker not ready in 10 s")), 10000)),
])"""
ALL_IMAGES_LOADED = """(selector) => {
    const images = [...document.querySelectorAll(selector)];
    return images.length > 0 && images.every((image) => image.complete && image.naturalWidth > 0);
}"""


def frame_url(number: int) -> str:
    return (DEMO_FRAMES / f"{number:04d}.jpg").as_uri()


def capture(camera, source_url: str, slot, captured_at) -> str:
    """Point the camera at `source_url` and capture the still of `slot`; returns the status."""
    from cameras.models import Camera
    from cameras.stills import capture_still

    Camera.objects.filter(pk=camera.pk).update(source_url=source_url)
    return capture_still(camera.pk, slot, captured_at).status


def interval_slots(now, count: int) -> list:
    """The `count` most recent still slots up to the one holding `now`, oldest first."""
    from cameras.domain.wall import still_slot

    interval = settings.STILL_INTERVAL_SECONDS
    newest = still_slot(now, interval)
    return [newest - timedelta(seconds=interval * back) for back in range(count - 1, -1, -1)]


def all_images_load(page, selector: str) -> None:
    """Scroll every (lazy) image matched into view, then wait until each has decoded."""
    images = page.locator(selector)
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(ALL_IMAGES_LOADED, arg=selector)


def horizontal_overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", body[16:24])


# --- Command-centre wall ---------------------------------------------------------------------


@dataclass
class WallData:
    cameras: list  # every camera on the wall, Mandonga's first
    history_camera: object  # four intervals: ok, ok, unreachable, ok
    offline_camera: object  # a picture, then unreachable
    mandonga_count: int


@pytest.fixture
def wall_data(kendari, evidence_storage) -> WallData:
    """Eight office cameras of Kendari: six in Mandonga (one row of a wide wall), two in
    Kecamatan Kendari. Every camera has a picture; one has a history of four intervals and
    one went offline after its picture."""
    from cameras.models import Camera
    from places.models import Office

    now = timezone.now()
    slots = interval_slots(now, 4)
    mandonga = list(Office.objects.filter(kecamatan__code="74.71.01").order_by("code")[:6])
    kendari_offices = list(Office.objects.filter(kecamatan__code="74.71.02").order_by("code")[:2])
    assert (len(mandonga), len(kendari_offices)) == (6, 2)
    cameras = []
    for index, office in enumerate(mandonga + kendari_offices):
        camera = Camera.for_office(office, name=f"Ruang pelayanan {office.name}", source_url="")
        camera.save()
        cameras.append(camera)
        if index not in (0, len(mandonga)):
            assert capture(camera, frame_url(3 + 4 * index), slots[-1], now) == "ok"

    history_camera = cameras[0]
    history = [frame_url(5), frame_url(20), MISSING_FRAME.as_uri(), frame_url(35)]
    statuses = [
        capture(history_camera, source, slot, slot + timedelta(seconds=3))
        for source, slot in zip(history, slots, strict=True)
    ]
    assert statuses == ["ok", "ok", "unreachable", "ok"]

    offline_camera = cameras[len(mandonga)]
    assert capture(offline_camera, frame_url(40), slots[-2], slots[-2]) == "ok"
    assert capture(offline_camera, MISSING_FRAME.as_uri(), slots[-1], now) == "unreachable"
    return WallData(cameras, history_camera, offline_camera, len(mandonga))


@pytest.fixture(params=sorted(WALL_VIEWPORTS))
def wall_viewport(request) -> str:
    return request.param


@pytest.fixture
def wall_page(chromium, wall_viewport):
    page = open_page(chromium, WALL_VIEWPORTS[wall_viewport])
    yield page
    page.context.close()


def test_wall_shows_every_camera_tile_with_picture_health_and_age(
    live_server, wall_page, wall_viewport, wall_data, staff_user
):
    page = wall_page
    viewport = WALL_VIEWPORTS[wall_viewport]
    log_in(page, live_server.url, staff_user.username)
    started = time.monotonic()
    page.goto(live_server.url + reverse("cameras:wall"))
    page.wait_for_selector("#wall-grid .wall-tile")
    # The page queues captures for stale cameras; with no worker that must cost nothing.
    assert time.monotonic() - started < 10

    tiles = page.locator(".wall-tile")
    assert tiles.count() == len(wall_data.cameras)
    assert page.locator(".wall-group").count() == 2
    assert "8 kamera · 7 daring · 1 bermasalah" in page.locator(".wall-summary").first.inner_text()
    for camera in wall_data.cameras:
        tile = page.locator(f".wall-tile[data-camera='{camera.pk}']")
        assert tile.locator(".wall-name").inner_text() == camera.name
        assert re.fullmatch(r"\d+ (dtk|mnt) lalu", tile.locator(".wall-age").inner_text())
        if camera.pk == wall_data.offline_camera.pk:
            assert "health-offline" in tile.get_attribute("class")
            assert re.fullmatch(
                r"Luring sejak \d\d:\d\d", tile.locator(".wall-health").inner_text()
            )
        else:
            assert "health-online" in tile.get_attribute("class")
            assert tile.locator(".wall-health").inner_text() == "Daring"
            assert re.fullmatch(r"\d+ orang", tile.locator(".wall-people").inner_text())
    all_images_load(page, ".wall-tile img")
    assert page.locator(".wall-tile img").count() == len(wall_data.cameras)
    assert page.evaluate("() => typeof window.htmx === 'object'")

    # One grid scales from a laptop to a 4K wall: several columns, never a sideways scroll.
    widths = page.evaluate(
        "() => [...document.querySelectorAll('.wall-tile')]"
        ".map((tile) => tile.getBoundingClientRect().width)"
    )
    columns = page.evaluate(
        "() => new Set([...document.querySelectorAll('.wall-group:first-of-type .wall-tile')]"
        ".map((tile) => Math.round(tile.getBoundingClientRect().left))).size"
    )
    assert max(widths) <= viewport["width"] / 4, widths
    # Mandonga's six tiles: one row on a wall screen, at least four columns on a laptop.
    assert columns >= 4 if wall_viewport == "laptop" else columns == wall_data.mandonga_count
    if wall_viewport == "4k":
        # Legible from across the room: the captions scale up with the screen.
        font_size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.wall-name')).fontSize)"
        )
        assert font_size >= 20
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, f"wall-{wall_viewport}")

    page.click(f".wall-tile[data-camera='{wall_data.history_camera.pk}'] a")
    page.wait_for_url(
        live_server.url + reverse("cameras:camera_detail", args=[wall_data.history_camera.pk])
    )
    assert page.locator("h1").inner_text() == wall_data.history_camera.name
    assert page.locator(".still-strip li").count() == 3  # the unreachable interval has none
    all_images_load(page, ".still-strip img")
    assert page.locator(".sparkline polyline").count() == 1
    rows = page.locator("section[aria-labelledby=health-h] tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
        "Daring",
        "Luring",
        "Daring",
    ]
    assert rows.first.locator("td").last.inner_text() == "sekarang"
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, f"wall-camera-{wall_viewport}")
    assert page.console_log.errors == []


def test_wall_poll_replaces_the_grid_in_place(live_server, chromium, wall_data, staff_user):
    page = open_page(chromium, WALL_VIEWPORTS["1080p"])
    try:
        log_in(page, live_server.url, staff_user.username)
        page.goto(live_server.url + reverse("cameras:wall") + "?segar=10")
        page.wait_for_selector("#wall-grid[hx-trigger='every 10s']")
        page.evaluate("() => document.querySelector('.wall-summary').dataset.stale = 'yes'")
        with page.expect_response(
            lambda response: reverse("cameras:wall_partial") in response.url, timeout=20_000
        ) as poll:
            pass
        assert poll.value.status == 200
        assert "segar=10" in poll.value.url
        page.wait_for_function("() => !document.querySelector('.wall-summary').dataset.stale")
        assert page.locator("#wall-grid").count() == 1
        assert page.locator(".wall-tile").count() == len(wall_data.cameras)
        all_images_load(page, ".wall-tile img")
        assert page.console_log.errors == []
    finally:
        page.context.close()


def test_wall_sends_an_anonymous_visitor_to_the_login_page(live_server, chromium, wall_data):
    page = open_page(chromium, WALL_VIEWPORTS["laptop"])
    try:
        page.goto(live_server.url + reverse("cameras:wall"))
        assert page.url.startswith(live_server.url + reverse("login"))
        assert page.locator(".wall-tile").count() == 0
        response = page.request.get(
            live_server.url + reverse("cameras:wall_still", args=[wall_data.history_camera.pk, 1]),
            max_redirects=0,
        )
        assert response.status == 302
    finally:
        page.context.close()


# --- Public page -----------------------------------------------------------------------------


@dataclass
class PublicData:
    government: object
    camera: object
    hidden_camera: object
    active_title: str
    expired_title: str
    crowd_label: str
    crowd_class: str


@pytest.fixture
def public_data(db, evidence_storage, make_role_user) -> PublicData:
    """Kabupaten Konawe as seeded, one public square camera (real people, blurred), one
    public-area camera not shown to the public, an active flood post with the camera's still
    and an expired traffic post."""
    from cameras.domain.wall import crowd_level
    from cameras.models import Camera, CameraKind, CameraStill
    from cameras.selectors import crowd_label
    from incidents.models import Incident
    from incidents.services import post_incident
    from places.models import Kecamatan, LocalGovernment
    from places.seeding import DATA_DIR, seed_local_government

    seed_local_government(DATA_DIR / "kabupaten_konawe.json")
    konawe = LocalGovernment.objects.get(code="74.02")
    unaaha = Kecamatan.objects.get(code="74.02.02")
    camera = Camera.objects.create(
        local_government=konawe,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=unaaha,
        name="Alun-alun Unaaha",
        location_name="Depan Kantor Bupati Konawe",
        latitude=unaaha.latitude,
        longitude=unaaha.longitude + Decimal("0.004"),
        is_public=True,
        crowd_busy_at=1,
        crowd_packed_at=3,
        source_url=frame_url(30),
    )
    hidden = Camera.objects.create(
        local_government=konawe,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=unaaha,
        name="Gudang Arsip Unaaha",
        is_public=False,
        source_url=frame_url(30),
    )
    now = timezone.now()
    assert capture(camera, frame_url(30), interval_slots(now, 1)[0], now) == "ok"
    still = CameraStill.objects.get(camera=camera)
    assert still.public_image, "a public camera's still must have a fully blurred copy"
    assert still.people_count is not None
    level = crowd_level(still.people_count, camera.crowd_busy_at, camera.crowd_packed_at)

    author = make_role_user("Diskominfo", konawe, username="diskominfo.konawe")
    active = post_incident(
        Incident(
            local_government=konawe,
            kind="banjir",
            title="Banjir di Jalan Inowa",
            place="Jl. Inowa, Unaaha",
            severity="tinggi",
            camera=camera,
            starts_at=now - timedelta(hours=1),
            expires_at=now + timedelta(hours=3),
        ),
        author,
    )
    assert active.still, "the post should carry the camera's blurred still"
    expired = post_incident(
        Incident(
            local_government=konawe,
            kind="macet",
            title="Macet di Pasar Unaaha",
            place="Pasar Unaaha",
            severity="sedang",
            starts_at=now - timedelta(hours=6),
            expires_at=now - timedelta(hours=2),
        ),
        author,
    )
    return PublicData(
        konawe, camera, hidden, active.title, expired.title, crowd_label(level), f"crowd-{level}"
    )


@pytest.fixture
def phone_page(chromium):
    page = open_page(chromium, PHONE, phone=True)
    yield page
    page.context.close()


def wait_for_service_worker(page) -> dict:
    registration = page.evaluate(SERVICE_WORKER_READY)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return registration


def test_public_page_on_a_phone_shows_pictures_crowds_and_current_posts_only(
    live_server, phone_page, public_data, record_property, capsys
):
    page = phone_page
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(live_server.url + reverse("public:index"))
    government_url = reverse("public:government", args=[public_data.government.code])
    assert page.url == live_server.url + government_url  # the only government with cameras

    text = page.locator("main").inner_text()
    assert public_data.active_title in text
    assert public_data.expired_title not in text
    assert public_data.hidden_camera.name not in text
    assert page.locator("article.incident").count() == 1
    assert page.locator("article.incident.severity-tinggi .incident-kind").inner_text() == "BANJIR"
    assert re.search(r"Diperbarui \d\d:\d\d:\d\d WITA", page.locator(".public-head").inner_text())

    cameras = page.locator(".public-camera")
    assert cameras.count() == 1
    item = cameras.first
    assert public_data.camera.name in item.locator("figcaption").inner_text()
    crowd = item.locator("[data-crowd]")
    assert crowd.is_visible()
    assert crowd.inner_text() == public_data.crowd_label
    assert public_data.crowd_class in crowd.get_attribute("class")
    assert re.search(r"Gambar \d\d:\d\d:\d\d WITA", item.locator("figcaption").inner_text())
    # The camera drops off line: the live refresh (here brought forward by the page becoming
    # visible again) changes the words under the picture, not only its time.
    from cameras.models import Camera, HealthState

    Camera.objects.filter(pk=public_data.camera.pk).update(health_state=HealthState.OFFLINE)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    status = item.locator("[data-status]")
    page.wait_for_function(
        "() => document.querySelector('[data-status]').textContent.includes('tidak terhubung')"
    )
    assert re.search(r"gambar terakhir \d\d:\d\d:\d\d WITA", status.inner_text())
    assert "offline-note" in status.get_attribute("class")
    Camera.objects.filter(pk=public_data.camera.pk).update(health_state=HealthState.ONLINE)
    all_images_load(page, "main img")
    assert page.locator("main img").count() == 2  # the camera and the post's still
    picture = item.locator("img").get_attribute("src")
    assert picture.startswith(f"{government_url}kamera/{public_data.camera.pk}/")
    assert horizontal_overflow(page) <= 0

    manifest_href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest_response = page.request.get(live_server.url + manifest_href)
    assert manifest_response.ok
    assert manifest_response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(manifest_response.text())
    assert manifest["start_url"] == government_url
    assert manifest["scope"] == reverse("public:index")
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        icon_response = page.request.get(live_server.url + icon["src"])
        assert icon_response.ok, icon["src"]
        width, height = png_size(icon_response.body())
        assert f"{width}x{height}" == icon["sizes"], icon["src"]

    registration = wait_for_service_worker(page)
    assert registration == {
        "scope": live_server.url + reverse("public:index"),
        "state": "activated",
    }

    page.wait_for_load_state("networkidle")
    weights = {request.url.removeprefix(live_server.url): request.sizes() for request in finished}
    total = sum(size["responseBodySize"] + size["responseHeadersSize"] for size in weights.values())
    report = "\n".join(
        [f"public page on a phone, first visit: {len(weights)} requests, {total / 1024:.1f} KB"]
        + [
            f"  {size['responseBodySize'] / 1024:7.1f} KB  {url}"
            for url, size in sorted(weights.items(), key=lambda item: -item[1]["responseBodySize"])
        ]
    )
    record_property("public_page_bytes", total)
    with capsys.disabled():
        print("\n" + report)  # noqa: T201 (the page weight belongs in the run's output)
    assert {government_url, picture} <= set(weights)
    assert total < PUBLIC_PAGE_BUDGET_BYTES, report
    save_screenshot(page, "public-phone")
    assert page.console_log.errors == []


def test_public_map_draws_kecamatan_and_cameras_without_any_outside_request(
    live_server, chromium, public_data
):
    from places.models import Kecamatan

    page = open_page(chromium, PHONE, phone=True, service_workers="block")
    outside = []

    def only_the_live_server(route) -> None:
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_the_live_server)
    try:
        code = public_data.government.code
        page.goto(live_server.url + reverse("public:government", args=[code]))
        all_images_load(page, "main img")
        page.click("text=Lihat peta")
        page.wait_for_url(live_server.url + reverse("public:map", args=[code]))

        svg = page.locator("figure.public-map svg")
        assert svg.is_visible()
        names = page.locator(".map-kecamatan title").all_text_contents()
        expected = list(
            Kecamatan.objects.filter(
                local_government=public_data.government, latitude__isnull=False
            )
            .order_by("code")
            .values_list("name", flat=True)
        )
        assert len(expected) > 20
        assert names == expected  # every kecamatan is on the map (a tooltip at least)
        # The printed labels are the ones that fit: none overlaps another, the camera's
        # kecamatan is among them.
        label_boxes = page.evaluate(
            "() => [...document.querySelectorAll('.map-kecamatan text')].map((label) => {"
            " const box = label.getBoundingClientRect();"
            " return [label.textContent, box.left, box.top, box.right, box.bottom]; })"
        )
        assert 5 <= len(label_boxes) < len(expected)
        assert public_data.camera.kecamatan.name in [label[0] for label in label_boxes]
        for index, first in enumerate(label_boxes):
            for second in label_boxes[index + 1 :]:
                apart = (
                    first[3] <= second[1]
                    or second[3] <= first[1]
                    or first[4] <= second[2]
                    or second[4] <= first[2]
                )
                assert apart, f"labels {first[0]!r} and {second[0]!r} overlap"
        # Coordinates must be SVG numbers whatever the page language ("368,1" is not one).
        coordinates = page.evaluate(
            "() => [...document.querySelectorAll('.public-map circle, .public-map text')]"
            ".flatMap((shape) => ['cx', 'cy', 'x', 'y'].map((name) => shape.getAttribute(name)))"
            ".filter((value) => value !== null)"
        )
        invalid = sorted({value for value in coordinates if not SVG_NUMBER.fullmatch(value)})
        assert invalid == [], f"not SVG numbers: {invalid[:5]}"
        positions = page.evaluate(
            "() => [...document.querySelectorAll('.map-kecamatan circle')].map((dot) => {"
            " const box = dot.getBoundingClientRect();"
            " return [Math.round(box.x), Math.round(box.y)]; })"
        )
        assert len({tuple(position) for position in positions}) == len(expected)
        marker = page.locator("a.map-camera")
        assert marker.count() == 1
        assert public_data.camera.name in marker.locator("title").text_content()
        box, view = marker.bounding_box(), svg.bounding_box()
        assert view["x"] <= box["x"]
        assert box["x"] + box["width"] <= view["x"] + view["width"]
        assert view["y"] <= box["y"]
        assert box["y"] + box["height"] <= view["y"] + view["height"]
        assert public_data.crowd_label in page.locator(".map-legend").inner_text()
        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "public-map-phone")

        page.goto(live_server.url + reverse("public:offline"))
        assert page.locator("h1").inner_text() == "Sedang luring"
        assert outside == []
        assert page.console_log.errors == []
    finally:
        page.context.close()


def test_public_page_still_opens_offline_after_one_visit(
    live_server, phone_page, public_data, make_role_user
):
    from incidents.models import Incident
    from incidents.services import post_incident

    page = phone_page
    code = public_data.government.code
    url = live_server.url + reverse("public:government", args=[code])
    page.goto(url)
    wait_for_service_worker(page)
    # The first page load came before the worker; the next one goes through it and is cached.
    page.reload()
    all_images_load(page, "main img")
    cached = """async () => {
        const urls = [location.href,
            ...[...document.querySelectorAll('main img')].map((image) => image.src)];
        // The worker matches the browser's own request; a bare URL lacks the Accept-Language
        // that the responses vary on.
        const hits = await Promise.all(urls.map((url) => caches.match(url, {ignoreVary: true})));
        return hits.every(Boolean);
    }"""
    deadline = time.monotonic() + 10
    while not page.evaluate(cached):
        assert time.monotonic() < deadline, "the service worker did not cache the page"
        page.wait_for_timeout(100)

    # Posted while the phone is offline: a page from the cache cannot know it.
    now = timezone.now()
    post_incident(
        Incident(
            local_government=public_data.government,
            kind="kebakaran",
            title="Kebakaran di Pasar Baru",
            place="Pasar Baru",
            starts_at=now - timedelta(minutes=5),
            expires_at=now + timedelta(hours=1),
        ),
        make_role_user("Diskominfo", public_data.government, username="operator.konawe"),
    )
    page.context.set_offline(True)
    try:
        page.reload()
        text = page.locator("main").inner_text()
        assert public_data.active_title in text
        assert "Kebakaran di Pasar Baru" not in text
        all_images_load(page, "main img")
        save_screenshot(page, "public-offline-cached-phone")

        page.goto(live_server.url + reverse("public:map", args=[code]))
        assert page.locator("h1").inner_text() == "Sedang luring"
        save_screenshot(page, "public-offline-page-phone")
    finally:
        page.context.set_offline(False)
    # Back online, the worker goes to the network first (reload: past the 15 s HTTP cache).
    page.goto(url)
    page.reload()
    assert "Kebakaran di Pasar Baru" in page.locator("main").inner_text()
    assert page.console_log.errors == []


def test_public_page_swaps_in_a_newer_picture_without_reloading(
    live_server, phone_page, public_data
):
    from cameras.domain.wall import crowd_level
    from cameras.models import CameraStill
    from cameras.selectors import crowd_label

    page = phone_page
    page.goto(live_server.url + reverse("public:government", args=[public_data.government.code]))
    all_images_load(page, ".public-camera img")
    before = page.locator(".public-camera img").get_attribute("src")

    # The next interval's still: an empty room.
    now = timezone.now()
    slot = interval_slots(now, 1)[0] + timedelta(seconds=settings.STILL_INTERVAL_SECONDS)
    assert capture(public_data.camera, frame_url(1), slot, now) == "ok"
    newer = CameraStill.objects.get(camera=public_data.camera, slot=slot)
    camera = public_data.camera
    level = crowd_level(newer.people_count, camera.crowd_busy_at, camera.crowd_packed_at)

    # The page refreshes when it becomes visible again (and on a timer while visible).
    with page.expect_response(lambda response: "kamera.json" in response.url) as feed:
        page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    assert feed.value.ok
    page.wait_for_function(
        "(before) => document.querySelector('.public-camera img').getAttribute('src') !== before",
        arg=before,
    )
    after = page.locator(".public-camera img").get_attribute("src")
    assert after.endswith(f"/{camera.pk}/{newer.pk}.jpg")
    all_images_load(page, ".public-camera img")
    assert page.locator(".public-camera [data-crowd]").inner_text() == crowd_label(level)
    assert page.console_log.errors == []
