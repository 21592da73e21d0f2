"""Which camera addresses may be stored, and how a stored one is shown. Pure (no Django).

One rule for the API serializer, the admin form and the model: network cameras (rtsp://,
http(s)://) for everyone who manages cameras; local sources (file://, replay:) read files on the
worker, so they exist only where the deployment enables them and only a superuser writes them.
Credentials never live in the address (userinfo or a query parameter named like a secret): they
go in the encrypted credential fields.
"""

from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

NETWORK_SCHEMES = frozenset({"rtsp", "http", "https"})
LOCAL_SCHEMES = frozenset({"file", "replay"})

# Query parameter names that cameras (Foscam, Hikvision ISAPI, some NVRs, cloud relays) use for
# credentials. Compared case-insensitively, with "-" read as "_".
SECRET_QUERY_NAMES = frozenset(
    {
        "user",
        "usr",
        "username",
        "user_name",
        "login",
        "loginuse",
        "loginpas",
        "pwd",
        "pw",
        "password",
        "pass",
        "passwd",
        "passcode",
        "token",
        "access_token",
        "auth",
        "authorization",
        "key",
        "apikey",
        "api_key",
        "secret",
        "signature",
        "sig",
        "session",
        "sessionid",
    }
)
MAX_URL_LENGTH = 500


class SourceUrlError(StrEnum):
    MALFORMED = "malformed"
    SCHEME = "scheme"
    HOST_MISSING = "host_missing"
    LOCAL_DISABLED = "local_disabled"
    LOCAL_NOT_ALLOWED = "local_not_allowed"
    CREDENTIALS = "credentials"


def is_secret_query_name(name: str) -> bool:
    return name.strip().lower().replace("-", "_") in SECRET_QUERY_NAMES


def has_credentials_in_url(url: str) -> bool:
    """True when the address carries a user name or secret (userinfo or a query parameter)."""
    try:
        parts = urlsplit(url)
        if parts.username or parts.password or "@" in parts.netloc:
            return True
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return "@" in url
    return any(is_secret_query_name(name) for name, _ in pairs)


def source_url_error(
    url: str, *, local_enabled: bool, may_set_local: bool
) -> SourceUrlError | None:
    """Why `url` may not be stored (None: it may).

    `local_enabled`: the deployment allows file:// and replay: sources at all;
    `may_set_local`: the writer may set one (a superuser, or the value is unchanged).
    """
    if not url or len(url) > MAX_URL_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return SourceUrlError.MALFORMED
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        return SourceUrlError.MALFORMED
    scheme = parts.scheme.lower()
    if scheme in LOCAL_SCHEMES:
        if not local_enabled:
            return SourceUrlError.LOCAL_DISABLED
        if not may_set_local:
            return SourceUrlError.LOCAL_NOT_ALLOWED
    elif scheme not in NETWORK_SCHEMES:
        return SourceUrlError.SCHEME
    elif not parts.hostname:
        return SourceUrlError.HOST_MISSING
    if has_credentials_in_url(url):
        return SourceUrlError.CREDENTIALS
    return None


def redact_source_url(url: str) -> str:
    """`url` with userinfo as `***@` and secret query values as `***` (for display and logs)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "***@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode(
                [(k, "***" if is_secret_query_name(k) else v) for k, v in pairs], safe="*/"
            )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        head = url.split("?", 1)[0]
        scheme, sep, rest = head.partition("://")
        return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}" if sep and "@" in rest else head
