"""The one check of a camera's source address, shared by the API, the admin form and the model.

The rule itself is pure (cameras.domain.source_url); this module adds the deployment setting
(CAMERA_LOCAL_SOURCES), who is writing, and the words shown to them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cameras.domain.source_url import SourceUrlError, redact_source_url, source_url_error
from kelurahan_monitor import roles

MESSAGES = {
    SourceUrlError.MALFORMED: _("Alamat sumber tidak valid."),
    SourceUrlError.SCHEME: _("Alamat sumber harus rtsp://, http:// atau https://."),
    SourceUrlError.HOST_MISSING: _("Alamat sumber harus menyebut host kamera."),
    SourceUrlError.LOCAL_DISABLED: _(
        "Sumber file:// dan replay: tidak diaktifkan di instalasi ini (CAMERA_LOCAL_SOURCES)."
    ),
    SourceUrlError.LOCAL_NOT_ALLOWED: _(
        "Sumber file:// dan replay: hanya diatur oleh pengelola sistem."
    ),
    SourceUrlError.CREDENTIALS: _(
        "Jangan menulis nama pengguna, sandi atau token di alamat (juga tidak sebagai parameter "
        "seperti ?user= atau &pwd=); isi kolom kredensial (nama pengguna dan kata sandi)."
    ),
}


def check_source_url(url: str, *, writer: roles.User | None = None, stored: str = "") -> None:
    """Raise ValidationError (code: the SourceUrlError) if `url` may not be stored.

    `writer` is the user submitting it (None: the system, e.g. a seed command or model
    validation); `stored` the camera's current address, which may be kept as it is.
    """
    may_set_local = writer is None or roles.can_write_shared_rows(writer) or url == stored
    error = source_url_error(
        url, local_enabled=settings.CAMERA_LOCAL_SOURCES, may_set_local=may_set_local
    )
    if error is not None:
        raise ValidationError(MESSAGES[error], code=error.value)


def shown_source_url(url: str) -> str:
    """The stored address as every page, form and API response shows it."""
    return redact_source_url(url)
