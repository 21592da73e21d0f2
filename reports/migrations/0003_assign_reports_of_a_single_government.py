from django.db import migrations


def assign_to_the_only_government(apps, schema_editor):
    """Reports stored before they were per government covered the whole deployment. Where the
    deployment has one government they are simply its reports; with several they stay
    unassigned (visible to superusers only), since each file mixes governments."""
    government = apps.get_model("compliance", "LocalGovernment")
    report = apps.get_model("reports", "Report")
    governments = list(government.objects.values_list("pk", flat=True)[:2])
    if len(governments) == 1:
        report.objects.filter(local_government__isnull=True).update(
            local_government_id=governments[0]
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_reports_per_government")]

    operations = [migrations.RunPython(assign_to_the_only_government, migrations.RunPython.noop)]
