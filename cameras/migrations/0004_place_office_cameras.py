from django.db import migrations


def place_office_cameras(apps, schema_editor):
    """Existing cameras are office cameras: they take their government and kecamatan from it."""
    Camera = apps.get_model("cameras", "Camera")
    for camera in Camera.objects.select_related("office__kecamatan"):
        camera.kecamatan_id = camera.office.kecamatan_id
        camera.local_government_id = camera.office.kecamatan.local_government_id
        camera.save(update_fields=["kecamatan", "local_government"])


class Migration(migrations.Migration):
    # Separate from the schema changes around it: on PostgreSQL, updating rows and altering
    # their table in one transaction fails with pending trigger events.
    dependencies = [("cameras", "0003_public_area_cameras_and_stills")]

    operations = [
        migrations.RunPython(place_office_cameras, migrations.RunPython.noop),
    ]
