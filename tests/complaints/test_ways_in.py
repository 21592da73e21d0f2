"""Ways in: the public landing at the site root, and the staff menu's complaints item."""

from __future__ import annotations

from django.urls import reverse

from cameras.models import Camera, CameraKind
from complaints.models import ComplaintStatus
from tests.complaints.test_staff import make


def test_anonymous_root_is_a_landing_with_every_way_in(client, office):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "complaints:new",
        "complaints:track",
        "complaints:transparency",
        "login",
    ):
        assert f'href="{reverse(name)}"' in html, name
    assert "Minggu ini" in html
    assert "Tepat waktu" in html


def test_landing_links_public_cameras_of_each_government_that_has_them(client, office):
    government = office.kecamatan.local_government
    Camera.objects.create(
        local_government=government,
        kind=CameraKind.PUBLIC_AREA,
        kecamatan=office.kecamatan,
        name="Tugu",
        source_url="file:///x",
        is_public=True,
    )
    html = client.get("/").content.decode()
    assert f'href="{reverse("public:government", args=[government.code])}"' in html


def test_root_is_still_the_board_for_staff(client, office, make_role_user, kendari):
    client.force_login(make_role_user("Diskominfo", kendari, username="dk.root"))
    response = client.get("/")
    assert response.status_code == 200
    assert "compliance/board.html" in [t.name for t in response.templates]


def test_staff_menu_counts_complaints_waiting(client, office, make_role_user, kendari):
    make(office, phone="081200000001")
    make(office, phone="081200000002")
    done = make(office, phone="081200000003")
    done.status = ComplaintStatus.CLOSED
    done.save(update_fields=["status"])
    client.force_login(make_role_user("Diskominfo", kendari, username="dk.menu"))
    html = client.get(reverse("incidents:list")).content.decode()
    link = f'<a href="{reverse("complaints:staff_list")}"'
    assert link in html
    item = html[html.index(link) :].split("</a>", 1)[0]
    assert "Pengaduan" in item
    assert ">2<" in item


def test_office_page_links_each_complaint(client, office, make_role_user, kendari):
    complaint = make(office)
    client.force_login(make_role_user("Diskominfo", kendari, username="dk.office"))
    html = client.get(reverse("compliance:office", args=[office.code])).content.decode()
    assert reverse("complaints:staff_detail", args=[complaint.tracking_code]) in html


def test_staff_list_links_each_office(client, office, make_role_user, kendari):
    make(office)
    client.force_login(make_role_user("Diskominfo", kendari, username="dk.list"))
    html = client.get(reverse("complaints:staff_list")).content.decode()
    assert f'href="{reverse("compliance:office", kwargs={"code": office.code})}"' in html
