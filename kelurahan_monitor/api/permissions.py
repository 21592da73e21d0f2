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


class WritesOwnGovernmentRows(BasePermission):
    """A row of another government is not found (the queryset is scoped); a row shared by every
    government (e.g. a national holiday) is read by all and written only by a superuser.

    The view names the row's government with `row_government_id(obj)` (default:
    `obj.local_government_id`).
    """

    def has_object_permission(self, request: Request, view: APIView, obj: object) -> bool:
        if request.method in SAFE_METHODS:
            return True
        government_of = getattr(view, "row_government_id", None)
        government_id = (
            government_of(obj) if government_of else getattr(obj, "local_government_id", None)
        )
        return roles.can_write_row(request.user, government_id)
