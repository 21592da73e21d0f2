"""Shared fixtures: role users and seeded reference data."""

import os
from pathlib import Path

import pytest

# Playwright runs an event loop in the test thread; ORM calls around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("KM_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout (labelled photographs, sequences, reference data)."""
    assert SHARED_DIR.is_dir(), f"{SHARED_DIR} is missing: tests read real data from it"
    return SHARED_DIR


@pytest.fixture
def kendari(db):
    """Kota Kendari as `seed_kendari` loads it."""
    from compliance.seeding import DATA_DIR, seed_local_government, sync_national_holidays

    seed_local_government(DATA_DIR / "kota_kendari.json")
    sync_national_holidays([2026])
    from compliance.models import LocalGovernment

    return LocalGovernment.objects.get(code="74.71")
