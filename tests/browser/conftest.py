"""Headless Debian Chromium driven by Playwright (no browser download), with console capture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from tests.compliance.conftest import (
    DashboardData,
    build_dashboard_data,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def dashboard_data(kendari, evidence_storage) -> Iterator[DashboardData]:
    """Ninety days of history, so the trend chart in the screenshots is full.

    The clock (web server thread included) stands at 10:30 local time of today while the test
    runs: the data is a morning of checks, which at 02:00 would still lie in the future."""
    zone = ZoneInfo(settings.TIME_ZONE)
    morning = datetime.combine(timezone.localdate(), time(10, 30), tzinfo=zone)
    with time_machine.travel(morning, tick=True):
        yield build_dashboard_data(history_days=90)


@pytest.fixture
def staff_user(kendari):
    """Diskominfo of Kota Kendari. Transactional tests flush the role groups that a data
    migration created, so the group is made again here when it is missing."""
    from django.contrib.auth.models import Group

    from places.models import StaffProfile
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


# --- A page as its user meets it: the checks every page of issue 15 passes ----------------------

AXE_JS = (
    Path(__file__).resolve().parents[2]
    / "var"
    / "node"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
MET_VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
HORIZONTAL_OVERFLOW = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)
BROKEN_IMAGES = """() => [...document.images]
    .filter((image) => image.complete && image.naturalWidth === 0 && image.currentSrc)
    .map((image) => image.currentSrc)"""
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations
        .filter((violation) => ["serious", "critical"].includes(violation.impact))
        .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} `
            + violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(" | "));
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry, installed into var/node by scripts/system-deps.sh."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run scripts/system-deps.sh"
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(params=sorted(MET_VIEWPORTS))
def met_viewport(request) -> str:
    return request.param


@pytest.fixture
def met_page(chromium, met_viewport):
    """A page at 390x844 (a phone) or 1440x900, Indonesian, WITA, console captured."""
    page = open_page(
        chromium, MET_VIEWPORTS[met_viewport], phone=met_viewport == "phone", accept_downloads=True
    )
    yield page
    page.context.close()


def page_problems(page, axe_source: str, *, status: int = 200, narrowest: int = 360) -> list[str]:
    """What a user would meet as broken on the current page: console errors, sideways scroll
    (also at `narrowest` px on a phone), images that did not load, and serious or critical
    axe-core violations. Empty when the page is fine. `status` is the page's own expected
    status (404, 400): Chromium logs that one as a failed resource, which is no problem."""
    page.wait_for_load_state("networkidle")
    own_status = (
        f"console: Failed to load resource: the server responded with a status of {status} "
    )
    problems = [
        error
        for error in page.console_log.errors
        if not (status != 200 and error.startswith(own_status))
    ]
    if overflow := page.evaluate(HORIZONTAL_OVERFLOW):
        problems.append(f"scrolls sideways by {overflow} px")
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width < 700 and narrowest < width:
        page.set_viewport_size({"width": narrowest, "height": 740})
        if overflow := page.evaluate(HORIZONTAL_OVERFLOW):
            problems.append(f"scrolls sideways by {overflow} px at {narrowest} px")
        page.set_viewport_size({"width": width, "height": 844})
    problems += [f"broken image {src}" for src in page.evaluate(BROKEN_IMAGES)]
    # Evaluated through the debugger protocol, so the page's CSP does not block it.
    page.evaluate(f"() => {{ {axe_source}\n}}")
    problems += page.evaluate(AXE_RUN)
    return problems
