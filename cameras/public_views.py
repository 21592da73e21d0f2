"""The public page: public-area cameras (every person blurred in full) and incident posts.

No login. Nothing here reveals a camera's address or credentials, and no request reaches a
camera: pages only ask for a deduplicated capture (see cameras.stills).
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from cameras import selectors, stills, tasks
from cameras.domain import public_map
from cameras.models import CameraStill
from incidents.selectors import active_incidents
from kelurahan_monitor.files import jpeg_response
from kelurahan_monitor.middleware import CONTENT_SECURITY_POLICY
from places.models import Kecamatan, LocalGovernment


def _government(code: str) -> LocalGovernment:
    return get_object_or_404(LocalGovernment, code=code)


def _views_and_refresh(government: LocalGovernment):
    now = timezone.now()
    cameras = list(selectors.public_cameras(government))
    tasks.queue_still_captures(stills.request_stills(cameras, now))
    return now, selectors.public_camera_views(government, now, cameras)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    governments = list(selectors.public_governments())
    if len(governments) == 1:
        return redirect("public:government", code=governments[0].code)
    return render(request, "cameras/public_index.html", {"governments": governments})


@require_GET
@cache_control(public=True, max_age=15)
def government_page(request: HttpRequest, code: str) -> HttpResponse:
    government = _government(code)
    now, cameras = _views_and_refresh(government)
    return render(
        request,
        "cameras/public_page.html",
        {
            "government": government,
            "cameras": cameras,
            "incidents": active_incidents(government, now),
            "now": now,
            "refresh_seconds": settings.PUBLIC_REFRESH_SECONDS,
        },
    )


@require_GET
@cache_control(public=True, max_age=10)
def cameras_json(request: HttpRequest, code: str) -> JsonResponse:
    """What the page needs to refresh its pictures: no address, no credentials, no ids of
    anything but the camera and its still."""
    government = _government(code)
    now, cameras = _views_and_refresh(government)
    zone = timezone.get_current_timezone()
    return JsonResponse(
        {
            "updated": timezone.localtime(now, zone).strftime("%H:%M:%S"),
            "zone": timezone.localtime(now, zone).strftime("%Z"),
            "cameras": [
                {
                    "id": camera.camera_id,
                    "name": camera.name,
                    "picture": camera.picture_url,
                    "captured": (
                        timezone.localtime(camera.captured_at, zone).strftime("%H:%M:%S")
                        if camera.captured_at
                        else None
                    ),
                    "online": camera.online,
                    "crowd": camera.crowd.value if camera.crowd else None,
                    "crowd_label": camera.crowd_label,
                    "status": camera.status_text,
                    "status_class": camera.status_class,
                }
                for camera in cameras
            ],
        }
    )


@require_GET
def camera_still(request: HttpRequest, code: str, camera_id: int, still_id: int) -> FileResponse:
    """A public still: only of a camera that is public right now, only its full-body-blurred
    image (never the staff image)."""
    still = (
        CameraStill.objects.filter(
            pk=still_id,
            camera_id=camera_id,
            camera__local_government__code=code,
            camera__is_public=True,
            camera__kind="public_area",
            camera__enabled=True,
        )
        .exclude(public_image="")
        .only("public_image")
        .first()
    )
    if still is None:
        raise Http404
    # The still id fixes the picture; a short max-age still lets a camera made private vanish.
    return jpeg_response(still.public_image, "public, max-age=600")


MAP_WIDTH = 800
MAP_LABEL_SIZE = 18


@require_GET
@cache_control(public=True, max_age=30)
def map_page(request: HttpRequest, code: str) -> HttpResponse:
    """A map without internet: kecamatan centroids as a schematic, cameras as numbered marks.
    Real tiles only when MAP_TILE_URL is configured."""
    government = _government(code)
    now, cameras = _views_and_refresh(government)
    kecamatan = list(
        Kecamatan.objects.filter(
            local_government=government, latitude__isnull=False, longitude__isnull=False
        ).order_by("code")
    )
    points = [
        public_map.GeoPoint(f"k{k.pk}", float(k.latitude), float(k.longitude))
        for k in kecamatan
        if k.latitude is not None and k.longitude is not None  # already filtered in the query
    ] + [
        public_map.GeoPoint(f"c{c.camera_id}", c.latitude, c.longitude)
        for c in cameras
        if c.latitude is not None and c.longitude is not None
    ]
    context = {"government": government, "cameras": cameras, "now": now, "map": None}
    response_csp = None
    if points:
        bounds = public_map.bounds_of(points)
        height = public_map.map_height(bounds, MAP_WIDTH)
        projected = {p.key: p for p in public_map.project(points, bounds, MAP_WIDTH)}
        # Kecamatan with cameras get their label first; a dense cluster keeps a readable few.
        with_cameras = {c.kecamatan for c in cameras}
        ordered = sorted(kecamatan, key=lambda k: k.name not in with_cameras)
        labelled = public_map.labels_that_fit(
            [(projected[f"k{k.pk}"], k.name) for k in ordered], MAP_LABEL_SIZE
        )
        context["map"] = {
            "width": MAP_WIDTH,
            "height": round(height),
            "kecamatan": [(k, projected[f"k{k.pk}"], f"k{k.pk}" in labelled) for k in kecamatan],
            "cameras": [
                (c, projected[f"c{c.camera_id}"]) for c in cameras if f"c{c.camera_id}" in projected
            ],
            # Sized for a phone: the 800-unit drawing is shown about 350 px wide there.
            "label_size": MAP_LABEL_SIZE,
            "dot_radius": 7,
            "label_offset": 12,
            "marker_radius": 22,
            "number_offset": 8,
            "tiles": _tiles(bounds, height) if settings.MAP_TILE_URL else [],
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        }
        if settings.MAP_TILE_URL:
            response_csp = _csp_with_tiles(settings.MAP_TILE_URL)
    response = render(request, "cameras/public_map.html", context)
    if response_csp:
        response["Content-Security-Policy"] = response_csp
    return response


def _tiles(bounds: public_map.Bounds, height: float) -> list[dict]:
    """Tile images placed in map pixels (the schematic's projection is close enough to Web
    Mercator at this latitude and scale for an orientation backdrop)."""
    zoom = public_map.best_zoom(bounds)
    x0, y0 = public_map.tile_of(bounds.north, bounds.west, zoom)
    x1, y1 = public_map.tile_of(bounds.south, bounds.east, zoom)
    scale_x = MAP_WIDTH / (x1 - x0)
    scale_y = height / (y1 - y0)
    return [
        {
            "url": settings.MAP_TILE_URL.format(z=tile.zoom, x=tile.x, y=tile.y),
            "x": round((tile.x - x0) * scale_x, 1),
            "y": round((tile.y - y0) * scale_y, 1),
            "w": round(scale_x, 1),
            "h": round(scale_y, 1),
        }
        for tile in public_map.tiles_covering(bounds, zoom)
    ]


def _csp_with_tiles(tile_url: str) -> str:
    parts = urlsplit(tile_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("img-src 'self'", f"img-src 'self' {origin}")


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request: HttpRequest, code: str) -> HttpResponse:
    """Web app manifest: residents install the page like an app, without an app store."""
    government = _government(code)
    start = reverse("public:government", args=[government.code])
    body = {
        "name": _("Kamera & Info Kejadian %(government)s") % {"government": government},
        "short_name": _("Info %(name)s") % {"name": government.name},
        "description": _("Kamera area publik (orang diburamkan) dan informasi kejadian."),
        "lang": request.LANGUAGE_CODE,
        "start_url": start,
        "scope": reverse("public:index"),
        "display": "standalone",
        "background_color": "#f3f5f8",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": static("cameras/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("cameras/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("cameras/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /publik/ so its scope covers the public pages and nothing of the staff site."""
    response = render(
        request,
        "cameras/public_sw.js",
        {
            "shell": [
                static("css/monitor.css"),
                static("cameras/public.js"),
                static("cameras/icon-192.png"),
            ],
            "offline_url": reverse("public:offline"),
        },
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = reverse("public:index")
    return response


@require_GET
@cache_control(public=True, max_age=86400)
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "cameras/public_offline.html")
