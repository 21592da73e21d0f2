"""Headless Debian Chromium driven by Playwright (no browser download), with console capture."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compliance.conftest import (
    DashboardData,
    build_dashboard_data,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def dashboard_data(kendari, evidence_storage) -> DashboardData:
    """Ninety days of history, so the trend chart in the screenshots is full."""
    return build_dashboard_data(history_days=90)


@pytest.fixture
def staff_user(kendari):
    """Diskominfo of Kota Kendari. Transactional tests flush the role groups that a data
    migration created, so the group is made again here when it is missing."""
    from django.contrib.auth.models import Group

    from compliance.models import StaffProfile
    from tests.factories import UserFactory

    user = UserFactory(username="diskominfo")
    user.groups.add(Group.objects.get_or_create(name="Diskominfo")[0])
    StaffProfile.objects.create(user=user, local_government=kendari)
    return user


class ConsoleLog:
    """Console errors and failed page errors seen by one page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page) -> None:
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport_name(request) -> str:
    return request.param


def open_page(chromium, viewport: dict, *, phone: bool = False, **context_options):
    """A new context (Indonesian, WITA) and page with its console captured as `console_log`.
    The caller closes `page.context`."""
    context = chromium.new_context(
        viewport=viewport,
        locale="id-ID",
        timezone_id="Asia/Makassar",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        **context_options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log = ConsoleLog()
    log.attach(page)
    page.console_log = log
    return page


@pytest.fixture
def browser_page(chromium, viewport_name):
    page = open_page(
        chromium,
        VIEWPORTS[viewport_name],
        phone=viewport_name == "phone",
        accept_downloads=True,
    )
    yield page
    page.context.close()


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server_url: str, username: str, screenshot: str = "") -> None:
    page.goto(f"{live_server_url}/accounts/login/?next=/")
    if screenshot:
        save_screenshot(page, screenshot)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server_url}/")
