"""Screens that never contradict themselves (issue 15, item 2)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cameras.models import Evidence

pytestmark = pytest.mark.django_db


def test_a_day_not_judged_never_says_all_good(staff_client, dashboard_data):
    unjudged = dashboard_data.today - timedelta(days=60)
    html = staff_client.get(
        reverse("compliance:day", kwargs={"day": unjudged.isoformat()})
    ).content.decode()
    assert "Semua kantor yang dijadwalkan sudah buka" not in html
    assert "Semua kamera mengirim gambar" not in html
    assert "Belum ada kantor yang dinilai untuk hari ini." in html
    assert "Belum ada pemeriksaan kamera pada hari ini." in html


def test_not_opened_list_uses_the_tiles_word(staff_client, dashboard_data):
    response = staff_client.get(reverse("compliance:board"))
    board = response.context["board"]
    assert board.not_opened, "the fixture has offices not opened today"
    html = response.content.decode()
    section = html[html.index('id="closed-title"') : html.index('id="cams-title"')]
    assert "Belum buka" not in section
    assert section.count("Tidak buka") >= len(board.not_opened) + 1


def test_board_explains_why_cameras_down_and_no_data_differ(staff_client, dashboard_data):
    response = staff_client.get(reverse("compliance:board"))
    board = response.context["board"]
    html = response.content.decode()
    assert 'id="cameras-explained"' in html
    assert f"“Tidak ada data” ({board.no_data} kantor)" in html
    assert board.cameras_total == len(dashboard_data.offices)


def test_a_check_without_a_picture_is_not_blamed_on_retention(staff_client, dashboard_data):
    office = dashboard_data.featured
    Evidence.objects.filter(observation__camera__office=office).delete()
    html = staff_client.get(
        reverse("compliance:office", kwargs={"code": office.code})
    ).content.decode()
    assert "masa simpan" not in html
    assert "Gambar pemeriksaan ini tidak disimpan sebagai bukti." in html
    assert 'id="opened-explained"' in html
