"""The product's one webhook style: a JSON body signed with HMAC-SHA256 in a header, posted to
a gateway (WhatsApp, SMS, Telegram) that recomputes the signature. Alerts, the morning summary
and complaint status changes all go out this way."""

import hashlib
import hmac
import json
from typing import Any

import requests

SIGNATURE_HEADER = "X-Kelurahan-Monitor-Signature"
TIMEOUT = (5, 10)  # connect, read (seconds)


def sign_payload(body: bytes, secret: str) -> str:
    """HMAC-SHA256 of the raw body, as the receiving gateway recomputes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_signed_json(url: str, secret: str, payload: dict[str, Any]) -> None:
    """POST `payload` as signed JSON; raises requests.RequestException when it is not taken."""
    body = json.dumps(payload).encode()
    response = requests.post(
        url,
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign_payload(body, secret)},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
