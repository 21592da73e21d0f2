import django_filters
from rest_framework import filters, viewsets

from cameras.api.serializers import CameraSerializer, ObservationSerializer
from cameras.models import Camera, Observation, ObservationStatus
from kelurahan_monitor import roles
from kelurahan_monitor.api.permissions import DiskominfoOnly, ReadStaffWriteDiskominfo


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


class ObservationFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="office_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="office_date", lookup_expr="lte")
    office = django_filters.CharFilter(field_name="camera__office__code")
    status = django_filters.ChoiceFilter(choices=ObservationStatus.choices)

    class Meta:
        model = Observation
        fields = ["date_from", "date_to", "office", "camera", "status", "kind"]


class ObservationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ObservationSerializer
    permission_classes = [ReadStaffWriteDiskominfo]
    filterset_class = ObservationFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["slot", "people_in_zone"]

    def get_queryset(self):
        scope = roles.office_scope(self.request.user, "camera__office__")
        return (
            Observation.objects.filter(scope)
            .select_related("camera__office", "evidence")
            .order_by("-slot")
        )
