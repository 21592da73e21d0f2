"""Camera credentials encrypted at rest (Fernet), and a value type that never prints itself.

The key comes from CAMERA_CREDENTIALS_KEY (comma-separated Fernet keys, newest first, so keys can
be rotated). Without it, a key is derived from SECRET_KEY so a zero-config install still encrypts.
"""

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute


class Secret:
    """A credential in memory. Renders as '***' in templates, logs, repr and serializers."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The plain value, for the one place that needs it: opening the camera connection."""
        return self._value

    # Django templates refuse to call methods marked so: `{{ camera.password.reveal }}` is empty.
    reveal.alters_data = True  # type: ignore[attr-defined]

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return "***" if self._value else ""

    __repr__ = __str__


def _fernet() -> MultiFernet:
    keys = list(settings.CAMERA_CREDENTIALS_KEYS)
    if not keys:
        digest = hashlib.sha256(b"kelurahan-monitor-credentials:" + settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(digest.digest()).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CAMERA_CREDENTIALS_KEY must hold Fernet keys (32 url-safe base64 bytes)."
        ) from exc


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt_secret(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token: it is harmless, but the message should point at the key.
        raise ImproperlyConfigured(
            "A camera credential cannot be decrypted with CAMERA_CREDENTIALS_KEY."
        ) from exc


class _SecretAttribute(DeferredAttribute):
    """Wraps every assigned value, so even an unsaved instance holds a `Secret`."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = (
            value if isinstance(value, Secret) else Secret(value or "")
        )


class EncryptedSecretField(models.TextField):
    """Stores a Fernet token; Python side is always a `Secret`."""

    descriptor_class = _SecretAttribute

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret:
        return Secret(decrypt_secret(value or ""))

    def to_python(self, value: Any) -> Secret:
        if isinstance(value, Secret):
            return value
        return Secret(value or "")

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, Secret):
            value = value.reveal()
        return encrypt_secret(value or "")

    def value_to_string(self, obj: models.Model) -> str:
        # dumpdata and serializers get the ciphertext, never the plain value.
        return self.get_prep_value(self.value_from_object(obj))
