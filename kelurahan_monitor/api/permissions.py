"""DRF permissions expressed with the roles of kelurahan_monitor.roles."""

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from kelurahan_monitor import roles


class ReadStaffWriteDiskominfo(BasePermission):
    """Any role may read (the queryset is scoped); only Diskominfo may write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return roles.is_staff_reader(request.user)
        return roles.can_manage(request.user)


class DiskominfoOnly(BasePermission):
    """Camera settings: Diskominfo only (the mayor's office reads verdicts, not cameras)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return roles.can_see_camera_settings(request.user)


class AuditReaders(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS and roles.can_read_audit_log(request.user)
