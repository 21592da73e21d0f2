"""Complaints in the staff API: read for every role (scoped), never the citizen's contact."""

import django_filters
from rest_framework import filters, serializers, viewsets

from complaints import selectors
from complaints.models import Complaint, ComplaintStatus, VerificationResult
from kelurahan_monitor.api.permissions import ReadStaffWriteDiskominfo


class ComplaintSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    kecamatan = serializers.CharField(source="office.kecamatan.name", read_only=True)
    # Null while nobody has taken the complaint.
    assigned_to = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Complaint
        # Contact details, hashes and the photo are deliberately absent.
        fields = [
            "tracking_code",
            "office_code",
            "office_name",
            "kecamatan",
            "visited_at",
            "kind",
            "description",
            "status",
            "verification",
            "verification_checked_at",
            "evidence_observation_ids",
            "assigned_to",
            "answer",
            "received_on",
            "forward_due",
            "answer_due",
            "close_due",
            "forwarded_at",
            "answered_at",
            "closed_at",
            "source",
            "created_at",
        ]
        read_only_fields = fields


class ComplaintFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    office = django_filters.CharFilter(field_name="office__code")
    kecamatan = django_filters.CharFilter(field_name="office__kecamatan__code")
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    verification = django_filters.ChoiceFilter(choices=VerificationResult.choices)

    class Meta:
        model = Complaint
        fields = ["received_from", "received_to", "office", "kecamatan", "status", "verification"]


class ComplaintViewSet(viewsets.ReadOnlyModelViewSet):
    """Triage actions (assign, answer, forward, close) happen on the staff pages."""

    serializer_class = ComplaintSerializer
    permission_classes = [ReadStaffWriteDiskominfo]
    filterset_class = ComplaintFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["received_on", "answer_due", "visited_at"]
    lookup_field = "tracking_code"

    def get_queryset(self):
        return (
            selectors.complaints_for_user(self.request.user)
            .select_related("office__kecamatan", "assigned_to")
            .order_by("-received_on", "tracking_code")
        )
