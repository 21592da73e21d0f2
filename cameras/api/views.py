import django_filters
from rest_framework import filters, viewsets

from cameras.api.serializers import CameraSerializer
from cameras.models import Camera
from kelurahan_monitor import roles
from kelurahan_monitor.api.permissions import DiskominfoOnly


class CameraViewSet(viewsets.ModelViewSet):
    serializer_class = CameraSerializer
    permission_classes = [DiskominfoOnly]
    filterset_fields = ["office", "enabled", "kind", "is_public", "local_government"]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return (
            Camera.objects.filter(roles.camera_scope(self.request.user))
            .select_related("office", "local_government", "kecamatan")
            .order_by("local_government__code", "office__code", "name")
        )
