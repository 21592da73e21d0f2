"""One error body for every API failure: {"error": {"status", "code", "message", "fields"}}."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields: dict[str, Any] = {}
    if isinstance(detail, dict) and "detail" in detail:
        message = str(detail["detail"])
        code = getattr(detail["detail"], "code", "error")
    elif isinstance(detail, dict):
        fields = detail
        message = "Invalid input."
        code = "invalid"
    else:
        message = (
            "; ".join(str(item) for item in detail) if isinstance(detail, list) else str(detail)
        )
        code = "invalid"
    response.data = {
        "error": {
            "status": response.status_code,
            "code": code,
            "message": message,
            "fields": fields,
        }
    }
    return response
