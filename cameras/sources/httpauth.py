"""HTTP/RTSP authentication headers (Basic and Digest, RFC 7616 / 2617), shared by both protocols.

Implemented here rather than through requests' HTTPDigestAuth because that one re-sends the request
from a response hook with the original timeout, which would let the second round trip of a
digest handshake run past the capture deadline.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass

_PARAM = re.compile(
    r"\s*(?P<key>[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*"
    r"(?:=\s*(?P<value>\"(?:[^\"\\]|\\.)*\"|[^,\s]*))?\s*,?"
)


@dataclass(frozen=True)
class Challenge:
    """One scheme offered in a WWW-Authenticate header, with lower-cased parameter names."""

    scheme: str
    params: dict[str, str]


def parse_challenges(headers: list[str]) -> list[Challenge]:
    """Parse every WWW-Authenticate header value (several schemes may share one value)."""
    challenges: list[Challenge] = []
    for header in headers:
        scheme = ""
        params: dict[str, str] = {}
        pos = 0
        while pos < len(header):
            match = _PARAM.match(header, pos)
            if not match or match.end() == pos:
                break
            pos = match.end()
            key, value = match.group("key"), match.group("value")
            if value is None:
                if scheme:
                    challenges.append(Challenge(scheme, params))
                scheme, params = key.lower(), {}
                continue
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params[key.lower()] = value
        if scheme:
            challenges.append(Challenge(scheme, params))
    return challenges


def pick_challenge(challenges: list[Challenge]) -> Challenge | None:
    """Prefer Digest (the password never crosses the wire) over Basic; ignore other schemes."""
    for wanted in ("digest", "basic"):
        for challenge in challenges:
            if challenge.scheme == wanted:
                return challenge
    return None


def basic_authorization(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def digest_authorization(
    challenge: Challenge,
    method: str,
    uri: str,
    username: str,
    password: str,
    nonce_count: int = 1,
    cnonce: str | None = None,
) -> str:
    """Build a Digest Authorization value for `method uri`; raises ValueError if unsupported."""
    params = challenge.params
    algorithm = params.get("algorithm", "MD5").upper()
    sess = algorithm.endswith("-SESS")
    base_alg = algorithm.removesuffix("-SESS")
    hash_factory = _HASHES.get(base_alg)
    if hash_factory is None:
        raise ValueError(f"unsupported digest algorithm {algorithm}")

    def h(text: str) -> str:
        # MD5 is what the protocol (and every CCTV camera) mandates, not a security choice.
        return hash_factory(text.encode(), usedforsecurity=False).hexdigest()

    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    cnonce = cnonce or os.urandom(8).hex()
    ha1 = h(f"{username}:{realm}:{password}")
    if sess:
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip().lower() for q in params.get("qop", "").split(",") if q.strip()]
    nc = f"{nonce_count:08x}"
    if "auth" in qops:
        response = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    elif not qops:
        response = h(f"{ha1}:{nonce}:{ha2}")
    else:
        raise ValueError(f"unsupported digest qop {params.get('qop')}")

    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    fields = [
        f"username={q(username)}",
        f"realm={q(realm)}",
        f"nonce={q(nonce)}",
        f"uri={q(uri)}",
        f"response={q(response)}",
    ]
    if "algorithm" in params:
        fields.append(f"algorithm={params['algorithm']}")
    if "opaque" in params:
        fields.append(f"opaque={q(params['opaque'])}")
    if "auth" in qops:
        fields += ["qop=auth", f"nc={nc}", f"cnonce={q(cnonce)}"]
    return "Digest " + ", ".join(fields)


def authorization_for(
    challenge: Challenge,
    method: str,
    uri: str,
    username: str,
    password: str,
    nonce_count: int = 1,
) -> str:
    """The Authorization header value answering `challenge` (`nonce_count` counts nonce uses)."""
    if challenge.scheme == "basic":
        return basic_authorization(username, password)
    return digest_authorization(challenge, method, uri, username, password, nonce_count)
