"""Every role against every page and endpoint: who gets in, who is sent to log in, who is refused.

One table is the policy: roles are decided server-side, the same for pages, exports and the API.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "wali_kota", "diskominfo", "camat", "auditor"]
OK, LOGIN, DENY = 200, "login", "deny"

# path -> expected outcome per role, in ROLES order.
STAFF_PAGE = (LOGIN, DENY, OK, OK, OK, OK)
ROOT = (OK, DENY, OK, OK, OK, OK)  # anonymous visitors get the public landing page
EXPORT = (LOGIN, DENY, OK, OK, DENY, OK)
PUBLIC = (OK, OK, OK, OK, OK, OK)
API_READ = (DENY, DENY, OK, OK, OK, OK)
API_CAMERAS = (DENY, DENY, DENY, OK, DENY, DENY)
API_AUDIT = (DENY, DENY, DENY, OK, DENY, OK)
API_EXPORT = (DENY, DENY, OK, OK, DENY, OK)

MATRIX = {
    "/": ROOT,
    "/hari/2026-11-24/": STAFF_PAGE,
    "/minggu/2026-11-23/": STAFF_PAGE,
    "/bulan/2026-11/": STAFF_PAGE,
    "/peringkat/": STAFF_PAGE,
    "/kantor/74.71.01.1005/": STAFF_PAGE,
    "/pengaduan/staf/": STAFF_PAGE,
    "/pusat-komando/": STAFF_PAGE,
    "/pusat-komando/petak/": STAFF_PAGE,
    "/kejadian/": STAFF_PAGE,
    "/laporan/": EXPORT,
    "/laporan/harian/2026-11-24.xlsx": EXPORT,
    "/laporan/harian/2026-11-24.csv": EXPORT,
    "/laporan/bulanan/2026-11.xlsx": EXPORT,
    "/laporan/bulanan/2026-11.csv": EXPORT,
    "/pengaduan/": PUBLIC,
    "/pengaduan/transparansi/": PUBLIC,
    "/pengaduan/lacak/": PUBLIC,
    "/open311/v2/services.json": PUBLIC,
    "/publik/74.71/": PUBLIC,
    "/publik/74.71/peta/": PUBLIC,
    "/publik/74.71/kamera.json": PUBLIC,
    "/publik/74.71/kejadian.atom": PUBLIC,
    "/publik/74.71/manifest.webmanifest": PUBLIC,
    "/api/v1/public/incidents/?pemda=74.71": PUBLIC,
    "/api/v1/public/cameras/?pemda=74.71": PUBLIC,
    "/open311/v2/requests.json": PUBLIC,
    "/api/v1/schema/": PUBLIC,
    "/api/v1/docs/": PUBLIC,
    "/api/v1/offices/": API_READ,
    "/api/v1/kecamatan/": API_READ,
    "/api/v1/opening-hours/": API_READ,
    "/api/v1/holidays/": API_READ,
    "/api/v1/excuses/": API_READ,
    "/api/v1/verdicts/": API_READ,
    "/api/v1/observations/": API_READ,
    "/api/v1/cameras/": API_CAMERAS,
    "/api/v1/audit-log/": API_AUDIT,
    "/api/v1/complaints/": API_READ,
    "/api/v1/reports/": API_EXPORT,
    "/api/v1/incidents/": API_READ,
}


def client_as(role: str, role_users) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(role_users[role])
    return client


def outcome(response) -> object:
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if response.status_code in (401, 403, 404):
        return DENY
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_page_and_endpoint_follows_the_role_policy(role, role_users):
    client = client_as(role, role_users)
    wrong = {}
    for path, expected in MATRIX.items():
        got = outcome(client.get(path))
        want = expected[ROLES.index(role)]
        if got != want:
            wrong[path] = (want, got)
    assert not wrong, f"{role}: expected vs got {wrong}"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("no_role", False),
        ("wali_kota", False),
        ("diskominfo", True),
        ("camat", False),
        ("auditor", False),
    ],
)
def test_only_diskominfo_writes_reference_data(role, allowed, role_users):
    from places.models import Office

    office = Office.objects.get(code="74.71.01.1005")
    response = client_as(role, role_users).post(
        "/api/v1/excuses/",
        {
            "office": office.pk,
            "date_from": "2026-11-24",
            "date_to": "2026-11-24",
            "reason": "Rapat",
        },
        content_type="application/json",
    )
    assert (response.status_code == 201) is allowed, response.content[:300]
    assert office.excuses.exists() is allowed


def test_a_camat_sees_only_their_kecamatan_on_the_office_page(role_users):
    from places.models import Office

    camat = client_as("camat", role_users)
    own = Office.objects.get(code="74.71.01.1005")
    other = Office.objects.exclude(kecamatan=own.kecamatan).first()
    assert camat.get(f"/kantor/{own.code}/").status_code == 200
    assert camat.get(f"/kantor/{other.code}/").status_code == 404
