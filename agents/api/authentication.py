"""Per-agent bearer tokens: `Authorization: Agent <token>`; a revoked token is refused at once."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.views import APIView

from agents import services
from agents.models import Agent

KEYWORD = "Agent"


class AgentTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AnonymousUser, Agent] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Token agen tidak lengkap."))
        agent = services.agent_for_token(header[1])
        if agent is None:
            raise exceptions.AuthenticationFailed(_("Token agen tidak dikenal atau sudah dicabut."))
        return AnonymousUser(), agent

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class IsAgent(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, Agent)


class AgentRateThrottle(throttling.SimpleRateThrottle):
    """Requests per agent (not per address: many offices may share a carrier's NAT)."""

    scope = "agent"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        agent = request.auth
        if not isinstance(agent, Agent):
            return None
        return self.cache_format % {"scope": self.scope, "ident": agent.pk}


class EnrolRateThrottle(throttling.AnonRateThrottle):
    """Guessing codes: a few tries per address per minute."""

    scope = "agent_enrol"

    def get_ident(self, request: Request) -> str:
        from kelurahan_monitor import roles

        return roles.client_ip(request) or ""


class AgentTokenScheme(OpenApiAuthenticationExtension):
    """The agent token in the OpenAPI schema (registered when this module is imported)."""

    target_class = AgentTokenAuthentication
    name = "agentToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"{KEYWORD} <token>: the token an office agent received at enrolment.",
        }
