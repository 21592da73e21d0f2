from django.contrib.auth.models import AbstractBaseUser
from rest_framework import serializers

from cameras.models import Camera
from incidents.forms import MAX_DURATION
from incidents.models import Incident


class IncidentSerializer(serializers.ModelSerializer):
    """Staff view of a post; the government comes from the user, never from the request."""

    local_government = serializers.CharField(source="local_government.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    has_still = serializers.SerializerMethodField()
    created_by: serializers.StringRelatedField[AbstractBaseUser] = serializers.StringRelatedField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "local_government",
            "kind",
            "kind_label",
            "title",
            "description",
            "place",
            "latitude",
            "longitude",
            "severity",
            "severity_label",
            "camera",
            "has_still",
            "starts_at",
            "expires_at",
            "created_by",
            "created_at",
            "updated_at",
            "removed_at",
        ]
        read_only_fields = ["created_at", "updated_at", "removed_at"]

    def get_has_still(self, incident: Incident) -> bool:
        return bool(incident.still)

    def validate_camera(self, camera: Camera | None) -> Camera | None:
        government = self.context["government"]
        if camera is None:
            return None
        if government is None or camera.local_government_id != government.pk:
            raise serializers.ValidationError("unknown camera")
        if not camera.enabled and getattr(self.instance, "camera_id", None) != camera.pk:
            raise serializers.ValidationError("camera is disabled")
        return camera

    def validate(self, attrs: dict) -> dict:
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        expires = attrs.get("expires_at", getattr(self.instance, "expires_at", None))
        if starts and expires:
            if expires <= starts:
                raise serializers.ValidationError({"expires_at": "must be after starts_at"})
            if expires - starts > MAX_DURATION:
                raise serializers.ValidationError({"expires_at": "at most 14 days after starts_at"})
        latitude = attrs.get("latitude", getattr(self.instance, "latitude", None))
        longitude = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (latitude is None) != (longitude is None):
            raise serializers.ValidationError({"longitude": "give latitude and longitude together"})
        # Both are set or both are None (checked above).
        if (
            latitude is not None
            and longitude is not None
            and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
        ):
            raise serializers.ValidationError({"latitude": "outside the globe"})
        return attrs


class PublicIncidentSerializer(serializers.ModelSerializer):
    """What anyone may read: no author, no camera id, no audit fields."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    still_url = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "description",
            "place",
            "latitude",
            "longitude",
            "severity",
            "severity_label",
            "still_url",
            "starts_at",
            "expires_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_still_url(self, incident: Incident) -> str | None:
        if not incident.still:
            return None
        from django.urls import reverse

        return self.context["request"].build_absolute_uri(
            reverse("public:incident_still", args=[incident.local_government.code, incident.pk])
        )
