import pytest
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_grant_role_makes_a_camat_of_one_kecamatan(kendari):
    call_command("grant_role", "camat.mandonga", "Camat", "--kecamatan", "74.71.01", "--create")
    from django.contrib.auth.models import User

    user = User.objects.get(username="camat.mandonga")
    assert user.staff_profile.kecamatan.code == "74.71.01"
    assert not user.is_staff
    client = Client()
    client.force_login(user)
    offices = client.get("/api/v1/offices/").json()["results"]
    assert {o["code"][:8] for o in offices} == {"74.71.01"}


def test_diskominfo_gets_the_admin(kendari):
    call_command("grant_role", "kominfo", "Diskominfo", "--create")
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.get(username="kominfo"))
    assert client.get("/admin/compliance/office/").status_code == 200
    assert client.get("/admin/cameras/camera/add/").status_code == 200


def test_a_camat_without_kecamatan_is_refused(kendari):
    with pytest.raises(CommandError, match="kecamatan"):
        call_command("grant_role", "x", "Camat", "--create")
