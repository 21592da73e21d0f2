"""The complaint form names the zone its visit time is read in: the offices' own, never a
hard-coded one."""

import pytest

from complaints import selectors
from complaints.forms import ComplaintForm
from places.models import LocalGovernment
from tests.factories import KecamatanFactory, LocalGovernmentFactory, OfficeFactory

pytestmark = pytest.mark.django_db


def test_the_form_names_the_zone_of_the_offices(kendari):
    assert selectors.form_zone_label() == "WITA"
    LocalGovernment.objects.filter(pk=kendari.pk).update(time_zone="Asia/Jayapura")
    assert selectors.form_zone_label() == "WIT"


def test_offices_in_several_zones_read_the_time_as_local_time(kendari):
    papua = LocalGovernmentFactory(code="91.71", name="Jayapura", time_zone="Asia/Jayapura")
    OfficeFactory(kecamatan=KecamatanFactory(local_government=papua, code="91.71.01"))
    assert selectors.form_zone_label() == "waktu setempat"


def test_the_field_label_and_the_page_carry_the_zone(client, kendari):
    form = ComplaintForm(now=None, zone="WIT")
    assert form.fields["visit_time"].label == "Jam kunjungan (WIT)"
    html = client.get("/pengaduan/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Jam (WITA)" in html
    assert "(WIT)" not in html
