import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cameras", "0004_place_office_cameras"), ("compliance", "0004_role_groups")]

    operations = [
        migrations.AlterField(
            model_name="camera",
            name="local_government",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cameras",
                to="compliance.localgovernment",
                verbose_name="pemerintah daerah",
            ),
        ),
        migrations.AddConstraint(
            model_name="camera",
            constraint=models.UniqueConstraint(
                condition=models.Q(("office__isnull", True)),
                fields=("local_government", "name"),
                name="camera_unique_place_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="camera",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "office"), ("office__isnull", False), ("is_public", False)),
                    models.Q(("kind", "public_area"), ("office__isnull", True)),
                    _connector="OR",
                ),
                name="camera_kind_matches_office",
            ),
        ),
        migrations.AddConstraint(
            model_name="camera",
            constraint=models.CheckConstraint(
                condition=models.Q(("crowd_packed_at__gt", models.F("crowd_busy_at"))),
                name="camera_crowd_levels_ordered",
            ),
        ),
    ]
