"""Where a camera may stand: the rule shared by the admin form and the API."""

import pytest

from cameras.domain.placement import (
    Placement,
    PlacementError,
    has_credentials_in_url,
    placement_errors,
)


def placement(**fields) -> Placement:
    values = {
        "is_office_camera": True,
        "office_id": 7,
        "is_public": False,
        "government_id": 1,
        "kecamatan_government_id": 1,
    }
    return Placement(**{**values, **fields})


def test_an_office_camera_in_its_office_may_stand():
    assert placement_errors(placement()) == {}


def test_an_office_camera_needs_its_office_and_is_never_public():
    errors = placement_errors(placement(office_id=None, is_public=True))
    assert errors == {
        "office": PlacementError.OFFICE_MISSING,
        "is_public": PlacementError.OFFICE_CAMERA_PUBLIC,
    }


def test_a_public_area_camera_has_a_government_and_no_office():
    assert placement_errors(placement(is_office_camera=False, office_id=None, is_public=True)) == {}
    errors = placement_errors(placement(is_office_camera=False, government_id=None))
    assert list(errors) == ["office", "local_government"]


def test_a_public_area_camera_stays_in_its_governments_kecamatan():
    elsewhere = placement(is_office_camera=False, office_id=None, kecamatan_government_id=2)
    assert placement_errors(elsewhere) == {"kecamatan": PlacementError.KECAMATAN_ELSEWHERE}
    anywhere = placement(is_office_camera=False, office_id=None, kecamatan_government_id=None)
    assert placement_errors(anywhere) == {}


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("rtsp://admin:secret@10.0.0.5/stream", True),
        ("http://admin@10.0.0.5/snapshot.jpg", True),
        ("http://10.0.0.5/ISAPI/Streaming/channels/101/picture", False),
        ("replay:/var/frames", False),
    ],
)
def test_credentials_never_travel_in_the_address(url, inside):
    assert has_credentials_in_url(url) is inside
