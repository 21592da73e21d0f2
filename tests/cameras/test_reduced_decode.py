"""Large JPEG frames are decoded at a reduced scale, never below what the pipeline needs."""

import cv2
import numpy as np
import pytest

from cameras.sources.base import NotAnImage
from cameras.sources.frames import decode_image, jpeg_size


def _jpeg(width: int, height: int, *params: int) -> bytes:
    rng = np.random.default_rng(width * height)
    image = cv2.resize(
        rng.integers(0, 255, (9, 16, 3), dtype=np.uint8), (width, height), cv2.INTER_LINEAR
    )
    ok, data = cv2.imencode(".jpg", image, list(params))
    assert ok
    return data.tobytes()


@pytest.mark.parametrize("progressive", [0, 1])
def test_jpeg_size_reads_the_frame_header(progressive):
    data = _jpeg(1280, 720, cv2.IMWRITE_JPEG_PROGRESSIVE, progressive)
    assert jpeg_size(data) == (1280, 720)


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xd8", b"\xff\xd8\xff\xe0\x00", b"\x89PNG\r\n\x1a\n", b"\xff\xd8garbage" * 10],
)
def test_jpeg_size_of_anything_else_is_none(data):
    assert jpeg_size(data) is None


@pytest.mark.parametrize(
    ("size", "decoded"),
    [
        ((1280, 720), (640, 360)),  # 1/2
        ((1920, 1080), (960, 540)),  # 1/4 would be 480 wide: too small
        ((2560, 1440), (640, 360)),  # 1/4
        ((5120, 2880), (640, 360)),  # 1/8
        ((1000, 600), (1000, 600)),  # 1/2 would be 500: full size
        ((480, 270), (480, 270)),
    ],
)
def test_large_jpegs_decode_at_the_smallest_scale_that_keeps_640(size, decoded):
    frame = decode_image(_jpeg(*size), "test", min_long_side=640)
    assert (frame.shape[1], frame.shape[0]) == decoded


def test_without_a_minimum_or_for_png_the_frame_is_full_size():
    assert decode_image(_jpeg(1280, 720), "test").shape[:2] == (720, 1280)
    _ok, png = cv2.imencode(".png", np.zeros((720, 1280, 3), np.uint8))
    assert decode_image(png.tobytes(), "test", min_long_side=640).shape[:2] == (720, 1280)


def test_the_reduced_frame_is_the_same_picture_as_a_full_decode_resized():
    data = _jpeg(1280, 720)
    reduced = decode_image(data, "test", min_long_side=640).astype(np.int16)
    full = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    resized = cv2.resize(full, (640, 360), interpolation=cv2.INTER_AREA).astype(np.int16)
    assert float(np.abs(reduced - resized).mean()) < 3.0


def test_a_truncated_jpeg_is_still_refused():
    data = _jpeg(1280, 720)
    with pytest.raises(NotAnImage, match="truncated"):
        decode_image(data[: len(data) // 2], "test", min_long_side=640)
