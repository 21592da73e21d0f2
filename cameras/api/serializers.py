from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cameras import services
from cameras.domain.placement import PlacementError
from cameras.models import Camera, CameraKind
from cameras.source_validation import check_source_url, shown_source_url
from kelurahan_monitor import roles
from kelurahan_monitor.api.scoping import ScopedSerializer
from kelurahan_monitor.secrets_field import Secret

PLACEMENT_MESSAGES = {
    PlacementError.OFFICE_MISSING: "an office camera needs its office",
    PlacementError.OFFICE_CAMERA_PUBLIC: "office cameras are never shown to the public",
    PlacementError.PUBLIC_AREA_WITH_OFFICE: "a public-area camera does not belong to an office",
    PlacementError.GOVERNMENT_MISSING: "required",
    PlacementError.KECAMATAN_ELSEWHERE: "kecamatan of another local government",
}


class CameraSerializer(ScopedSerializer):
    # Credentials are write-only: accepted, stored encrypted, never returned.
    username = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        style={"input_type": "password"},
    )
    has_credentials = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "id",
            "kind",
            "office",
            "local_government",
            "kecamatan",
            "name",
            "location_name",
            "latitude",
            "longitude",
            "is_public",
            "crowd_busy_at",
            "crowd_packed_at",
            "health_state",
            "health_since",
            "source_url",
            "username",
            "password",
            "has_credentials",
            "enabled",
            "timeout_seconds",
            "burst_frames",
            "burst_interval_seconds",
            "detector",
            "staff_zone",
            "ignore_zones",
            "created_at",
        ]
        read_only_fields = ["created_at", "health_state", "health_since"]
        extra_kwargs = {"local_government": {"required": False}}
        # The name constraints depend on the kind; validate() checks them once the place is known.
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        """Office cameras take their place from the office; only public-area ones may be public."""
        merged = {
            name: attrs.get(name, getattr(self.instance, name, None))
            for name in (
                "kind",
                "office",
                "local_government",
                "kecamatan",
                "is_public",
                "crowd_busy_at",
                "crowd_packed_at",
            )
        }
        kind = merged["kind"] or CameraKind.OFFICE
        placement = services.resolve_placement(
            kind,
            merged["office"],
            merged["local_government"] or roles.user_government(self._user()),
            merged["kecamatan"],
            is_public=bool(merged["is_public"]),
        )
        if placement.errors:
            field, error = next(iter(placement.errors.items()))
            raise serializers.ValidationError({field: PLACEMENT_MESSAGES[error]})
        attrs["local_government"] = placement.government
        if kind == CameraKind.OFFICE:
            attrs["kecamatan"] = placement.kecamatan
        name = attrs.get("name", getattr(self.instance, "name", None))
        same_name = Camera.objects.filter(name=name)
        if kind == CameraKind.OFFICE:
            same_name = same_name.filter(office=merged["office"])
        else:
            same_name = same_name.filter(
                office__isnull=True, local_government=attrs["local_government"]
            )
        if self.instance is not None:
            same_name = same_name.exclude(pk=self.instance.pk)
        if same_name.exists():
            raise serializers.ValidationError({"name": "another camera here has this name"})
        busy = merged["crowd_busy_at"]
        if busy is None:
            busy = Camera._meta.get_field("crowd_busy_at").get_default()
        packed = merged["crowd_packed_at"]
        if packed is None:
            packed = Camera._meta.get_field("crowd_packed_at").get_default()
        if packed <= busy:
            raise serializers.ValidationError(
                {"crowd_packed_at": "must be greater than crowd_busy_at"}
            )
        return attrs

    def get_has_credentials(self, camera: Camera) -> bool:
        return bool(camera.password) or bool(camera.username)

    def validate_source_url(self, url: str) -> str:
        stored = self.instance.source_url if self.instance is not None else ""
        try:
            check_source_url(url, writer=self._user(), stored=stored)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None
        return url

    def to_representation(self, instance: Camera) -> dict:
        data = super().to_representation(instance)
        data["source_url"] = shown_source_url(instance.source_url)
        return data

    def validate_timeout_seconds(self, value: float) -> float:
        if not 0 < value <= 60:
            raise serializers.ValidationError("between 0 and 60 seconds")
        return value

    def validate_burst_frames(self, value: int) -> int:
        if not 1 <= value <= 10:
            raise serializers.ValidationError("between 1 and 10 frames")
        return value

    def validate_burst_interval_seconds(self, value: float) -> float:
        if not 0 <= value <= 5:
            raise serializers.ValidationError("between 0 and 5 seconds")
        return value

    def _validate_polygon(self, polygon: object) -> list[list[float]]:
        from cameras.vision.zones import validate_polygon

        try:
            return validate_polygon(polygon)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_staff_zone(self, zone: object) -> list:
        return [] if zone in (None, []) else self._validate_polygon(zone)

    def validate_ignore_zones(self, zones: object) -> list:
        if not isinstance(zones, list):
            raise serializers.ValidationError("a list of polygons")
        return [self._validate_polygon(zone) for zone in zones]

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for name in ("username", "password"):
            if name in values:
                values[name] = Secret(values[name])
        return values
