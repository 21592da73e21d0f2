import django_filters
from rest_framework import filters, viewsets

from compliance.api import serializers
from compliance.models import DailyVerdict, VerdictStatus
from kelurahan_monitor import roles
from kelurahan_monitor.api.permissions import (
    AuditReaders,
    ReadStaffWriteDiskominfo,
    WritesOwnGovernmentRows,
)
from places.models import Excuse, Holiday, OpeningHours


class ScopedViewSet(viewsets.ModelViewSet):
    """Rows outside the user's government or kecamatan do not exist for them (404)."""

    permission_classes = [ReadStaffWriteDiskominfo]
    filter_backends = [
        django_filters.rest_framework.DjangoFilterBackend,
        filters.OrderingFilter,
        filters.SearchFilter,
    ]
    office_path = "office__"

    def scoped(self, queryset):
        return queryset.filter(roles.office_scope(self.request.user, self.office_path))


class KecamatanViewSet(ScopedViewSet):
    serializer_class = serializers.KecamatanSerializer
    http_method_names = ["get", "head", "options"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return roles.visible_kecamatan(self.request.user).order_by("code")


class OfficeViewSet(ScopedViewSet):
    serializer_class = serializers.OfficeSerializer
    filterset_fields = ["kecamatan", "active"]
    search_fields = ["name", "code", "alternative_name", "kecamatan__name"]
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return roles.visible_offices(self.request.user).select_related("kecamatan").order_by("code")


class OpeningHoursViewSet(ScopedViewSet):
    serializer_class = serializers.OpeningHoursSerializer
    filterset_fields = ["office", "weekday", "local_government"]
    ordering_fields = ["weekday"]

    def get_queryset(self):
        governments = roles.visible_governments(self.request.user)
        own = self.scoped(OpeningHours.objects.filter(office__isnull=False))
        defaults = OpeningHours.objects.filter(
            office__isnull=True, local_government__in=governments
        )
        return (own | defaults).order_by("office_id", "weekday")


class HolidayFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Holiday
        fields = ["kind", "date_from", "date_to"]


class HolidayViewSet(ScopedViewSet):
    """National holidays and cuti bersama are shared: every role reads them, only a superuser
    (or the sync task) writes them; local holidays belong to their government."""

    serializer_class = serializers.HolidaySerializer
    permission_classes = [ReadStaffWriteDiskominfo, WritesOwnGovernmentRows]
    filterset_class = HolidayFilter
    ordering_fields = ["date"]

    def get_queryset(self):
        governments = roles.visible_governments(self.request.user)
        if not roles.is_staff_reader(self.request.user):
            return Holiday.objects.none()
        return Holiday.objects.filter(local_government__isnull=True) | Holiday.objects.filter(
            local_government__in=governments
        )


class ExcuseViewSet(ScopedViewSet):
    serializer_class = serializers.ExcuseSerializer
    filterset_fields = ["office"]
    ordering_fields = ["date_from", "created_at"]

    def get_queryset(self):
        return self.scoped(Excuse.objects.select_related("created_by")).order_by("-date_from")

    def perform_create(self, serializer) -> None:
        serializer.save(created_by=self.request.user)


class VerdictFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    kecamatan = django_filters.CharFilter(field_name="office__kecamatan__code")
    office = django_filters.CharFilter(field_name="office__code")
    status = django_filters.ChoiceFilter(choices=VerdictStatus.choices)

    class Meta:
        model = DailyVerdict
        fields = ["date_from", "date_to", "kecamatan", "office", "status", "is_final"]


class VerdictViewSet(ScopedViewSet):
    serializer_class = serializers.VerdictSerializer
    filterset_class = VerdictFilter
    ordering_fields = ["date", "minutes_late", "coverage"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return self.scoped(DailyVerdict.objects.select_related("office__kecamatan")).order_by(
            "-date", "office__code"
        )


class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AuditLogEntrySerializer
    permission_classes = [AuditReaders]
    filterset_fields = ["action"]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        visible = roles.visible_audit_log(self.request.user)
        return visible.select_related("user").order_by("-created_at")
