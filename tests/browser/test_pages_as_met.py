"""Issue 15 in headless Chromium at 390x844 and 1440x900: every page as its user meets it.

Each test looks at its pages the way a user would: no console error, no sideways scroll (also at
360 px on a phone), no broken image, no serious or critical axe-core violation.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in, page_problems, save_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_anonymous_visitor_lands_on_the_public_page_and_finds_every_way_in(
    live_server, met_page, met_viewport, axe_source, dashboard_data
):
    page = met_page
    page.goto(live_server.url + "/")
    page.wait_for_selector("#ways-in")
    save_screenshot(page, f"landing-{met_viewport}")
    assert page_problems(page, axe_source) == []
    ways = {
        "Buat pengaduan": reverse("complaints:new"),
        "Lacak pengaduan": reverse("complaints:track"),
        "Kinerja kantor": reverse("complaints:transparency"),
        "Masuk petugas": reverse("login"),
    }
    for text, path in ways.items():
        page.goto(live_server.url + "/")
        page.locator("main").get_by_role("link", name=text, exact=True).first.click()
        page.wait_for_load_state()
        assert page.url == live_server.url + path, text
        assert page.locator("h1").count() >= 1, text


def test_staff_menu_shows_every_item_with_complaints_waiting(
    live_server, met_page, met_viewport, axe_source, dashboard_data, staff_user
):
    page = met_page
    log_in(page, live_server.url, staff_user.username)
    page.wait_for_selector(".counters")
    nav = page.locator(".mainnav")
    items = nav.locator("a")
    assert items.count() == 8
    assert "Pengaduan" in nav.inner_text()
    # Every item is visible inside the viewport: nothing hides in a sideways-scrolling strip.
    width = page.viewport_size["width"]
    for index in range(items.count()):
        box = items.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width, items.nth(index).inner_text()
    save_screenshot(page, f"board-menu-{met_viewport}")
    assert page_problems(page, axe_source) == []
    nav.get_by_role("link", name="Pengaduan").click()
    page.wait_for_url(live_server.url + reverse("complaints:staff_list"))
