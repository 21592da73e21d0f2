"""Stored reports in the API: list, and download through the same audited, role-checked path."""

from django.http import FileResponse, Http404
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from kelurahan_monitor import roles
from reports import services
from reports.models import Report


class CanExport(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return roles.can_export(request.user)


class ReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "kind", "date", "size_bytes", "created_at", "emailed_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/reports/{report.pk}/download/")


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    permission_classes = [CanExport]
    filterset_fields = ["kind", "date"]

    def get_queryset(self):
        return Report.objects.filter(roles.visible_reports_filter(self.request.user)).order_by(
            "-date", "kind"
        )

    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        report = self.get_object()
        try:
            handle = services.report_path(report).open("rb")
        except (ValueError, OSError):
            raise Http404 from None
        roles.audit(request, "export", f"api report {report.pk}", report.local_government_id)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report.filename,
            content_type=services.XLSX_CONTENT_TYPE,
        )
