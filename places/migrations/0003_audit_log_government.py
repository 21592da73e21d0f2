"""Each audit entry records its government; existing entries get theirs where it can be derived.

The government is the one of the data the entry is about: the incident's (its code is in the
target), the camera's, the observation's camera's (evidence), the complaint's office's, the
report's; failing that, the acting user's own. What stays empty is read only by superusers.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

_INCIDENT = re.compile(r"^incident \d+ (?P<code>[\d.]+)")
_CAMERA = re.compile(r"^camera (?P<id>\d+)$")
_EVIDENCE = re.compile(r"/bukti/(?P<id>\d+)\.jpg")
_REPORT = re.compile(r"^api report (?P<id>\d+)$")


def _target_government(apps, entry) -> int | None:
    target = entry.target
    if entry.action.startswith("incident.") and (match := _INCIDENT.match(target)):
        government = apps.get_model("places", "LocalGovernment")
        return government.objects.filter(code=match["code"]).values_list("pk", flat=True).first()
    if entry.action == "wall.camera" and (match := _CAMERA.match(target)):
        camera = apps.get_model("cameras", "Camera")
        rows = camera.objects.filter(pk=match["id"])
        return rows.values_list("local_government_id", flat=True).first()
    if entry.action == "evidence" and (match := _EVIDENCE.search(target)):
        observation = apps.get_model("cameras", "Observation")
        rows = observation.objects.filter(pk=match["id"])
        return rows.values_list("camera__local_government_id", flat=True).first()
    if entry.action.startswith("complaint."):
        complaint = apps.get_model("complaints", "Complaint")
        rows = complaint.objects.filter(tracking_code=target)
        return rows.values_list("office__kecamatan__local_government_id", flat=True).first()
    if entry.action == "export" and (match := _REPORT.match(target)):
        report = apps.get_model("reports", "Report")
        rows = report.objects.filter(pk=match["id"])
        return rows.values_list("local_government_id", flat=True).first()
    return None


def fill_governments(apps, schema_editor) -> None:
    entry_model = apps.get_model("places", "AuditLogEntry")
    profile = apps.get_model("places", "StaffProfile")
    own = dict(profile.objects.values_list("user_id", "local_government_id"))
    for entry in entry_model.objects.filter(local_government__isnull=True).iterator():
        government_id = _target_government(apps, entry) or own.get(entry.user_id)
        if government_id is not None:
            entry_model.objects.filter(pk=entry.pk).update(local_government_id=government_id)


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0002_tables_named_places'),
        ('cameras', '0010_places_moved'),
        ('complaints', '0002_places_moved'),
        ('incidents', '0002_places_moved'),
        ('reports', '0004_places_moved'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditlogentry',
            name='local_government',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_log_entries', to='places.localgovernment', verbose_name='pemerintah daerah'),
        ),
        migrations.RunPython(fill_governments, migrations.RunPython.noop),
    ]
