"""Sending stored images: only through views that have checked who may see them."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def jpeg_response(image: FieldFile, cache_control: str) -> FileResponse:
    """The stored JPEG (404 when its file is gone) with the caller's caching policy."""
    if not image:
        raise Http404
    try:
        handle = image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
