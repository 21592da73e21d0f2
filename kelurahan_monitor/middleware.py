"""Security headers Django 5.2 does not set by itself."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "style-src 'self' 'unsafe-inline'",
        # Inline scripts are still allowed for the vendored API docs page; no third party.
        "script-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RejectControlCharactersMiddleware:
    """A NUL (or other control character) in the path or the query string is never a real
    office code, tracking code or date, and PostgreSQL refuses NUL in any text it is asked to
    compare: answer before any view or query sees it, in the product's error shape (the API's
    body or Open311's error list: 404 for the path, 400 for a parameter; pages: not found)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_control(request.path):
            return _refuse(request, 404)
        for key, values in request.GET.lists():
            if _has_control(key) or any(_has_control(value) for value in values):
                return _refuse(request, 400)
        return self.get_response(request)


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _refuse(request: HttpRequest, status: int) -> HttpResponse:
    from django.http import JsonResponse
    from django.utils.translation import gettext as _

    from kelurahan_monitor.errors import page_not_found

    message = _("Alamat atau parameter berisi karakter yang tidak diizinkan.")
    if request.path.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], safe=False, status=status)
    if request.path.startswith("/api/"):
        code = "not_found" if status == 404 else "invalid"
        body = {"error": {"status": status, "code": code, "message": message, "fields": {}}}
        return JsonResponse(body, status=status)
    # A page has no "bad parameter" page: what was asked for does not exist.
    return page_not_found(request)
