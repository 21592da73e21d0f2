"""Login with throttling: repeated failures for one account or one address lock it out a while."""

import hashlib

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kelurahan_monitor.roles import client_ip


def _keys(request: HttpRequest, username: str) -> list[str]:
    def digest(value: str) -> str:
        return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]

    return [
        f"login-fail:ip:{digest(client_ip(request) or '')}",
        f"login-fail:user:{digest(username.lower())}",
    ]


class ThrottledLoginView(LoginView):
    extra_context = {"nav": "login"}

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "")
        keys = _keys(request, username)
        if any((cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            # A bound form whose credentials are never checked while the lockout lasts.
            form = AuthenticationForm(request, data=request.POST)
            # BaseForm._errors is private and missing from django-stubs.
            form._errors, form.cleaned_data = ErrorDict(), {}  # type: ignore[attr-defined]
            form.add_error(
                None,
                _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.")
                % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            cache.delete_many(keys)
        else:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        return response
