"""Where a camera may stand: the one rule the admin form and the API both apply."""

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class PlacementError(StrEnum):
    OFFICE_MISSING = "office_missing"
    OFFICE_CAMERA_PUBLIC = "office_camera_public"
    PUBLIC_AREA_WITH_OFFICE = "public_area_with_office"
    GOVERNMENT_MISSING = "government_missing"
    KECAMATAN_ELSEWHERE = "kecamatan_elsewhere"


@dataclass(frozen=True)
class Placement:
    """The facts of a camera as submitted (ids, not rows)."""

    is_office_camera: bool
    office_id: int | None
    is_public: bool
    government_id: int | None  # for an office camera: the office's government
    kecamatan_government_id: int | None  # the chosen kecamatan's government, if any


def placement_errors(placement: Placement) -> dict[str, PlacementError]:
    """Field → error, in the order a person would fix them (empty: the camera may stand).

    An office camera watches an office and is never public; a public-area camera watches a
    place of one government, not an office.
    """
    errors: dict[str, PlacementError] = {}
    if placement.is_office_camera:
        if placement.office_id is None:
            errors["office"] = PlacementError.OFFICE_MISSING
        if placement.is_public:
            errors["is_public"] = PlacementError.OFFICE_CAMERA_PUBLIC
    else:
        if placement.office_id is not None:
            errors["office"] = PlacementError.PUBLIC_AREA_WITH_OFFICE
        if placement.government_id is None:
            errors["local_government"] = PlacementError.GOVERNMENT_MISSING
        elif placement.kecamatan_government_id not in (None, placement.government_id):
            errors["kecamatan"] = PlacementError.KECAMATAN_ELSEWHERE
    return errors


def has_credentials_in_url(url: str) -> bool:
    """Credentials belong in the encrypted fields, never in the stored address."""
    parts = urlsplit(url)
    return bool(parts.username or parts.password)
