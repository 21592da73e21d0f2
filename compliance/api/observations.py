"""Observations through the API: the camera's facts with the openness compliance reads in them.

Lives in compliance because `is_open` is a judgement (the day's min_staff), not a camera fact.
"""

from datetime import date

import django_filters
from rest_framework import filters, serializers, viewsets

from cameras.models import Observation, ObservationStatus
from compliance import services
from kelurahan_monitor import roles
from kelurahan_monitor.api.permissions import ReadStaffWriteDiskominfo
from places import calendar
from places.models import Office


class ObservationSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="camera.office.code", read_only=True)
    is_open = serializers.SerializerMethodField()
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

    def get_is_open(self, observation: Observation) -> bool | None:
        office = observation.camera.office
        if observation.status != ObservationStatus.OK or observation.people_in_zone is None:
            return None
        if office is None:
            return None
        check = services.check_result(
            observation.pk, observation.slot, observation.status, observation.people_in_zone
        )
        return check.is_open(self._office_day(office, observation.office_date).min_staff)

    def _office_day(self, office: Office, day: date):
        days = self.context.setdefault("office_days", {})
        if (office.pk, day) not in days:
            days[(office.pk, day)] = calendar.office_day_for(office, day)
        return days[(office.pk, day)]

    def get_has_evidence(self, observation: Observation) -> bool:
        return hasattr(observation, "evidence")


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
            .select_related("camera__office__kecamatan__local_government", "evidence")
            .order_by("-slot")
        )
