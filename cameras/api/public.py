"""Public cameras in the API: what the public page shows, for other apps (no login)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from cameras import selectors, stills, tasks
from places.models import LocalGovernment


class PublicCameraSerializer(serializers.Serializer):
    """Never the camera's address, credentials or settings."""

    id = serializers.IntegerField(source="camera_id")
    name = serializers.CharField()
    place = serializers.CharField()
    kecamatan = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    picture_url = serializers.SerializerMethodField()
    captured_at = serializers.DateTimeField(allow_null=True)
    online = serializers.BooleanField()
    crowd = serializers.CharField(allow_null=True)
    crowd_label = serializers.CharField()

    def get_picture_url(self, camera: selectors.PublicCamera) -> str | None:
        if not camera.picture_url:
            return None
        return self.context["request"].build_absolute_uri(camera.picture_url)


class PublicCameraViewSet(viewsets.ViewSet):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("pemda", str, required=True, description="Kemendagri code, e.g. 74.02")
        ],
        responses=PublicCameraSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        code = request.query_params.get("pemda", "")
        if not code:
            raise ValidationError({"pemda": "required: the Kemendagri code, e.g. 74.02"})
        government = get_object_or_404(LocalGovernment, code=code)
        now = timezone.now()
        cameras = list(selectors.public_cameras(government))
        tasks.queue_still_captures(stills.request_stills(cameras, now))
        views = selectors.public_camera_views(government, now, cameras)
        return Response(PublicCameraSerializer(views, many=True, context={"request": request}).data)
