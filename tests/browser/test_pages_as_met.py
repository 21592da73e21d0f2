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


def test_citizen_pages_and_the_status_email_as_met(
    live_server, met_page, met_viewport, axe_source, kendari, staff_user, settings
):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.core import mail
    from django.utils import timezone

    from complaints import services
    from places.models import Office

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = Office.objects.get(code="74.71.01.1005")
    day = timezone.localdate() - timedelta(days=1)
    complaint = services.submit_complaint(
        services.ComplaintInput(
            office=office,
            visited_at=datetime.combine(day, time(8, 30), tzinfo=ZoneInfo("Asia/Makassar")),
            kind="closed",
            description="Pintu masih terkunci pukul 08.30.",
            photo_jpeg=None,
            phone="",
            email="warga@example.id",
            source="web",
            ip="10.0.0.1",
        ),
        timezone.now(),
    )
    page = met_page
    for name, path in {
        "form": reverse("complaints:new"),
        "track": reverse("complaints:track"),
        "status": reverse("complaints:status", args=[complaint.tracking_code]),
        "transparency": reverse("complaints:transparency"),
    }.items():
        page.goto(live_server.url + path)
        page.wait_for_selector("main h1")
        save_screenshot(page, f"met-citizen-{name}-{met_viewport}")
        assert page_problems(page, axe_source) == [], name
    assert page.locator("#camera-finding").count() == 0  # only on the status page
    page.goto(live_server.url + reverse("complaints:status", args=[complaint.tracking_code]))
    # No camera in this fixture: the check says so, in words.
    assert "tidak dapat dicek dengan kamera" in page.inner_text("#camera-finding")

    mail.outbox.clear()
    log_in(page, live_server.url, staff_user.username)
    page.goto(live_server.url + reverse("complaints:staff_detail", args=[complaint.tracking_code]))
    page.fill("#id_answer", "Lurah sudah ditegur.")
    page.click("button[value=answer]")
    page.wait_for_selector("#staff-status")
    assert page.inner_text("#staff-status") == "Dijawab"
    save_screenshot(page, f"met-staff-complaint-{met_viewport}")
    assert page_problems(page, axe_source) == []
    sent = [message for message in mail.outbox if message.to == ["warga@example.id"]]
    assert len(sent) == 1
    assert "Dijawab" in sent[0].subject


def staff_pages(data) -> dict[str, str]:
    today = data.today.isoformat()
    return {
        "board": reverse("compliance:board"),
        "day": reverse("compliance:day", kwargs={"day": today}),
        "week": reverse("compliance:week", kwargs={"day": today}),
        "month": reverse("compliance:month", kwargs={"month": f"{data.today:%Y-%m}"}),
        "rankings": reverse("compliance:rankings"),
        "office": reverse("compliance:office", kwargs={"code": data.featured.code}),
        "reports": reverse("reports:report_list"),
        "wall": reverse("cameras:wall"),
        "incidents": reverse("incidents:list"),
        "complaints": reverse("complaints:staff_list"),
        "not-found": "/tidak-ada-halaman-ini/",
    }


def test_every_staff_page_is_finished(
    live_server, met_page, met_viewport, axe_source, dashboard_data, staff_user
):
    page = met_page
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    log_in(page, live_server.url, staff_user.username)
    problems = {}
    for name, path in staff_pages(dashboard_data).items():
        page.goto(live_server.url + path)
        page.wait_for_selector("main h1")
        save_screenshot(page, f"met-{name}-{met_viewport}")
        status = 404 if name == "not-found" else 200
        if found := page_problems(page, axe_source, status=status):
            problems[name] = found
        page.console_log.errors.clear()
    assert problems == {}
    # The incident form's datetime-local defaults are in a format the browser accepts.
    page.goto(live_server.url + reverse("incidents:list"))
    assert page.input_value("#id_starts_at") != ""
    assert page.input_value("#id_expires_at") != ""
    assert warnings == []


def test_refused_incident_post_shows_a_linked_error_summary(
    live_server, met_page, met_viewport, axe_source, dashboard_data, staff_user
):
    page = met_page
    log_in(page, live_server.url, staff_user.username)
    page.goto(live_server.url + reverse("incidents:list"))
    page.fill("#id_title", "")
    page.click("form.stack-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    save_screenshot(page, f"met-incident-errors-{met_viewport}")
    assert page_problems(page, axe_source, status=400) == []
    link = page.locator("[data-error-summary] a[href='#id_title']")
    assert link.count() == 1
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "id_title"
    assert page.locator(".field-has-error #id_title").count() == 1
