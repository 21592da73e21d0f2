"""Cameras, the observations they produce (one per camera and slot) and blurred evidence."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kelurahan_monitor.secrets_field import EncryptedSecretField
from places.vocabulary import CameraHealth as H
from places.words import health_word

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _evidence_storage():
    from django.core.files.storage import storages

    return storages["evidence"]


def detector_choices() -> "list[tuple[str, StrOrPromise]]":
    """The registered people detectors; blank means the default for the camera's kind."""
    from cameras.vision import available_detectors

    return [("", _("Bawaan jenis kamera")), *((name, name) for name in available_detectors())]


class CameraKind(models.TextChoices):
    OFFICE = "office", _("Kamera kantor")
    PUBLIC_AREA = "public_area", _("Kamera area publik")


class HealthState(models.TextChoices):
    """What the command-centre wall says about a camera, from its latest capture (the
    vocabulary's camera health states and words, places.vocabulary)."""

    UNKNOWN = H.UNKNOWN.value, health_word(H.UNKNOWN)
    ONLINE = H.ONLINE.value, health_word(H.ONLINE)
    OFFLINE = H.OFFLINE.value, health_word(H.OFFLINE)
    FROZEN = H.FROZEN.value, health_word(H.FROZEN)
    DARK = H.DARK.value, health_word(H.DARK)
    NO_DETAIL = H.NO_DETAIL.value, health_word(H.NO_DETAIL)
    MOVED = H.MOVED.value, health_word(H.MOVED)


class Camera(models.Model):
    # Every camera belongs to one local government; office cameras also to their office,
    # public-area cameras (squares, roads) to a place instead.
    local_government = models.ForeignKey(
        "places.LocalGovernment",
        on_delete=models.PROTECT,
        related_name="cameras",
        verbose_name=_("pemerintah daerah"),
    )
    kind = models.CharField(
        _("jenis kamera"), max_length=20, choices=CameraKind.choices, default=CameraKind.OFFICE
    )
    office = models.ForeignKey(
        "places.Office",
        on_delete=models.CASCADE,
        related_name="cameras",
        verbose_name=_("kantor"),
        null=True,
        blank=True,
    )
    kecamatan = models.ForeignKey(
        "places.Kecamatan",
        on_delete=models.PROTECT,
        related_name="cameras",
        verbose_name=_("kecamatan"),
        null=True,
        blank=True,
        help_text=_("Untuk kamera kantor diisi otomatis dari kantornya."),
    )
    name = models.CharField(_("nama"), max_length=100)
    location_name = models.CharField(
        _("lokasi"), max_length=200, blank=True, help_text=_("Mis. Alun-alun depan Kantor Bupati")
    )
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_public = models.BooleanField(
        _("tampil untuk publik"),
        default=False,
        help_text=_("Hanya kamera area publik; setiap orang diburamkan penuh."),
    )
    # Crowd level shown to the public: sepi below `crowd_busy_at`, padat from `crowd_packed_at`.
    crowd_busy_at = models.PositiveSmallIntegerField(_("ramai mulai (orang)"), default=5)
    crowd_packed_at = models.PositiveSmallIntegerField(_("padat mulai (orang)"), default=15)
    health_state = models.CharField(
        _("kondisi"), max_length=20, choices=HealthState.choices, default=HealthState.UNKNOWN
    )
    health_since = models.DateTimeField(_("kondisi sejak"), null=True, blank=True)
    # Kept by the still capture so the wall reads every camera's latest picture in one query.
    latest_still = models.ForeignKey(
        "CameraStill", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    latest_picture = models.ForeignKey(
        "CameraStill", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Without credentials: they live encrypted in the two fields below.
    source_url = models.CharField(
        _("alamat sumber"),
        max_length=500,
        help_text=_("rtsp://, http(s)://, file:// atau replay: — tanpa nama pengguna/sandi."),
    )
    username = EncryptedSecretField(_("nama pengguna"), blank=True, default="")
    password = EncryptedSecretField(_("kata sandi"), blank=True, default="")
    enabled = models.BooleanField(_("aktif"), default=True)
    timeout_seconds = models.FloatField(_("batas waktu (detik)"), default=10.0)
    # A burst of frames per check: one frame with a person hidden behind a monitor
    # does not decide the check.
    burst_frames = models.PositiveSmallIntegerField(_("jumlah gambar per cek"), default=3)
    burst_interval_seconds = models.FloatField(_("jeda antar gambar (detik)"), default=1.0)
    # Most cameras keep the default of their kind; a large hall seen from far away may need the
    # crowd pipeline, a slow worker the fast one. Every observation records what was used.
    detector = models.CharField(
        _("detektor orang"),
        max_length=50,
        blank=True,
        default="",
        choices=detector_choices,
        help_text=_(
            "Kosong: bawaan jenis kamera (kantor: PEOPLE_DETECTOR, area publik: "
            "PUBLIC_AREA_DETECTOR). Bandingkan dengan `manage.py evaluate_detector`."
        ),
    )
    # Normalised (0..1) polygons; a person counts when the bottom-centre of the box is inside.
    staff_zone = models.JSONField(_("zona petugas"), default=list, blank=True)
    ignore_zones = models.JSONField(_("zona diabaikan"), default=list, blank=True)
    reference_signature = models.TextField(_("tanda tampilan acuan"), blank=True)
    # The learned empty scene (cameras.vision.scene.scene_to_bytes: a small compressed grey
    # background, never a frame with a counted person); empty until a check saw it empty.
    scene_state = models.BinaryField(_("adegan kosong yang dipelajari"), blank=True, default=b"")
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("kamera")
        verbose_name_plural = _("kamera")
        ordering = ["local_government__code", "kecamatan__code", "office__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="camera_unique_office_name"),
            models.UniqueConstraint(
                fields=["local_government", "name"],
                condition=Q(office__isnull=True),
                name="camera_unique_place_name",
            ),
            # An office camera watches an office; a public-area camera watches a place, and only
            # a public-area camera may ever be shown to the public (never an office interior).
            models.CheckConstraint(
                condition=(Q(kind="office") & Q(office__isnull=False) & Q(is_public=False))
                | (Q(kind="public_area") & Q(office__isnull=True)),
                name="camera_kind_matches_office",
            ),
            models.CheckConstraint(
                condition=Q(crowd_packed_at__gt=F("crowd_busy_at")),
                name="camera_crowd_levels_ordered",
            ),
            models.CheckConstraint(
                condition=Q(timeout_seconds__gt=0) & Q(timeout_seconds__lte=60),
                name="camera_timeout_bounded",
            ),
            models.CheckConstraint(
                condition=Q(burst_frames__gte=1) & Q(burst_frames__lte=10),
                name="camera_burst_bounded",
            ),
        ]

    def __str__(self) -> str:
        office = self.office if self.office_id is not None else None
        if office is not None:
            return f"{office.name} / {self.name}"
        return self.name

    def clean(self) -> None:
        from cameras.source_validation import check_source_url

        check_source_url(self.source_url)

    @classmethod
    def for_office(cls, office, **fields) -> "Camera":
        """An unsaved office camera placed in its office's government and kecamatan."""
        return cls(
            office=office,
            kind=CameraKind.OFFICE,
            local_government_id=office.kecamatan.local_government_id,
            kecamatan_id=office.kecamatan_id,
            **fields,
        )

    @property
    def place(self) -> str:
        if self.location_name:
            return self.location_name
        office = self.office if self.office_id else None
        return office.name if office is not None else self.name


class CameraGroup(models.Model):
    """A set of cameras the command-centre operator puts together on the wall."""

    local_government = models.ForeignKey(
        "places.LocalGovernment",
        on_delete=models.CASCADE,
        related_name="camera_groups",
        verbose_name=_("pemerintah daerah"),
    )
    name = models.CharField(_("nama"), max_length=100)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    cameras = models.ManyToManyField(
        Camera, related_name="groups", blank=True, verbose_name=_("kamera")
    )

    class Meta:
        verbose_name = _("grup kamera")
        verbose_name_plural = _("grup kamera")
        ordering = ["local_government", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_government", "name"], name="camera_group_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CheckKind(models.TextChoices):
    OPENING = "opening", _("Sekitar jam buka")
    DAYTIME = "daytime", _("Siang")
    CLOSING = "closing", _("Sekitar jam tutup")
    AFTER_HOURS = "after_hours", _("Di luar jam kerja")
    NIGHT = "night", _("Malam")
    MANUAL = "manual", _("Manual")


class ObservationStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    OK = "ok", _("Berhasil")
    # Capture failures: the camera or its link.
    UNREACHABLE = "unreachable", _("Kamera tidak terjangkau")
    TIMEOUT = "timeout", _("Waktu habis")
    AUTH_FAILED = "auth_failed", _("Otentikasi gagal")
    NOT_AN_IMAGE = "not_an_image", _("Bukan gambar")
    STREAM_ENDED = "stream_ended", _("Siaran berhenti")
    # Frame faults: a picture arrived, but it cannot say whether anyone is there.
    DARK = "dark", _("Gambar gelap")
    NO_DETAIL = "no_detail", _("Lensa tertutup/buram")
    FROZEN = "frozen", _("Gambar membeku")
    MOVED = "moved", _("Kamera bergeser")
    EXPIRED = "expired", _("Kedaluwarsa")
    ERROR = "error", _("Galat")


class Observation(models.Model):
    """One check of one camera at one scheduled slot; the slot is the idempotency key."""

    # No index of its own: the unique (camera, slot) index leads with the camera and serves
    # every lookup by camera. A camera-only index also misled PostgreSQL's planner into reading
    # a batch of cameras' whole history for one day (220 ms instead of 24 ms through the
    # (office_date, camera) index, 4.2 M rows).
    camera = models.ForeignKey(
        Camera,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("kamera"),
        db_index=False,
    )
    slot = models.DateTimeField(_("jadwal"))
    # The office's local date of the slot, computed once at write time (never `slot__date`).
    office_date = models.DateField(_("tanggal kantor"))
    kind = models.CharField(
        _("jenis"), max_length=20, choices=CheckKind.choices, default=CheckKind.MANUAL
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ObservationStatus.choices,
        default=ObservationStatus.PENDING,
    )
    # The check may run until this instant; after it the slot expires instead of running late.
    expires_at = models.DateTimeField(_("kedaluwarsa pada"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dikirim ke antrean"), null=True, blank=True)
    # How often the tick handed the slot to the broker (first dispatch, lost message, lost
    # worker): a slot is re-dispatched a bounded number of times, then settled.
    dispatch_count = models.PositiveSmallIntegerField(default=0)
    captured_at = models.DateTimeField(_("diambil pada"), null=True, blank=True)
    people_count = models.PositiveSmallIntegerField(_("jumlah orang"), null=True, blank=True)
    people_in_zone = models.PositiveSmallIntegerField(
        _("orang di zona petugas"), null=True, blank=True
    )
    detector_name = models.CharField(_("detektor"), max_length=50, blank=True)
    detector_version = models.CharField(_("versi detektor"), max_length=50, blank=True)
    frame_signature = models.CharField(_("tanda gambar"), max_length=128, blank=True)
    health = models.JSONField(_("kesehatan gambar"), default=dict, blank=True)
    # Which signal counted each person of the evidence frame, e.g. {"pose": 1, "zoom-pose": 1}.
    people_signals = models.JSONField(_("sinyal penghitungan"), default=dict, blank=True)
    error_message = models.CharField(_("pesan galat"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"), null=True, blank=True)
    # Claim of the task that runs this check: a redelivery of the same task may take over,
    # a concurrent duplicate may not (see cameras.services).
    claim_token = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the check (or the tick settling it) wrote its final status: compliance pulls the
    # facts recorded since its last tick by this column. A fact, not a judgement.
    recorded_at = models.DateTimeField(_("dicatat pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("observasi")
        verbose_name_plural = _("observasi")
        ordering = ["-slot"]
        constraints = [
            # The office day is a function of the slot; it is in the key because PostgreSQL
            # partitions the table by it (migration 0014) and a unique key there must name it.
            models.UniqueConstraint(
                fields=["camera", "slot", "office_date"], name="observation_unique_slot"
            ),
        ]
        # The status and recorded-at indexes are partial: the tick asks only for unsettled
        # slots and for facts recorded since its cursor, so a slot enters the one while it is
        # unsettled and the other once recorded. A fresh slot the tick inserts (100,000 a
        # minute at national scale) writes neither a NULL `recorded_at` entry nor an entry a
        # year of settled rows would keep (1.5 billion rows a year).
        indexes = [
            models.Index(fields=["office_date", "camera"]),
            models.Index(
                fields=["status", "slot"],
                condition=models.Q(status__in=["pending", "running"]),
                name="observation_unsettled_slot",
            ),
            models.Index(
                fields=["recorded_at"],
                condition=models.Q(recorded_at__isnull=False),
                name="observation_recorded_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.camera} {self.slot:%Y-%m-%d %H:%M} {self.status}"


class Evidence(models.Model):
    """A downscaled JPEG with faces and heads blurred; the raw frame is never stored."""

    # No database constraint: a foreign key into the partitioned observations table would need
    # the office day too (migration 0014); deletes still cascade through the ORM.
    observation = models.OneToOneField(
        Observation,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("observasi"),
        db_constraint=False,
    )
    image = models.FileField(_("gambar"), storage=_evidence_storage, upload_to="%Y/%m/%d/")
    width = models.PositiveIntegerField(_("lebar"))
    height = models.PositiveIntegerField(_("tinggi"))
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("bukti")
        verbose_name_plural = _("bukti")

    def __str__(self) -> str:
        return f"{self.observation}"


class CameraStill(models.Model):
    """The latest picture of a camera for the wall and the public page, one per interval.

    The slot (start of the capture interval) is the idempotency key: however many people
    watch, a camera is captured at most once per interval. Only blurred images are kept:
    `image` with faces and heads hidden (staff), `public_image` with every person hidden in
    full (public cameras only).
    """

    camera = models.ForeignKey(
        Camera, on_delete=models.CASCADE, related_name="stills", verbose_name=_("kamera")
    )
    slot = models.DateTimeField(_("interval"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ObservationStatus.choices,
        default=ObservationStatus.PENDING,
    )
    captured_at = models.DateTimeField(_("diambil pada"), null=True, blank=True)
    people_count = models.PositiveSmallIntegerField(_("jumlah orang"), null=True, blank=True)
    detector_name = models.CharField(_("detektor"), max_length=50, blank=True)
    detector_version = models.CharField(_("versi detektor"), max_length=50, blank=True)
    frame_signature = models.CharField(_("tanda gambar"), max_length=128, blank=True)
    error_message = models.CharField(_("pesan galat"), max_length=500, blank=True)
    image = models.FileField(
        _("gambar (petugas)"), storage=_evidence_storage, upload_to="stills/", blank=True
    )
    public_image = models.FileField(
        _("gambar (publik)"), storage=_evidence_storage, upload_to="stills/", blank=True
    )
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("gambar terkini")
        verbose_name_plural = _("gambar terkini")
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "slot"], name="still_unique_slot"),
        ]
        indexes = [models.Index(fields=["camera", "-slot"])]

    def __str__(self) -> str:
        return f"{self.camera} {self.slot:%Y-%m-%d %H:%M:%S} {self.status}"
