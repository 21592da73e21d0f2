"""Keeps camera credentials out of every log line."""

import logging
import re

# user:password@ in any URL, and credential-looking query parameters.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_QUERY_SECRET = re.compile(r"(?i)(?P<key>[?&](?:password|passwd|pwd|pass|token|auth|key)=)[^&\s]*")


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
