"""The site's 404, 403 and 500 pages: Indonesian first, in the product's layout. Machine
paths (the API, Open311) keep the API's one error body instead of a page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

MACHINE_PREFIXES = ("/api/", "/open311/")


def _is_machine_path(request: HttpRequest) -> bool:
    return request.path.startswith(MACHINE_PREFIXES)


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The shape of kelurahan_monitor.api.errors.api_exception_handler."""
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message, "fields": {}}},
        status=status,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_machine_path(request):
        return _api_error(404, "not_found", _("Tidak ditemukan."))
    body = loader.render_to_string("404.html", {"nav": "error"}, request)
    return HttpResponse(body, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and str(exception) else ""
    if _is_machine_path(request):
        return _api_error(403, "permission_denied", reason or _("Akses ditolak."))
    body = loader.render_to_string("403.html", {"nav": "error", "reason": reason}, request)
    return HttpResponse(body, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: the database or the session may be what failed."""
    if _is_machine_path(request):
        return _api_error(500, "server_error", _("Terjadi kesalahan pada server."))
    return HttpResponse(loader.render_to_string("500.html", {"nav": "error"}), status=500)
