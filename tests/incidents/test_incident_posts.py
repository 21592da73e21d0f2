"""Incident posts through the operators' pages: posting, editing, removing, expiry, roles, and
the camera picture a post carries to the public page.

The pages read the clock, so they run under `time_machine` (tick=False) at a fixed WITA morning;
expiry and scheduling are proved by moving that clock, never by running a job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from cameras.models import Camera, CameraStill
from incidents.models import Incident
from places.models import AuditLogEntry, Kecamatan, LocalGovernment, Office

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=WITA)
PUBLIC_PAGE = "/publik/74.71/"
DEMO_FRAMES = settings.BASE_DIR / "kelurahan_monitor" / "demo_frames" / "one_by_one_room"


def frame_url(number: int) -> str:
    return (DEMO_FRAMES / f"{number:04d}.jpg").as_uri()


def form_data(**overrides) -> dict:
    """A valid post as the staff form sends it (times in WITA, as a datetime-local input)."""
    data = {
        "kind": "banjir",
        "severity": "tinggi",
        "title": "Genangan setinggi lutut di Jl. Ahmad Yani",
        "place": "Jl. Ahmad Yani depan Pasar Mandonga",
        "description": "Kendaraan kecil diminta memutar lewat Jl. Saranani.",
        "latitude": "-3.966000",
        "longitude": "122.517000",
        "camera": "",
        "starts_at": "2026-11-24T08:30",
        "expires_at": "2026-11-24T14:00",
    }
    data.update(overrides)
    return data


def make_incident(government, user=None, **fields) -> Incident:
    values = {
        "kind": "macet",
        "severity": "sedang",
        "title": "Antrean panjang di simpang Bundaran Tugu",
        "place": "Bundaran Tugu Religi",
        "starts_at": NOW - timedelta(hours=1),
        "expires_at": NOW + timedelta(hours=2),
        "created_by": user,
    }
    values.update(fields)
    return Incident.objects.create(local_government=government, **values)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.fixture
def at_nine():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def diskominfo(role_users, at_nine) -> Client:
    return logged_in(role_users["diskominfo"])


@pytest.fixture
def konawe_camera(kendari) -> Camera:
    """A public-area camera of another government (Kabupaten Konawe)."""
    konawe = LocalGovernment.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    unaaha = Kecamatan.objects.create(local_government=konawe, code="74.02.02", name="Unaaha")
    return Camera.objects.create(
        local_government=konawe,
        kind="public_area",
        kecamatan=unaaha,
        name="Alun-alun Unaaha",
        source_url=frame_url(7),
        is_public=True,
    )


def capture_now(camera: Camera):
    """The still of the interval holding NOW, captured from the camera's demo frame."""
    from cameras.domain.wall import still_slot
    from cameras.stills import capture_still

    summary = capture_still(camera.pk, still_slot(NOW, 30), NOW)
    assert summary.status == "ok", summary
    return CameraStill.objects.get(pk=summary.still_id)


@pytest.fixture
def public_camera(kendari, evidence_storage) -> Camera:
    """A public-area camera in Mandonga with a captured public (fully blurred) still."""
    camera = Camera.objects.create(
        local_government=kendari,
        kind="public_area",
        kecamatan=Kecamatan.objects.get(code="74.71.01"),
        name="Simpang Tugu MTQ",
        location_name="Simpang Tugu MTQ",
        source_url=frame_url(20),
        is_public=True,
    )
    capture_now(camera)
    return camera


@pytest.fixture
def office_camera(kendari, evidence_storage) -> Camera:
    """An office camera of Kelurahan 74.71.01.1005 with a captured (staff-only) still."""
    camera = Camera.for_office(
        Office.objects.get(code="74.71.01.1005"),
        name="Ruang pelayanan",
        source_url=frame_url(25),
    )
    camera.save()
    capture_now(camera)
    return camera


# --- Posting, editing, removing ----------------------------------------------------------------


def test_diskominfo_post_is_stored_audited_and_published(role_users, diskominfo, kendari):
    assert 'name="title"' in page_text(diskominfo, "/kejadian/")  # the posting form is offered

    response = diskominfo.post("/kejadian/", form_data(), REMOTE_ADDR="10.20.30.40")

    assert response.status_code == 302
    assert response["Location"] == "/kejadian/"
    incident = Incident.objects.get()
    assert incident.local_government == kendari
    assert incident.created_by == role_users["diskominfo"]
    assert incident.starts_at == datetime(2026, 11, 24, 8, 30, tzinfo=WITA)
    assert incident.removed_at is None
    entry = AuditLogEntry.objects.get(action="incident.create")
    assert entry.user == role_users["diskominfo"]
    assert entry.target == f"incident {incident.pk} 74.71: {incident.title}"
    assert entry.ip_address == "10.20.30.40"

    public = page_text(Client(), PUBLIC_PAGE)
    assert f'id="kejadian-{incident.pk}"' in public
    assert "Genangan setinggi lutut di Jl. Ahmad Yani" in public
    assert "Jl. Ahmad Yani depan Pasar Mandonga" in public


def test_edit_audit_names_exactly_the_changed_fields(role_users, diskominfo, kendari):
    diskominfo.post("/kejadian/", form_data())
    incident = Incident.objects.get()

    response = diskominfo.post(
        f"/kejadian/{incident.pk}/ubah/",
        form_data(title="Genangan surut, lajur kiri bisa dilewati", severity="rendah"),
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Genangan surut, lajur kiri bisa dilewati"
    assert incident.severity == "rendah"
    update = AuditLogEntry.objects.get(action="incident.update")
    assert update.target == f"incident {incident.pk} 74.71: title,severity"
    assert update.user == role_users["diskominfo"]
    public = page_text(Client(), PUBLIC_PAGE)
    assert "Genangan surut, lajur kiri bisa dilewati" in public
    assert "Genangan setinggi lutut" not in public


def test_removed_post_leaves_every_public_channel_but_the_row_stays(
    role_users, diskominfo, kendari
):
    diskominfo.post("/kejadian/", form_data())
    incident = Incident.objects.get()
    anonymous = Client()
    api = f"/api/v1/public/incidents/?pemda={kendari.code}"
    assert incident.title in page_text(anonymous, PUBLIC_PAGE)
    assert [post["id"] for post in anonymous.get(api).json()] == [incident.pk]

    response = diskominfo.post(f"/kejadian/{incident.pk}/hapus/")
    again = diskominfo.post(f"/kejadian/{incident.pk}/hapus/")

    assert response.status_code == again.status_code == 302
    incident.refresh_from_db()
    assert incident.removed_at == NOW
    removals = AuditLogEntry.objects.filter(action="incident.remove")
    assert [entry.target for entry in removals] == [
        f"incident {incident.pk} 74.71: {incident.title}"
    ]
    assert incident.title not in page_text(anonymous, PUBLIC_PAGE)
    assert incident.title not in page_text(anonymous, "/publik/74.71/kejadian.atom")
    assert anonymous.get(api).json() == []
    # Staff still see it, marked as removed, and can no longer edit it.
    staff_list = page_text(diskominfo, "/kejadian/")
    assert incident.title in staff_list
    assert "Dihapus" in staff_list
    assert diskominfo.get(f"/kejadian/{incident.pk}/ubah/").status_code == 404


def test_expired_post_drops_off_the_public_page_without_any_job(kendari):
    incident = make_incident(kendari, expires_at=NOW + timedelta(minutes=30))
    anonymous = Client()

    with time_machine.travel(NOW + timedelta(minutes=29), tick=False):
        assert f'id="kejadian-{incident.pk}"' in page_text(anonymous, PUBLIC_PAGE)
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        body = page_text(anonymous, PUBLIC_PAGE)
        assert f'id="kejadian-{incident.pk}"' not in body
        assert incident.title not in body
        assert "Tidak ada kejadian yang sedang diumumkan." in body
    incident.refresh_from_db()
    assert incident.removed_at is None  # nothing wrote to the row: the filter alone hid it


def test_scheduled_post_appears_only_once_it_starts(role_users, diskominfo, kendari):
    response = diskominfo.post(
        "/kejadian/",
        form_data(
            kind="lainnya",
            title="Penutupan jalan untuk karnaval HUT Kota",
            starts_at="2026-11-24T15:00",
            expires_at="2026-11-24T20:00",
        ),
    )
    assert response.status_code == 302
    incident = Incident.objects.get()

    body = page_text(Client(), PUBLIC_PAGE)
    assert incident.title not in body
    assert "Terjadwal" in page_text(diskominfo, "/kejadian/")
    with time_machine.travel(datetime(2026, 11, 24, 15, 0, tzinfo=WITA), tick=False):
        assert incident.title in page_text(Client(), PUBLIC_PAGE)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"expires_at": "2026-11-24T08:00"}, "expires_at"),
        ({"expires_at": "2026-11-24T08:30"}, "expires_at"),
        ({"expires_at": "2026-12-08T08:31"}, "expires_at"),
        ({"longitude": ""}, "longitude"),
        ({"latitude": "200"}, "latitude"),
        ({"longitude": "-181"}, "longitude"),
        ({"title": ""}, "title"),
        ({"kind": "gempa"}, "kind"),
        ({"starts_at": "besok pagi"}, "starts_at"),
    ],
    ids=[
        "expires-before-start",
        "expires-at-start",
        "longer-than-14-days",
        "latitude-only",
        "latitude-200",
        "longitude-minus-181",
        "missing-title",
        "unknown-kind",
        "start-not-a-time",
    ],
)
def test_junk_post_is_refused_with_400_and_nothing_stored(diskominfo, overrides, field):
    response = diskominfo.post("/kejadian/", form_data(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Incident.objects.exists()
    assert not AuditLogEntry.objects.filter(action__startswith="incident.").exists()


def test_fourteen_days_exactly_is_accepted(diskominfo):
    response = diskominfo.post("/kejadian/", form_data(expires_at="2026-12-08T08:30"))
    assert response.status_code == 302
    assert Incident.objects.count() == 1


def test_camera_of_another_government_is_refused(diskominfo, konawe_camera):
    response = diskominfo.post("/kejadian/", form_data(camera=str(konawe_camera.pk)))

    assert response.status_code == 400
    assert "camera" in response.context["form"].errors
    assert not Incident.objects.exists()
    assert "Alun-alun Unaaha" not in response.content.decode()


def test_editing_with_junk_keeps_the_stored_post(diskominfo, kendari):
    incident = make_incident(kendari)
    response = diskominfo.post(
        f"/kejadian/{incident.pk}/ubah/",
        form_data(title="Diubah", starts_at="2026-11-24T10:00", expires_at="2026-11-24T09:00"),
    )
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.title == "Antrean panjang di simpang Bundaran Tugu"
    assert not AuditLogEntry.objects.filter(action="incident.update").exists()


# --- Roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["camat", "wali_kota", "auditor"])
def test_other_staff_read_the_list_but_cannot_post_edit_or_remove(
    role_users, kendari, role, at_nine
):
    incident = make_incident(kendari, role_users["diskominfo"])
    client = logged_in(role_users[role])

    listing = client.get("/kejadian/")
    assert listing.status_code == 200
    assert incident.title in listing.content.decode()
    assert 'name="title"' not in listing.content.decode()  # no posting form
    assert f"/kejadian/{incident.pk}/ubah/" not in listing.content.decode()

    assert client.post("/kejadian/", form_data()).status_code == 403
    assert client.get(f"/kejadian/{incident.pk}/ubah/").status_code == 404
    edit = client.post(f"/kejadian/{incident.pk}/ubah/", form_data(title="Dibajak"))
    assert edit.status_code == 404
    assert client.post(f"/kejadian/{incident.pk}/hapus/").status_code == 404

    incident.refresh_from_db()
    assert incident.title == "Antrean panjang di simpang Bundaran Tugu"
    assert incident.removed_at is None
    assert Incident.objects.count() == 1
    assert not AuditLogEntry.objects.filter(action__startswith="incident.").exists()


def test_user_without_a_role_gets_404(role_users, kendari):
    incident = make_incident(kendari)
    client = logged_in(role_users["no_role"])
    assert client.get("/kejadian/").status_code == 404
    assert client.post("/kejadian/", form_data()).status_code == 404
    assert client.post(f"/kejadian/{incident.pk}/hapus/").status_code == 404
    assert not Incident.objects.filter(removed_at__isnull=False).exists()


def test_anonymous_is_sent_to_log_in(kendari):
    incident = make_incident(kendari)
    client = Client()
    for method, path in [
        ("get", "/kejadian/"),
        ("post", "/kejadian/"),
        ("get", f"/kejadian/{incident.pk}/ubah/"),
        ("post", f"/kejadian/{incident.pk}/hapus/"),
    ]:
        response = getattr(client, method)(path, form_data() if method == "post" else None)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path
    assert Incident.objects.count() == 1
    assert Incident.objects.get().removed_at is None


# --- The camera picture ------------------------------------------------------------------------


def test_post_copies_the_public_cameras_public_still(diskominfo, public_camera):
    still = public_camera.stills.get()
    assert still.public_image
    assert still.image

    response = diskominfo.post("/kejadian/", form_data(camera=str(public_camera.pk)))

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.camera == public_camera
    assert incident.still
    with incident.still.open("rb") as copy, still.public_image.open("rb") as source:
        copied, public = copy.read(), source.read()
    with still.image.open("rb") as staff:
        assert copied != staff.read()  # never the staff (faces-only) picture
    assert copied == public
    # The copy survives the camera's still being purged.
    still.public_image.delete(save=False)
    still.delete()
    anonymous = Client()
    picture = anonymous.get(f"/publik/74.71/kejadian/{incident.pk}.jpg")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/jpeg"
    assert b"".join(picture.streaming_content) == public
    assert f"/publik/74.71/kejadian/{incident.pk}.jpg" in page_text(anonymous, PUBLIC_PAGE)


def test_office_camera_never_gives_a_post_a_picture(diskominfo, office_camera):
    assert office_camera.stills.get().image  # the staff picture exists

    response = diskominfo.post("/kejadian/", form_data(camera=str(office_camera.pk)))

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.camera == office_camera
    assert not incident.still
    assert f"/kejadian/{incident.pk}.jpg" not in page_text(Client(), PUBLIC_PAGE)
    assert Client().get(f"/publik/74.71/kejadian/{incident.pk}.jpg").status_code == 404


@pytest.mark.usefixtures("evidence_storage")
def test_public_camera_without_a_public_still_attaches_nothing(diskominfo, kendari):
    # Captured while the camera was not yet public: only the staff picture exists.
    camera = Camera.objects.create(
        local_government=kendari,
        kind="public_area",
        kecamatan=Kecamatan.objects.get(code="74.71.02"),
        name="Pelabuhan Kendari",
        source_url=frame_url(30),
        is_public=False,
    )
    still = capture_now(camera)
    assert still.image
    assert not still.public_image
    Camera.objects.filter(pk=camera.pk).update(is_public=True)

    diskominfo.post("/kejadian/", form_data(camera=str(camera.pk)))

    incident = Incident.objects.get()
    assert incident.camera_id == camera.pk
    assert not incident.still


def test_linking_a_public_camera_on_edit_attaches_its_still_and_is_audited(
    diskominfo, public_camera
):
    diskominfo.post("/kejadian/", form_data())
    incident = Incident.objects.get()
    assert not incident.still

    response = diskominfo.post(
        f"/kejadian/{incident.pk}/ubah/", form_data(camera=str(public_camera.pk))
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    with (
        incident.still.open("rb") as copy,
        public_camera.stills.get().public_image.open("rb") as source,
    ):
        assert copy.read() == source.read()
    update = AuditLogEntry.objects.get(action="incident.update")
    assert update.target.endswith(": camera")


def test_picture_is_served_only_while_the_post_is_public(diskominfo, public_camera):
    diskominfo.post("/kejadian/", form_data(camera=str(public_camera.pk)))
    incident = Incident.objects.get()
    picture = f"/publik/74.71/kejadian/{incident.pk}.jpg"
    assert Client().get(picture).status_code == 200
    assert Client().get(f"/publik/74.02/kejadian/{incident.pk}.jpg").status_code == 404

    with time_machine.travel(incident.expires_at, tick=False):
        assert Client().get(picture).status_code == 404
    diskominfo.post(f"/kejadian/{incident.pk}/hapus/")
    assert Client().get(picture).status_code == 404
    assert incident.still.storage.exists(incident.still.name)  # kept with the row for audit


def test_switching_to_an_office_camera_drops_the_picture(diskominfo, public_camera, office_camera):
    diskominfo.post("/kejadian/", form_data(camera=str(public_camera.pk)))
    incident = Incident.objects.get()
    old_name = incident.still.name
    assert incident.still.storage.exists(old_name)

    response = diskominfo.post(
        f"/kejadian/{incident.pk}/ubah/", form_data(camera=str(office_camera.pk))
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.camera == office_camera
    assert not incident.still
    assert not incident.still.storage.exists(old_name)
    assert Client().get(f"/publik/74.71/kejadian/{incident.pk}.jpg").status_code == 404


def test_fixing_a_typo_keeps_the_picture_when_the_camera_was_disabled(diskominfo, public_camera):
    diskominfo.post("/kejadian/", form_data(camera=str(public_camera.pk)))
    incident = Incident.objects.get()
    picture_name = incident.still.name
    Camera.objects.filter(pk=public_camera.pk).update(enabled=False)  # e.g. under repair

    edit_page = page_text(diskominfo, f"/kejadian/{incident.pk}/ubah/")
    offered = f'<option value="{public_camera.pk}"' in edit_page
    # What a browser sends back: the selected option's value, or "" when none is selected.
    response = diskominfo.post(
        f"/kejadian/{incident.pk}/ubah/",
        form_data(
            title="Genangan setinggi lutut di Jl. Ahmad Yani (diperbarui)",
            camera=str(public_camera.pk) if offered else "",
        ),
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.camera_id == public_camera.pk
    assert incident.still.name == picture_name
    assert incident.still.storage.exists(picture_name)
    assert AuditLogEntry.objects.get(action="incident.update").target.endswith(": title")


def test_new_post_form_offers_start_and_end_in_the_datetime_local_format(diskominfo):
    html = page_text(diskominfo, "/kejadian/")
    assert 'name="starts_at" value="2026-11-24T09:00"' in html
    assert 'name="expires_at" value="2026-11-24T12:00"' in html


def test_refused_post_lists_and_links_each_error_above_its_field(diskominfo):
    html = diskominfo.post("/kejadian/", form_data(title="", latitude="200")).content.decode()
    summary = html[
        html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))
    ]
    assert 'href="#id_title"' in summary
    assert 'href="#id_latitude"' in summary
    # The message sits above its input, and the input, marked invalid, points at it.
    message = html.index('id="id_title_error"')
    start = html.index("<input", html.index('for="id_title"'))
    tag = html[start : html.index(">", start)]
    assert message < start
    assert 'aria-invalid="true"' in tag
    assert 'aria-describedby="id_title_error"' in tag
