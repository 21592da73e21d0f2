"""The office agent API under /api/v1/agent/: enrol, configuration, batch upload, heartbeat.

Thin: parse, call one agents service, answer. Batches come gzip-compressed
(`Content-Encoding: gzip`) with `X-Agent-Signature`, the HMAC-SHA256 of the uncompressed body.
"""

import zlib
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from agents import services
from agents.api.authentication import (
    AgentRateThrottle,
    AgentTokenAuthentication,
    EnrolRateThrottle,
    IsAgent,
)
from agents.models import Agent

# An uncompressed batch larger than this is refused (2000 records with evidence fit easily).
MAX_BATCH_BYTES = 32 * 1024 * 1024


class RawBodyParser(BaseParser):
    """Leaves the body to the view (it must check the signature over the exact bytes)."""

    media_type = "*/*"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream.read() if stream is not None else b""


def _error(code: str, message: str, http_status: int) -> Response:
    return Response(
        {"error": {"status": http_status, "code": code, "message": message, "fields": {}}},
        status=http_status,
    )


def _gunzip(raw: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decompressor.decompress(raw, MAX_BATCH_BYTES + 1)
    if len(out) > MAX_BATCH_BYTES or decompressor.unconsumed_tail:
        raise ValueError("batch too large")
    if not decompressor.eof:
        # A box cut off mid-upload leaves a gzip stream without its end; it is sent again,
        # so this is a broken transfer, not an edited batch (no tamper warning).
        raise ValueError("the body ends before its gzip stream does (an interrupted upload)")
    return out


ContactSerializer = inline_serializer(
    "AgentContact",
    {
        "sent_wall": serializers.DateTimeField(),
        "boot_id": serializers.CharField(),
        "monotonic": serializers.FloatField(),
        "queue_depth": serializers.IntegerField(),
        "disk_used_bytes": serializers.IntegerField(),
        "version": serializers.CharField(),
    },
)
Acknowledgement = inline_serializer(
    "AgentBatchAnswer",
    {
        "acknowledged": serializers.ListField(child=serializers.IntegerField()),
        "refused": serializers.ListField(child=serializers.DictField()),
        "warnings": serializers.ListField(child=serializers.CharField()),
        "server_time": serializers.DateTimeField(),
        "clock_offset_seconds": serializers.FloatField(),
    },
)


@extend_schema(
    tags=["agent"],
    summary="Exchange a one-time enrolment code for the agent's token, key and configuration",
    request=inline_serializer(
        "AgentEnrol", {"code": serializers.CharField(), "version": serializers.CharField()}
    ),
    responses={200: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([EnrolRateThrottle])
def enrol(request: Request) -> Response:
    now = timezone.now()
    code = str(request.data.get("code", "")) if isinstance(request.data, dict) else ""
    try:
        enrolment = services.enrol_agent(code, now)
    except services.EnrolmentRefused as exc:
        return _error(exc.code, str(exc), status.HTTP_403_FORBIDDEN)
    return Response(
        {
            "token": enrolment.token,
            "signing_key": enrolment.signing_key,
            "server_time": now.isoformat(),
            "config": services.agent_configuration(enrolment.agent, now),
        }
    )


@extend_schema(
    tags=["agent"],
    summary="The agent's configuration: office, cameras with zones, plan inputs",
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
@authentication_classes([AgentTokenAuthentication])
@permission_classes([IsAgent])
@throttle_classes([AgentRateThrottle])
def configuration(request: Request) -> Response:
    agent = request.auth
    assert isinstance(agent, Agent)  # noqa: S101 - IsAgent
    now = timezone.now()
    return Response({"server_time": now.isoformat(), **services.agent_configuration(agent, now)})


@extend_schema(
    tags=["agent"],
    summary="Heartbeat: the box's health and clocks; answers the server time",
    request=ContactSerializer,
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
@authentication_classes([AgentTokenAuthentication])
@permission_classes([IsAgent])
@throttle_classes([AgentRateThrottle])
def heartbeat(request: Request) -> Response:
    agent = request.auth
    assert isinstance(agent, Agent)  # noqa: S101 - IsAgent
    now = timezone.now()
    try:
        contact = services.Contact.from_json(request.data if isinstance(request.data, dict) else {})
    except services.BatchMalformed as exc:
        return _error(exc.code, str(exc), status.HTTP_400_BAD_REQUEST)
    offset = services.record_contact(agent, contact, now)
    config = services.agent_configuration(agent, now)
    return Response(
        {
            "server_time": now.isoformat(),
            "clock_offset_seconds": round(offset, 3),
            "config_version": config["config_version"],
        }
    )


@extend_schema(
    tags=["agent"],
    summary="Upload a batch of records (gzip JSON, signed with the agent's key)",
    request={"application/json": OpenApiTypes.BINARY},
    parameters=[
        OpenApiParameter("X-Agent-Signature", str, OpenApiParameter.HEADER, required=True),
        OpenApiParameter("Content-Encoding", str, OpenApiParameter.HEADER, enum=["gzip"]),
    ],
    responses={200: Acknowledgement, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
)
@api_view(["POST"])
@authentication_classes([AgentTokenAuthentication])
@permission_classes([IsAgent])
@throttle_classes([AgentRateThrottle])
@parser_classes([RawBodyParser])
def upload(request: Request) -> Response:
    agent = request.auth
    assert isinstance(agent, Agent)  # noqa: S101 - IsAgent
    now = timezone.now()
    raw = request.body
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and len(raw) < int(declared):
        # Some servers hand over what arrived before the client went away.
        return _error(
            "incomplete_body",
            f"the body ended after {len(raw)} of {declared} bytes (an interrupted upload)",
            status.HTTP_400_BAD_REQUEST,
        )
    try:
        if request.headers.get("Content-Encoding", "").lower() == "gzip":
            raw = _gunzip(raw)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return _error("malformed_batch", f"not a gzip body: {exc}", status.HTTP_400_BAD_REQUEST)
    try:
        outcome = services.accept_batch(
            agent, raw, request.headers.get("X-Agent-Signature", ""), now
        )
    except services.SignatureRefused as exc:
        return _error(exc.code, str(exc), status.HTTP_403_FORBIDDEN)
    except services.BatchMalformed as exc:
        return _error(exc.code, str(exc), status.HTTP_400_BAD_REQUEST)
    return Response(
        {
            "acknowledged": outcome.acknowledged,
            "refused": [{"sequence": s, "reason": r} for s, r in outcome.refused],
            "warnings": outcome.warnings,
            "server_time": now.isoformat(),
            "clock_offset_seconds": round(outcome.clock_offset_seconds, 3),
        }
    )
