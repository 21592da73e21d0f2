"""The dashboard in real headless Chromium: log in, board, office page, a download."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.browser.conftest import VIEWPORTS, log_in, save_screenshot

# serialized_rollback: the flush after each test must not lose the role groups that a data
# migration created; later (non-transactional) test modules rely on them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_board_and_office_page_render_without_console_errors(
    live_server, browser_page, viewport_name, dashboard_data, staff_user
):
    page = browser_page
    log_in(page, live_server.url, staff_user.username, screenshot=f"login-{viewport_name}")

    page.wait_for_selector(".counters")
    assert page.locator(".counter").count() == 5
    assert page.locator(".tile").count() == len(dashboard_data.offices)
    assert page.locator(".list-late .rows li").count() >= 1
    assert page.locator(".list-cameras .rows li").count() == 3
    assert page.locator("#board-body[hx-trigger='every 60s']").count() == 1
    # htmx is vendored and loaded: the refresh element has been processed by it.
    assert page.evaluate("() => typeof window.htmx === 'object'")
    if viewport_name == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    save_screenshot(page, f"board-{viewport_name}")
    if viewport_name == "phone":
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        page.set_viewport_size(VIEWPORTS["phone"])

    page.click(f"text={dashboard_data.featured.name}")
    page.wait_for_selector(".verdict-banner")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.thumbs img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator(".thumbs img").count() == 2
    assert page.locator(".chart-wide rect").count() == 30
    if viewport_name == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    save_screenshot(page, f"office-{viewport_name}")

    for name, path in (
        ("rankings", reverse("compliance:rankings")),
        ("week", reverse("compliance:week", kwargs={"day": dashboard_data.today.isoformat()})),
        ("month", reverse("compliance:month", kwargs={"month": f"{dashboard_data.today:%Y-%m}"})),
    ):
        page.goto(live_server.url + path)
        page.wait_for_selector("main h1")
        save_screenshot(page, f"{name}-{viewport_name}")

    page.goto(live_server.url + "/en/")
    page.wait_for_selector(".counters")
    assert page.locator("html[lang=en]").count() == 1
    assert "On time" in page.locator(".counters").inner_text()
    save_screenshot(page, f"board-en-{viewport_name}")

    assert page.console_log.errors == []


def test_refresh_swaps_the_board_body_in_place(
    live_server, browser_page, dashboard_data, staff_user
):
    page = browser_page
    log_in(page, live_server.url, staff_user.username)
    page.wait_for_selector("#board-body")
    page.evaluate("() => document.querySelector('.counter-num').textContent = 'stale'")
    with page.expect_response(lambda response: "/papan/bagian/" in response.url) as info:
        page.evaluate(
            "() => htmx.ajax('GET', document.querySelector('#board-body').getAttribute('hx-get'),"
            " {target: '#board-body', swap: 'outerHTML'})"
        )
    assert info.value.status == 200
    page.wait_for_function("() => document.querySelector('.counter-num').textContent !== 'stale'")
    assert page.locator("#board-body").count() == 1
    assert page.locator("#board-body[hx-trigger='every 60s']").count() == 1
    assert page.console_log.errors == []


@pytest.mark.parametrize("viewport_name", ["laptop"])
def test_daily_download_from_the_board(live_server, browser_page, dashboard_data, staff_user):
    path = f"/laporan/harian/{dashboard_data.today.isoformat()}.csv"
    try:
        resolve(path)
    except Resolver404:
        pytest.skip(f"the reports app does not serve {path} yet")
    page = browser_page
    log_in(page, live_server.url, staff_user.username)
    link = page.locator(".subnav a[href$='.csv']")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200, response.text()[:500]
    with page.expect_download() as download_info:
        page.click(".subnav a[href$='.csv']")
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    assert page.console_log.errors == []
