"""Command-centre wall: every camera's latest still, for staff roles only."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cameras import selectors, stills, tasks
from cameras.models import Camera, CameraStill
from kelurahan_monitor import roles
from kelurahan_monitor.files import jpeg_response

MIN_REFRESH_SECONDS = 10
MAX_REFRESH_SECONDS = 600


def _staff_or_404(request: HttpRequest) -> None:
    # 404 rather than 403: the wall's existence and camera ids say nothing to outsiders.
    if not roles.is_staff_reader(request.user):
        raise Http404


def _refresh_seconds(request: HttpRequest) -> int:
    try:
        asked = int(request.GET.get("segar", settings.WALL_REFRESH_SECONDS))
    except ValueError:
        asked = settings.WALL_REFRESH_SECONDS
    return max(MIN_REFRESH_SECONDS, min(MAX_REFRESH_SECONDS, asked))


def _wall_context(request: HttpRequest) -> dict:
    now = timezone.now()
    group_by = "grup" if request.GET.get("menurut") == "grup" else "kecamatan"
    try:
        group_id = int(request.GET["grup"]) if request.GET.get("grup") else None
    except ValueError:
        group_id = None
    groups, cameras = selectors.wall(request.user, now, group_by, group_id)
    # Asking is cheap and deduplicated: at most one capture per camera per interval however
    # many walls are open.
    tasks.queue_still_captures(stills.request_stills(cameras, now))
    tiles = [tile for group in groups for tile in group.tiles]
    agents = {tile.office_id: tile.agent for tile in tiles if tile.agent is not None}
    return {
        "groups": groups,
        "group_by": group_by,
        "group_id": group_id,
        "camera_groups": selectors.camera_groups(request.user),
        "refresh_seconds": _refresh_seconds(request),
        "now": now,
        "counts": {
            "total": len(tiles),
            "online": sum(tile.health == "online" for tile in tiles),
            "faulty": sum(
                tile.health not in ("online", "unknown") for tile in tiles if tile.agent is None
            ),
            "agents": len(agents),
            "silent_agents": sum(agent.silent for agent in agents.values()),
        },
        "agent_silent_hours": settings.AGENT_SILENT_HOURS,
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
@never_cache
def wall(request: HttpRequest) -> HttpResponse:
    _staff_or_404(request)
    context = _wall_context(request)
    roles.audit(request, "wall", request.get_full_path())
    return render(request, "cameras/wall.html", {**context, "nav": "wall"})


@login_required
@require_GET
@never_cache
def wall_partial(request: HttpRequest) -> HttpResponse:
    """The grid alone, polled by the wall page."""
    _staff_or_404(request)
    return render(request, "cameras/_wall_grid.html", _wall_context(request))


@login_required
@require_GET
@never_cache
def camera_detail(request: HttpRequest, camera_id: int) -> HttpResponse:
    _staff_or_404(request)
    camera = get_object_or_404(
        Camera.objects.filter(roles.camera_scope(request.user)).select_related(
            "office", "kecamatan", "latest_still", "latest_picture"
        ),
        pk=camera_id,
    )
    roles.audit(request, "wall.camera", f"camera {camera.pk}", camera.local_government_id)
    now = timezone.now()
    history = selectors.camera_history(camera, now)
    return render(
        request,
        "cameras/camera_detail.html",
        {"history": history, "camera": camera, "now": now, "nav": "wall"},
    )


@login_required
@require_GET
def wall_still(request: HttpRequest, camera_id: int, still_id: int) -> FileResponse:
    """A staff still (faces and heads blurred). Pages that show it are audited; the picture
    requests themselves (a wall asks for every tile every interval) are not."""
    _staff_or_404(request)
    still = (
        CameraStill.objects.filter(
            pk=still_id,
            camera_id=camera_id,
            camera__in=Camera.objects.filter(roles.camera_scope(request.user)),
        )
        .only("image")
        .first()
    )
    if still is None:
        raise Http404
    # A still id never changes its picture: the browser may keep it, shared caches may not.
    return jpeg_response(still.image, "private, max-age=86400, immutable")
