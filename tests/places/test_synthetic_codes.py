"""Benchmark data must fit the real columns (PostgreSQL enforces their lengths)."""

import pytest

from places.models import Kecamatan
from places.seeding import synthetic_kecamatan_code


def test_synthetic_kecamatan_codes_are_unique_and_fit_the_column():
    codes = [synthetic_kecamatan_code("99.98", n) for n in range(36 * 36)]
    assert len(set(codes)) == len(codes)
    limit = Kecamatan._meta.get_field("code").max_length
    assert max(len(code) for code in codes) <= limit
    assert codes[:3] == ["99.98.00", "99.98.01", "99.98.02"]


def test_too_many_synthetic_kecamatan_is_an_error():
    with pytest.raises(ValueError, match="1296"):
        synthetic_kecamatan_code("99.98", 36 * 36)
