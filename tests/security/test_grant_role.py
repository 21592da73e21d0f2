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
    assert client.get("/admin/places/office/").status_code == 200
    assert client.get("/admin/cameras/camera/add/").status_code == 200


def test_a_camat_without_kecamatan_is_refused(kendari):
    with pytest.raises(CommandError, match="kecamatan"):
        call_command("grant_role", "x", "Camat", "--create")


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/admin/places/office/", "/accounts/login/?next=%2Fadmin%2Fplaces%2Foffice%2F"),
        ("https://evil.example/", "/accounts/login/?next=%2Fadmin%2F"),
    ],
)
def test_admin_login_goes_through_the_throttled_login(client, asked, expected):
    response = client.get("/admin/login/", {"next": asked})
    assert response.status_code == 302
    assert response["Location"] == expected


def test_repeated_failed_logins_lock_the_account_out(client, kendari, settings):
    from django.contrib.auth.models import User

    User.objects.create_user("kominfo", password="right-password-123")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "kominfo", "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"username": "kominfo", "password": "right-password-123"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_old_admin_addresses_of_moved_models_redirect_to_places(client):
    response = client.get("/admin/compliance/office/12/change/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/admin/places/office/12/change/?x=1"
    assert client.get("/admin/compliance/dailyverdict/").status_code != 301
