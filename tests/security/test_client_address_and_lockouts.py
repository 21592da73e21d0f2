"""Behind the README's reverse proxy, lockouts and limits key on the real client, and nobody
locks a colleague out of their account by typing wrong passwords under their name."""

from ipaddress import ip_network

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kelurahan_monitor.roles import forwarded_client
from places.models import AuditLogEntry

PROXY = "10.9.0.2"
TRUSTED = [ip_network("10.9.0.0/24"), ip_network("::1/128")]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", "", "203.0.113.7"),
        # Not a proxy of ours: whatever it claims is ignored.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        (PROXY, "198.51.100.1", "198.51.100.1"),
        # The client wrote the left part itself; our proxy appended the real address.
        (PROXY, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two of our proxies in a row.
        (PROXY, "198.51.100.1, 10.9.0.3", "198.51.100.1"),
        (PROXY, "garbage", PROXY),
        (PROXY, "198.51.100.1\x00", PROXY),
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("not an address", "", None),
    ],
)
def test_forwarded_client(remote, forwarded, expected):
    assert forwarded_client(remote, forwarded, TRUSTED) == expected


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.9.0.0/24"]


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def login(client: Client, username: str, password: str, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


@pytest.fixture
def staff(db):
    return User.objects.create_user("kominfo", password="right-password-123")


@pytest.mark.django_db
def test_the_audit_log_records_the_forwarded_client(behind_proxy, role_users):
    client = Client()
    client.force_login(role_users["diskominfo"])
    client.get("/laporan/harian/2026-11-24.csv", **via_proxy("198.51.100.9"))
    client.get(
        "/laporan/harian/2026-11-24.csv",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    addresses = set(AuditLogEntry.objects.values_list("ip_address", flat=True))
    assert addresses == {"198.51.100.9", "203.0.113.7"}


@pytest.mark.django_db
def test_made_up_user_names_behind_the_proxy_lock_nobody_else_out(behind_proxy, staff, settings):
    attacker = Client()
    for attempt in range(settings.LOGIN_FAILURE_LIMIT + 2):
        login(attacker, f"nobody{attempt}", "x", **via_proxy("198.51.100.66"))
    ok = login(Client(), "kominfo", "right-password-123", **via_proxy("198.51.100.10"))
    assert ok.status_code == 302


@pytest.mark.django_db
def test_guessing_someone_elses_password_locks_only_the_guesser(behind_proxy, staff, settings):
    attacker = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert login(attacker, "kominfo", "guess", **via_proxy("198.51.100.66")).status_code == 200
    # The attacker's address is locked out of the account, even with the right password.
    locked = login(attacker, "kominfo", "right-password-123", **via_proxy("198.51.100.66"))
    assert locked.status_code == 429
    owner = Client()
    response = login(owner, "kominfo", "right-password-123", **via_proxy("198.51.100.10"))
    assert response.status_code == 302
    assert "_auth_user_id" in owner.session


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_reset_the_count(staff, settings):
    # No proxy configured: X-Forwarded-For is the client's own words.
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        login(
            Client(),
            "kominfo",
            "guess",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )
    locked = login(
        Client(),
        "kominfo",
        "right-password-123",
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
def test_a_distributed_guess_slows_the_account_but_not_its_owners_browser(staff, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    owner = Client()
    assert (
        login(owner, "kominfo", "right-password-123", REMOTE_ADDR="198.51.100.10").status_code
        == 302
    )
    # (Client.logout() would drop every cookie; a browser keeps its other cookies.)
    owner.cookies.pop("sessionid")
    for attempt in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        login(Client(), "kominfo", "guess", REMOTE_ADDR=f"203.0.113.{attempt}")
    # A browser that never logged in to this account waits, whatever its address...
    stranger = login(Client(), "kominfo", "right-password-123", REMOTE_ADDR="198.51.100.77")
    assert stranger.status_code == 429
    # ...the owner's browser, which knows the account, does not.
    again = login(owner, "kominfo", "right-password-123", REMOTE_ADDR="198.51.100.11")
    assert again.status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_stopped(staff, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for attempt in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        login(Client(), f"user{attempt}", "guess", REMOTE_ADDR="203.0.113.7")
    locked = login(Client(), "kominfo", "right-password-123", REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429
    elsewhere = login(Client(), "kominfo", "right-password-123", REMOTE_ADDR="203.0.113.8")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_api_throttle_ignores_a_spoofed_forwarded_for(monkeypatch, kendari):
    from kelurahan_monitor.api.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    statuses = [
        Client()
        .get(
            "/api/v1/public/cameras/?pemda=74.71",
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
