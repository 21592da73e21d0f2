from django.db import migrations

ROLE_GROUPS = ("Wali Kota", "Diskominfo", "Camat", "Auditor")


def create_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("compliance", "0003_staff_profiles_and_audit_log"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
