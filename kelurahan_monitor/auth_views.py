"""Login with throttling that an attacker cannot turn against someone else's account.

Failures are counted three ways, each in its own window (LOGIN_LOCKOUT_SECONDS):

- account + address (LOGIN_FAILURE_LIMIT, 5): the usual lockout. Guessing at "kominfo" from one
  address locks only that address out of that account; the real owner elsewhere still logs in.
- address (LOGIN_ADDRESS_FAILURE_LIMIT): one address trying many accounts.
- account, from every address (LOGIN_ACCOUNT_FAILURE_LIMIT, much higher): a distributed guess at
  one account. A browser that logged in to this account before carries a signed cookie that
  exempts it from this count, so even then the owner is not locked out without knowing something
  (the password, on a browser they used before).

The client address is `roles.client_ip`: X-Forwarded-For only from a TRUSTED_PROXIES proxy.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core import signing
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kelurahan_monitor.roles import client_ip

KNOWN_BROWSER_COOKIE = "km_known"
KNOWN_BROWSER_SALT = "kelurahan_monitor.login.known-browser"
KNOWN_BROWSER_MAX_AGE = 180 * 86400


def _digest(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def _counters(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    """(cache key, limit) of every count this attempt belongs to."""
    account = _digest(username.strip().lower())
    address = _digest(client_ip(request) or "")
    counters = [
        (f"login-fail:account-address:{account}:{address}", settings.LOGIN_FAILURE_LIMIT),
        (f"login-fail:address:{address}", settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ]
    if account not in _known_accounts(request):
        counters.append((f"login-fail:account:{account}", settings.LOGIN_ACCOUNT_FAILURE_LIMIT))
    return counters


def _known_accounts(request: HttpRequest) -> list[str]:
    try:
        value = request.get_signed_cookie(
            KNOWN_BROWSER_COOKIE, salt=KNOWN_BROWSER_SALT, max_age=KNOWN_BROWSER_MAX_AGE
        )
        return [entry for entry in signing.loads(value or "") if isinstance(entry, str)][:20]
    except (KeyError, signing.BadSignature, TypeError, ValueError):
        return []


def _count_failure(key: str) -> None:
    cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


class ThrottledLoginView(LoginView):
    extra_context = {"nav": "login"}

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "")
        counters = _counters(request, username)
        if any((cache.get(key) or 0) >= limit for key, limit in counters):
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
            # Only this account and address are forgiven: other accounts' counts stay.
            cache.delete(counters[0][0])
            account = _digest(request.user.get_username().strip().lower())
            known = [account, *(a for a in _known_accounts(request) if a != account)][:20]
            response.set_signed_cookie(
                KNOWN_BROWSER_COOKIE,
                signing.dumps(known),
                salt=KNOWN_BROWSER_SALT,
                max_age=KNOWN_BROWSER_MAX_AGE,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        else:
            for key, _limit in counters:
                _count_failure(key)
        return response
