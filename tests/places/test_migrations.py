"""Upgrading a deployment moves the tenancy and calendar tables to places and loses nothing.

A database is built at the schema from before the move (every model still in compliance), filled
with one row of each moved model and rows of every app pointing at them, and migrated to the
latest schema. Every row is found again by its id, every foreign key still resolves, new rows get
fresh ids, and the role groups keep their permissions (same content type, now labelled places).
Runs on PostgreSQL in CI (the SQLite run proves the same on the zero-server default).
"""

from datetime import date, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


# The last migration of each app before places existed.
BEFORE = [
    ("compliance", "0006_tick_cursor_and_alert_outbox"),
    ("cameras", "0009_merge_facts_only_and_check_kind_words"),
    ("complaints", "0001_initial"),
    ("incidents", "0001_initial"),
    ("reports", "0003_assign_reports_of_a_single_government"),
]


def _migrate(targets, state=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(state or targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


def _fill_old_schema(apps) -> dict[str, int]:
    """One row of each model that moves, and rows of the other apps that point at them."""
    old = {name: apps.get_model("compliance", name) for name in _MOVED}
    user = apps.get_model("auth", "User").objects.create(username="diskominfo-lama")
    government = old["LocalGovernment"].objects.create(
        code="74.71", name="Kendari", kind="kota", time_zone="Asia/Makassar"
    )
    kecamatan = old["Kecamatan"].objects.create(
        local_government=government, code="74.71.01", name="Mandonga"
    )
    office = old["Office"].objects.create(code="74.71.01.1001", name="Alolama", kecamatan=kecamatan)
    hours = old["OpeningHours"].objects.create(
        local_government=government, weekday=0, opens_at=time(8), closes_at=time(16)
    )
    period = old["SpecialPeriod"].objects.create(
        local_government=government,
        kind="ramadan_hours",
        name="Ramadan",
        date_from=date(2026, 2, 18),
        date_to=date(2026, 3, 19),
    )
    period_hours = old["SpecialPeriodHours"].objects.create(
        period=period, weekday=0, opens_at=time(8), closes_at=time(15)
    )
    holiday = old["Holiday"].objects.create(
        date=date(2026, 8, 17), name="Hari Kemerdekaan", kind="national"
    )
    excuse = old["Excuse"].objects.create(
        office=office,
        date_from=date(2026, 11, 2),
        date_to=date(2026, 11, 3),
        reason="Renovasi",
        created_by=user,
    )
    profile = old["StaffProfile"].objects.create(
        user=user, local_government=government, kecamatan=kecamatan
    )
    entry = old["AuditLogEntry"].objects.create(user=user, action="evidence", target="obs 1")
    camera = apps.get_model("cameras", "Camera").objects.create(
        name="Pintu depan",
        source_url="http://127.0.0.1:9/snap.jpg",
        office=office,
        kecamatan=kecamatan,
        local_government=government,
    )
    verdict = apps.get_model("compliance", "DailyVerdict").objects.create(
        office=office, date=date(2026, 11, 2), status="on_time"
    )
    complaint = apps.get_model("complaints", "Complaint").objects.create(
        office=office,
        tracking_code="ABCDEFGHJK",
        visited_at="2026-11-02T00:30:00Z",
        kind="closed",
        description="Kantor tutup",
        received_on=date(2026, 11, 2),
        forward_due=date(2026, 11, 5),
        answer_due=date(2026, 11, 20),
    )
    incident = apps.get_model("incidents", "Incident").objects.create(
        local_government=government,
        kind="flood",
        title="Banjir",
        place="Jl. Ahmad Yani",
        starts_at="2026-11-02T00:00:00Z",
        expires_at="2026-11-02T06:00:00Z",
        created_by=user,
    )
    report = apps.get_model("reports", "Report").objects.create(
        kind="morning",
        date=date(2026, 11, 2),
        file_path="harian/x.xlsx",
        local_government=government,
    )
    return {
        "LocalGovernment": government.pk,
        "Kecamatan": kecamatan.pk,
        "Office": office.pk,
        "OpeningHours": hours.pk,
        "SpecialPeriod": period.pk,
        "SpecialPeriodHours": period_hours.pk,
        "Holiday": holiday.pk,
        "Excuse": excuse.pk,
        "StaffProfile": profile.pk,
        "AuditLogEntry": entry.pk,
        "camera": camera.pk,
        "verdict": verdict.pk,
        "complaint": complaint.pk,
        "incident": incident.pk,
        "report": report.pk,
        "user": user.pk,
    }


_MOVED = [
    "LocalGovernment",
    "Kecamatan",
    "Office",
    "OpeningHours",
    "SpecialPeriod",
    "SpecialPeriodHours",
    "Holiday",
    "Excuse",
    "StaffProfile",
    "AuditLogEntry",
]


@pytest.fixture
def old_schema():
    """The database at the schema from before places existed; back to the latest afterwards."""
    apps = _migrate([("places", None)], state=BEFORE)
    yield apps
    _migrate(_latest())


def test_every_row_and_reference_survives_the_move(old_schema):
    ids = _fill_old_schema(old_schema)
    apps = _migrate(_latest())
    new = {name: apps.get_model("places", name) for name in _MOVED}
    for name in _MOVED:
        assert new[name].objects.filter(pk=ids[name]).exists(), name
        assert new[name]._meta.db_table == f"places_{name.lower()}"

    office = new["Office"].objects.get(pk=ids["Office"])
    assert office.kecamatan_id == ids["Kecamatan"]
    assert office.kecamatan.local_government_id == ids["LocalGovernment"]
    assert new["Excuse"].objects.get(pk=ids["Excuse"]).office_id == ids["Office"]
    assert (
        new["SpecialPeriodHours"].objects.get(pk=ids["SpecialPeriodHours"]).period_id
        == (ids["SpecialPeriod"])
    )
    assert new["StaffProfile"].objects.get(pk=ids["StaffProfile"]).user_id == ids["user"]
    assert new["AuditLogEntry"].objects.get(pk=ids["AuditLogEntry"]).target == "obs 1"

    camera = apps.get_model("cameras", "Camera").objects.get(pk=ids["camera"])
    assert (camera.office_id, camera.kecamatan_id, camera.local_government_id) == (
        ids["Office"],
        ids["Kecamatan"],
        ids["LocalGovernment"],
    )
    verdict = apps.get_model("compliance", "DailyVerdict").objects.get(pk=ids["verdict"])
    assert verdict.office.code == "74.71.01.1001"
    complaint = apps.get_model("complaints", "Complaint").objects.get(pk=ids["complaint"])
    assert complaint.office.name == "Alolama"
    incident = apps.get_model("incidents", "Incident").objects.get(pk=ids["incident"])
    assert incident.local_government.code == "74.71"
    report = apps.get_model("reports", "Report").objects.get(pk=ids["report"])
    assert report.local_government.code == "74.71"

    # The identity of each renamed table still hands out fresh ids.
    added = new["Office"].objects.create(
        code="74.71.01.1002", name="Anggilowu", kecamatan=office.kecamatan
    )
    assert added.pk > ids["Office"]


def test_role_groups_keep_their_permissions_on_the_moved_models(old_schema):
    content_type = old_schema.get_model("contenttypes", "ContentType")
    permission = old_schema.get_model("auth", "Permission")
    group = old_schema.get_model("auth", "Group")
    office_type, _ = content_type.objects.get_or_create(app_label="compliance", model="office")
    change_office, _ = permission.objects.get_or_create(
        content_type=office_type, codename="change_office", defaults={"name": "Can change office"}
    )
    diskominfo, _ = group.objects.get_or_create(name="Diskominfo")
    diskominfo.permissions.add(change_office)

    apps = _migrate(_latest())
    moved_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=office_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("places", "office")
    granted = apps.get_model("auth", "Group").objects.get(name="Diskominfo").permissions
    assert granted.filter(
        pk=change_office.pk, codename="change_office", content_type__app_label="places"
    ).exists()
    assert (
        not apps.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="compliance", model="office")
        .exists()
    )


@pytest.fixture
def before_audit_governments():
    # Cameras goes back to before its own later columns too: the rows this test writes must fit
    # the tables as they were (a NOT NULL column added later has no default in the database).
    apps = _migrate([("places", "0002_tables_named_places"), ("cameras", "0010_places_moved")])
    yield apps
    _migrate(_latest())


def test_existing_audit_entries_get_the_government_they_are_about(before_audit_governments):
    apps = before_audit_governments
    government = apps.get_model("places", "LocalGovernment")
    kendari = government.objects.create(code="74.71", name="Kendari", kind="kota")
    konawe = government.objects.create(code="74.02", name="Konawe", kind="kabupaten")
    kecamatan = apps.get_model("places", "Kecamatan").objects.create(
        local_government=konawe, code="74.02.02", name="Unaaha"
    )
    camera = apps.get_model("cameras", "Camera").objects.create(
        name="Alun-alun",
        kind="public_area",
        source_url="http://127.0.0.1:9/x.jpg",
        local_government=konawe,
        kecamatan=kecamatan,
    )
    user_model = apps.get_model("auth", "User")
    kendari_staff = user_model.objects.create(username="kominfo.kendari")
    root = user_model.objects.create(username="root")
    apps.get_model("places", "StaffProfile").objects.create(
        user=kendari_staff, local_government=kendari
    )
    entry = apps.get_model("places", "AuditLogEntry").objects
    by_staff = entry.create(user=kendari_staff, action="export", target="/laporan/x.csv")
    on_camera = entry.create(user=root, action="wall.camera", target=f"camera {camera.pk}")
    on_incident = entry.create(user=root, action="incident.create", target="incident 4 74.02: x")
    unknown = entry.create(user=root, action="export", target="/laporan/y.csv")

    apps = _migrate(_latest())
    moved = apps.get_model("places", "AuditLogEntry").objects
    assert moved.get(pk=by_staff.pk).local_government_id == kendari.pk
    assert moved.get(pk=on_camera.pk).local_government_id == konawe.pk
    assert moved.get(pk=on_incident.pk).local_government_id == konawe.pk
    assert moved.get(pk=unknown.pk).local_government_id is None
