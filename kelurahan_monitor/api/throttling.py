"""DRF's rate limits keyed on the same client address as the rest of the product.

DRF's own `get_ident` believes any X-Forwarded-For when NUM_PROXIES is unset, so a client could
pick a new address per request; here only a configured trusted proxy is believed.
"""

from rest_framework import throttling
from rest_framework.request import Request

from kelurahan_monitor import roles


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return roles.client_ip(request) or ""


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request: Request) -> str:
        return roles.client_ip(request) or ""
