"""Photo cleaning: real images only, re-encoded without metadata."""

import cv2
import numpy as np
import pytest

from complaints.photos import MAX_PHOTO_BYTES, PhotoRejected, clean_photo
from tests.complaints.conftest import image_bytes


def test_jpeg_is_reencoded_without_exif_or_gps(jpeg_with_gps):
    assert b"SecretPhoneMaker" in jpeg_with_gps
    cleaned = clean_photo(jpeg_with_gps)
    assert cleaned.startswith(b"\xff\xd8\xff")
    assert b"Exif" not in cleaned
    assert b"SecretPhoneMaker" not in cleaned
    import io

    from PIL import Image

    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.size == (64, 48)


def test_png_becomes_jpeg(png_bytes):
    cleaned = clean_photo(png_bytes)
    assert cleaned.startswith(b"\xff\xd8\xff")
    assert cv2.imdecode(np.frombuffer(cleaned, np.uint8), cv2.IMREAD_COLOR).shape == (48, 64, 3)


def test_large_photo_is_downscaled():
    cleaned = clean_photo(image_bytes("PNG", size=(3200, 1000)))
    decoded = cv2.imdecode(np.frombuffer(cleaned, np.uint8), cv2.IMREAD_COLOR)
    assert max(decoded.shape[:2]) == 1600


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "undecodable", id="png-script"),
        pytest.param(b"<?php system($_GET['c']); ?>", "format", id="php"),
        pytest.param(b"GIF89a" + b"\x00" * 100, "format", id="gif"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 200, "undecodable", id="truncated-jpeg"),
        pytest.param(b"", "format", id="empty"),
        pytest.param(b"\xff\xd8\xff" + b"A" * MAX_PHOTO_BYTES, "too_large", id="oversized"),
    ],
)
def test_fake_images_are_rejected(data, code):
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(data)
    assert rejected.value.code == code


def test_png_header_claiming_huge_dimensions_is_refused_before_decoding():
    import struct
    import zlib

    header = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    with pytest.raises(PhotoRejected) as rejected:
        clean_photo(header + chunk)
    assert rejected.value.code == "dimensions"
