from urllib.parse import urlsplit

from rest_framework import serializers

from cameras.models import Camera, Observation
from compliance.api.serializers import ScopedSerializer
from kelurahan_monitor.secrets_field import Secret


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
            "office",
            "name",
            "source_url",
            "username",
            "password",
            "has_credentials",
            "enabled",
            "timeout_seconds",
            "burst_frames",
            "burst_interval_seconds",
            "staff_zone",
            "ignore_zones",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_has_credentials(self, camera: Camera) -> bool:
        return bool(camera.password) or bool(camera.username)

    def validate_source_url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in {"rtsp", "http", "https", "file", "replay"}:
            raise serializers.ValidationError("scheme must be rtsp, http(s), file or replay")
        if parts.username or parts.password:
            raise serializers.ValidationError(
                "put credentials in username/password, not in the URL"
            )
        return url

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


class ObservationSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="camera.office.code", read_only=True)
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = [
            "id",
            "camera",
            "office_code",
            "slot",
            "office_date",
            "kind",
            "status",
            "captured_at",
            "people_count",
            "people_in_zone",
            "is_open",
            "detector_name",
            "detector_version",
            "health",
            "error_message",
            "duration_ms",
            "has_evidence",
        ]
        read_only_fields = fields

    def get_has_evidence(self, observation: Observation) -> bool:
        return hasattr(observation, "evidence")
