"""The vocabulary's words as Django shows them: lazily translated into the active language."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from places.vocabulary import CAMERA_HEALTH_TERMS, VERDICT_TERMS, CameraHealth, VerdictStatus


def verdict_word(status: VerdictStatus) -> Promise:
    """The verdict status's word (Indonesian, or the catalogue's English)."""
    return gettext_lazy(VERDICT_TERMS[status].id)


def health_word(health: CameraHealth) -> Promise:
    """The camera health state's word (Indonesian, or the catalogue's English)."""
    return gettext_lazy(CAMERA_HEALTH_TERMS[health].id)
