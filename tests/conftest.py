"""Shared fixtures: role users and seeded reference data."""

import os
from pathlib import Path

import pytest

# Playwright runs an event loop in the test thread; ORM calls around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parent.parent

# Fixtures through which a test reaches the database (pytest-django refuses any other way in).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend-tests-only",
        action="store_true",
        help="Run only tests whose outcome can depend on the database or broker behind them "
        "(database users, integration, browser): the second stage of scripts/test.sh, after the "
        "whole suite already ran on SQLite, does not repeat the pure tests.",
    )


def uses_backend(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in ("django_db", "integration", "browser")):
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--backend-tests-only"):
        return
    kept = [item for item in items if uses_backend(item)]
    deselected = [item for item in items if not uses_backend(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


SHARED_DIR = Path(os.environ.get("KM_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the checkout (labelled photographs, sequences, reference data)."""
    assert SHARED_DIR.is_dir(), f"{SHARED_DIR} is missing: tests read real data from it"
    return SHARED_DIR


@pytest.fixture
def kendari(db):
    """Kota Kendari as `seed_kendari` loads it."""
    from places.seeding import DATA_DIR, seed_local_government, sync_national_holidays

    seed_local_government(DATA_DIR / "kota_kendari.json")
    sync_national_holidays([2026])
    from places.models import LocalGovernment

    return LocalGovernment.objects.get(code="74.71")


@pytest.fixture
def make_role_user(db):
    """Build a user with a role (a Django group) scoped to a government and kecamatan."""
    from django.contrib.auth.models import Group

    from places.models import StaffProfile
    from tests.factories import UserFactory

    def make(role: str | None, government=None, kecamatan=None, **fields):
        user = UserFactory(**fields)
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if government is not None:
            StaffProfile.objects.create(user=user, local_government=government, kecamatan=kecamatan)
        return user

    return make


@pytest.fixture
def role_users(kendari, make_role_user):
    """One user per role in Kota Kendari; the camat heads Kecamatan Mandonga."""
    from places.models import Kecamatan

    mandonga = Kecamatan.objects.get(code="74.71.01")
    return {
        "wali_kota": make_role_user("Wali Kota", kendari, username="walikota"),
        "diskominfo": make_role_user("Diskominfo", kendari, username="diskominfo"),
        "camat": make_role_user("Camat", kendari, mandonga, username="camat.mandonga"),
        "auditor": make_role_user("Auditor", kendari, username="auditor"),
        "no_role": make_role_user(None, username="warga"),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests make many users; PBKDF2's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test builds its own calendar rows; never reuse another test's cached office day."""
    from places.calendar import forget_cached_calendars

    forget_cached_calendars()
    yield
    forget_cached_calendars()


@pytest.fixture(autouse=True)
def indonesian_by_default():
    """LocaleMiddleware leaves the last request's language active in the thread: reset it."""
    from django.utils import translation

    translation.activate("id")
    yield
    translation.activate("id")


CHROMIUM = os.environ.get("KM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run (Playwright's sync API allows one loop).

    A missing browser fails the browser tests: `make test` installs it (scripts/system-deps.sh).
    """
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed: run scripts/system-deps.sh"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and login lockouts count in the cache: no test inherits another's counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """Evidence and stills go to a temporary folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
        },
    }
    return tmp_path / "evidence"


@pytest.fixture(autouse=True)
def local_camera_sources(settings):
    """The suite runs file:// and replay: cameras (as the demo does); production leaves them off
    (tests of that case set CAMERA_LOCAL_SOURCES = False)."""
    settings.CAMERA_LOCAL_SOURCES = True
