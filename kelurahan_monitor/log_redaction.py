"""Keeps camera credentials out of every log line."""

import logging
import re

from cameras.domain.source_url import SECRET_QUERY_NAMES

# user:password@ in any URL, and credential-looking query parameters (the names the camera
# address rule refuses; "-" and "_" both match).
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_LONGEST_FIRST = sorted(SECRET_QUERY_NAMES, key=len, reverse=True)
_NAMES = "|".join(re.escape(name).replace("_", "[-_]") for name in _LONGEST_FIRST)
_QUERY_SECRET = re.compile(rf"(?i)(?P<key>[?&;](?:{_NAMES})=)[^&\s'\"<>]*")


def redact_text(text: str) -> str:
    """Replace URL userinfo and secret query values with '***'."""
    text = _USERINFO.sub(r"\g<scheme>***@", text)
    return _QUERY_SECRET.sub(r"\g<key>***", text)


class RedactCredentialsFilter(logging.Filter):
    """Rewrites the formatted message so no handler ever sees a camera password."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included (an exception message or a
    library's repr of a request may carry a URL the message itself does not)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))
