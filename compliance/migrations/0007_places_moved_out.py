"""The tenancy and calendar models now live in places (state only: no table is touched here).

places.0001 declares them on their existing tables; the other apps' foreign keys are repointed
first (their *_places_moved migrations), then these models leave compliance's state.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = [
    # Models holding foreign keys to the others go first.
    "AuditLogEntry",
    "StaffProfile",
    "Excuse",
    "Holiday",
    "SpecialPeriodHours",
    "SpecialPeriod",
    "OpeningHours",
    "Office",
    "Kecamatan",
    "LocalGovernment",
]


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0006_tick_cursor_and_alert_outbox"),
        ("places", "0001_initial"),
        ("cameras", "0010_places_moved"),
        ("complaints", "0002_places_moved"),
        ("incidents", "0002_places_moved"),
        ("reports", "0004_places_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dailyverdict",
                    name="office",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="verdicts",
                        to="places.office",
                        verbose_name="kantor",
                    ),
                ),
                migrations.AlterField(
                    model_name="securityevent",
                    name="office",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="security_events",
                        to="places.office",
                        verbose_name="kantor",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="office",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to="places.office",
                        verbose_name="kantor",
                    ),
                ),
                *[migrations.DeleteModel(name=name) for name in MOVED],
            ],
            database_operations=[],
        ),
    ]
