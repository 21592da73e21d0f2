"""Health of the parts a deployment needs: database, broker, at least one worker."""

from typing import Any

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kelurahan_monitor.celery import app


def check_health(worker_timeout_s: float = 1.0) -> dict[str, Any]:
    """Reachability of each part, as booleans (no host names, no credentials)."""
    status: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = True
    except Exception:
        status["database"] = False
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        status["broker"] = True
    except Exception:
        status["broker"] = False
    workers = 0
    if status["broker"]:
        try:
            replies = app.control.ping(timeout=worker_timeout_s) or []
            workers = len(replies)
        except Exception:
            workers = 0
    status["workers"] = workers
    status["ok"] = status["database"] and status["broker"] and workers > 0
    return status


@extend_schema(
    responses=inline_serializer(
        "Health",
        {
            "ok": serializers.BooleanField(),
            "database": serializers.BooleanField(),
            "broker": serializers.BooleanField(),
            "workers": serializers.IntegerField(),
        },
    )
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    """Database, broker and worker reachability (503 when something is down)."""
    status = check_health()
    return Response(status, status=200 if status["ok"] else 503)
