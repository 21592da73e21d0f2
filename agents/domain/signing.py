"""Batch signatures: HMAC-SHA256 of the uncompressed batch body with the agent's own key."""

import hashlib
import hmac


def sign_batch(key: bytes, body: bytes) -> str:
    """The hex HMAC-SHA256 of `body` (the uncompressed JSON of a batch) under `key`."""
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_matches(key: bytes, body: bytes, signature: str) -> bool:
    """Constant-time comparison of a batch's signature with the one `key` gives."""
    return hmac.compare_digest(sign_batch(key, body), signature.strip().lower())
