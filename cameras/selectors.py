"""Read queries of the command-centre wall and the public camera page."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.domain.wall import (
    CrowdLevel,
    HealthSpan,
    Sparkline,
    age_seconds,
    crowd_level,
    health_spans,
    sparkline,
)
from cameras.models import Camera, CameraGroup, CameraKind, CameraStill, HealthState
from kelurahan_monitor import roles
from kelurahan_monitor.roles import User
from places.models import LocalGovernment

_FINISHED = ~Q(status__in=["pending", "running"])


def wall_cameras(user: User) -> QuerySet[Camera]:
    """Every enabled camera the user may see, with what a tile needs, in one query."""
    return (
        Camera.objects.filter(roles.camera_scope(user), enabled=True)
        .select_related("office", "kecamatan", "local_government", "latest_still", "latest_picture")
        .order_by("local_government__code", "kecamatan__code", "office__code", "name")
    )


@dataclass(frozen=True)
class WallTile:
    camera_id: int
    name: str
    place: str
    kind: str
    health: str
    health_label: str
    health_since: datetime | None
    age_seconds: int | None  # of the picture shown
    captured_at: datetime | None
    picture_url: str  # "" when the camera never gave a picture
    people: int | None
    verdict: str  # office cameras: today's verdict status ("" if none)
    verdict_label: str
    minutes_late: int | None
    is_public: bool
    office_id: int | None = None
    # The office agent checking this camera at the office (None: the server reaches it).
    agent: "AgentBadge | None" = None


@dataclass
class WallGroup:
    key: str
    label: str
    tiles: list[WallTile] = field(default_factory=list)


@dataclass(frozen=True)
class OfficeBadge:
    """What the wall shows of an office's day: its verdict status, in words."""

    status: str
    label: str
    minutes_late: int | None = None


# Judging offices is compliance's; the wall only shows the words. Compliance registers its
# reader when the apps load (compliance.apps), so the dependency points from compliance down
# to cameras and never back. (office ids, now) -> office id -> badge.
OfficeBadgeReader = Callable[[set[int], datetime], Mapping[int, OfficeBadge]]
_office_badge_reader: OfficeBadgeReader | None = None


def register_office_badges(reader: OfficeBadgeReader) -> None:
    global _office_badge_reader
    _office_badge_reader = reader


def _office_badges(cameras: Iterable[Camera], now: datetime) -> Mapping[int, OfficeBadge]:
    office_ids = {camera.office_id for camera in cameras if camera.office_id}
    if not office_ids or _office_badge_reader is None:
        return {}
    return _office_badge_reader(office_ids, now)


@dataclass(frozen=True)
class AgentBadge:
    """What the wall shows of the office agent serving an office: its health as of its last
    contact. The server never reaches such an office's cameras; the agent does."""

    last_contact_at: datetime | None
    queue_depth: int
    clock_offset_seconds: float | None
    version: str
    silent: bool  # no contact for longer than AGENT_SILENT_HOURS
    revoked: bool


# The agents are agents' (which imports cameras, never the reverse); agents registers its
# reader when the apps load (agents.apps), as compliance does for the badges above.
# (office ids, now) -> office id -> the serving agent's badge.
OfficeAgentReader = Callable[[set[int], datetime], Mapping[int, AgentBadge]]
_office_agent_reader: OfficeAgentReader | None = None


def register_office_agents(reader: OfficeAgentReader) -> None:
    global _office_agent_reader
    _office_agent_reader = reader


def _office_agents(cameras: Iterable[Camera], now: datetime) -> Mapping[int, AgentBadge]:
    office_ids = {camera.office_id for camera in cameras if camera.office_id}
    if not office_ids or _office_agent_reader is None:
        return {}
    return _office_agent_reader(office_ids, now)


def _tile(
    camera: Camera, badge: OfficeBadge | None, agent: AgentBadge | None, now: datetime
) -> WallTile:
    picture = camera.latest_picture
    still = camera.latest_still if camera.latest_still_id else None
    return WallTile(
        camera_id=camera.pk,
        name=camera.name,
        place=camera.place,
        kind=camera.kind,
        health=camera.health_state,
        health_label=str(HealthState(camera.health_state).label),
        health_since=camera.health_since,
        age_seconds=age_seconds(picture.captured_at if picture else None, now),
        captured_at=picture.captured_at if picture else None,
        picture_url=(
            reverse("cameras:wall_still", args=[camera.pk, picture.pk]) if picture else ""
        ),
        people=still.people_count if still is not None else None,
        verdict=badge.status if badge is not None else "",
        verdict_label=badge.label if badge is not None else "",
        minutes_late=badge.minutes_late if badge is not None else None,
        is_public=camera.is_public,
        office_id=camera.office_id,
        agent=agent,
    )


def wall(user: User, now: datetime, group_by: str = "kecamatan", group_id: int | None = None):
    """(groups of tiles, the cameras shown that the server reaches itself). `group_by` is
    "kecamatan" or "grup" (operator groups; `group_id` shows only that one). The cameras of an
    office an agent serves show the agent's health instead, and are not for the server to
    capture. Five queries whatever the number of cameras."""
    cameras = list(wall_cameras(user))
    badges = _office_badges(cameras, now)
    agents = _office_agents(cameras, now)
    tiles = {
        camera.pk: _tile(
            camera,
            badges.get(camera.office_id) if camera.office_id is not None else None,
            agents.get(camera.office_id) if camera.office_id is not None else None,
            now,
        )
        for camera in cameras
    }
    groups: list[WallGroup] = []
    if group_by == "grup":
        visible = {camera.pk for camera in cameras}
        chosen = camera_groups(user)
        if group_id is not None:
            chosen = chosen.filter(pk=group_id)
        for group in chosen.prefetch_related("cameras"):
            members = [tiles[c.pk] for c in group.cameras.all() if c.pk in visible]
            groups.append(WallGroup(f"g{group.pk}", group.name, members))
    else:
        by_key: dict[str, WallGroup] = {}
        several_governments = len({camera.local_government_id for camera in cameras}) > 1
        for camera in cameras:
            key = f"k{camera.kecamatan_id or 0}"
            if key not in by_key:
                kecamatan = camera.kecamatan if camera.kecamatan_id else None
                label = kecamatan.name if kecamatan is not None else _("Tanpa kecamatan")
                if several_governments:
                    label = f"{camera.local_government.name} · {label}"
                by_key[key] = WallGroup(key, label)
            by_key[key].tiles.append(tiles[camera.pk])
        groups = list(by_key.values())
    return groups, [camera for camera in cameras if tiles[camera.pk].agent is None]


def camera_groups(user: User) -> QuerySet[CameraGroup]:
    return CameraGroup.objects.filter(local_government__in=roles.visible_governments(user))


@dataclass(frozen=True)
class StillView:
    still_id: int
    slot: datetime
    captured_at: datetime | None
    status: str
    status_label: str
    people: int | None
    picture_url: str


@dataclass(frozen=True)
class SpanView:
    state: str
    label: str
    starts: datetime
    ends: datetime | None


@dataclass(frozen=True)
class CameraHistory:
    camera: Camera
    stills: list[StillView]  # newest first, with a picture
    counts: list[tuple[datetime, int]]  # oldest first
    chart: Sparkline | None
    spans: list[SpanView]  # oldest first
    hours: int


def _span_view(span: HealthSpan) -> SpanView:
    return SpanView(
        span.state.value, str(HealthState(span.state.value).label), span.starts, span.ends
    )


def camera_history(camera: Camera, now: datetime, hours: int | None = None) -> CameraHistory:
    """The last `hours` of one camera's stills: a strip of pictures, counts and health spans."""
    hours = hours or settings.WALL_HISTORY_HOURS
    rows = list(
        CameraStill.objects.filter(camera=camera, slot__gte=now - timedelta(hours=hours))
        .filter(_FINISHED)
        .order_by("slot")
        .only("pk", "slot", "captured_at", "status", "people_count", "image")
    )
    stills = [
        StillView(
            row.pk,
            row.slot,
            row.captured_at,
            row.status,
            str(row.get_status_display()),
            row.people_count,
            reverse("cameras:wall_still", args=[camera.pk, row.pk]),
        )
        for row in reversed(rows)
        if row.image
    ]
    counts = [(row.slot, row.people_count) for row in rows if row.people_count is not None]
    spans = health_spans([(row.captured_at or row.slot, row.status) for row in rows])
    chart = sparkline([count for _slot, count in counts])
    return CameraHistory(camera, stills, counts, chart, [_span_view(s) for s in spans], hours)


# --- Public page --------------------------------------------------------------------------------


def public_governments() -> QuerySet[LocalGovernment]:
    """Governments that show at least one public camera."""
    return LocalGovernment.objects.filter(cameras__is_public=True, cameras__enabled=True).distinct()


def public_cameras(government: LocalGovernment) -> QuerySet[Camera]:
    return (
        Camera.objects.filter(
            local_government=government,
            kind=CameraKind.PUBLIC_AREA,
            is_public=True,
            enabled=True,
        )
        .select_related("kecamatan", "latest_still", "latest_picture")
        .order_by("kecamatan__code", "name")
    )


@dataclass(frozen=True)
class PublicCamera:
    """What the public may know of a camera: never its address or credentials."""

    camera_id: int
    name: str
    place: str
    kecamatan: str
    latitude: float | None
    longitude: float | None
    picture_url: str
    captured_at: datetime | None
    age_seconds: int | None
    online: bool
    crowd: CrowdLevel | None
    crowd_label: str
    # The line under the picture, as the page first shows it and as its live refresh rewrites
    # it: a camera going off line (or back) changes the words, not only the time.
    status_text: str
    status_class: str


def public_status(online: bool, captured_at: datetime | None) -> tuple[str, str]:
    """The words and CSS class of a public camera's state, in local time."""
    if captured_at is None:
        if online:
            return _("Gambar") + " –", "muted"
        return _("Kamera belum pernah mengirim gambar."), "offline-note"
    local = timezone.localtime(captured_at)
    at = f"{local:%H:%M:%S} {local.tzname()}"
    if online:
        return f"{_('Gambar')} {at}", "muted"
    return f"{_('Kamera sedang tidak terhubung; gambar terakhir')} {at}", "offline-note"


def crowd_label(level: CrowdLevel | None) -> str:
    labels = {
        CrowdLevel.QUIET: _("Sepi"),
        CrowdLevel.BUSY: _("Ramai"),
        CrowdLevel.PACKED: _("Padat"),
    }
    if level is None:
        return _("Keramaian belum diketahui (tidak ada gambar baru)")
    return labels[level]


def _public_picture(camera: Camera) -> CameraStill | None:
    """The newest still with a public image: latest_picture, if it has one."""
    still = camera.latest_picture
    if still is not None and still.public_image:
        return still
    return (
        CameraStill.objects.filter(camera=camera).exclude(public_image="").order_by("-slot").first()
    )


def public_camera_views(
    government: LocalGovernment, now: datetime, cameras: list[Camera] | None = None
) -> list[PublicCamera]:
    """What the public sees of `cameras` (default: the government's public cameras)."""
    views = []
    for camera in cameras if cameras is not None else public_cameras(government):
        picture = _public_picture(camera)
        latest = camera.latest_still
        level = None
        if (
            latest is not None
            and latest.status == "ok"
            and latest.slot >= now - timedelta(seconds=settings.STILL_INTERVAL_SECONDS * 4)
        ):
            level = crowd_level(latest.people_count, camera.crowd_busy_at, camera.crowd_packed_at)
        kecamatan = camera.kecamatan if camera.kecamatan_id else None
        online = camera.health_state == HealthState.ONLINE
        status_text, status_class = public_status(online, picture.captured_at if picture else None)
        views.append(
            PublicCamera(
                camera_id=camera.pk,
                name=camera.name,
                place=camera.place,
                kecamatan=kecamatan.name if kecamatan is not None else "",
                latitude=float(camera.latitude) if camera.latitude is not None else None,
                longitude=float(camera.longitude) if camera.longitude is not None else None,
                picture_url=(
                    reverse(
                        "public:camera_still",
                        args=[government.code, camera.pk, picture.pk],
                    )
                    if picture
                    else ""
                ),
                captured_at=picture.captured_at if picture else None,
                age_seconds=age_seconds(picture.captured_at if picture else None, now),
                online=online,
                crowd=level,
                crowd_label=crowd_label(level),
                status_text=status_text,
                status_class=status_class,
            )
        )
    return views
