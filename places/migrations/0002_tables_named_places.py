"""The moved tables take the places_ names, and their content types follow them.

The tables are renamed, not copied: every row, id and foreign key stays (PostgreSQL keeps
constraints by table identity, SQLite >= 3.26 rewrites the references). The content types of
the moved models are relabelled in place, so their ids, and with them the permissions, the role
groups' grants and the admin log, stay as they were.
"""

from django.db import migrations

MOVED_MODELS = (
    "localgovernment",
    "kecamatan",
    "office",
    "openinghours",
    "specialperiod",
    "specialperiodhours",
    "holiday",
    "excuse",
    "staffprofile",
    "auditlogentry",
)


def _relabel(apps, schema_editor, old_label: str, new_label: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        old = content_type.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        # A row under the new label exists only if post_migrate ran between 0001 and this
        # migration; it is newer and empty of grants, so the old row (and its ids) wins.
        stale = content_type.objects.using(db).filter(app_label=new_label, model=model)
        permission.objects.using(db).filter(content_type__in=stale).delete()
        stale.delete()
        old.app_label = new_label
        old.save(update_fields=["app_label"])
    content_type.objects.clear_cache()


def content_types_to_places(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "compliance", "places")


def content_types_to_compliance(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, "places", "compliance")


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0001_initial'),
        ('compliance', '0007_places_moved_out'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='auditlogentry',
            new_name='places_audi_action_63c851_idx',
            old_name='compliance__action_4ed7fe_idx',
        ),
        migrations.AlterModelTable(
            name='auditlogentry',
            table=None,
        ),
        migrations.AlterModelTable(
            name='excuse',
            table=None,
        ),
        migrations.AlterModelTable(
            name='holiday',
            table=None,
        ),
        migrations.AlterModelTable(
            name='kecamatan',
            table=None,
        ),
        migrations.AlterModelTable(
            name='localgovernment',
            table=None,
        ),
        migrations.AlterModelTable(
            name='office',
            table=None,
        ),
        migrations.AlterModelTable(
            name='openinghours',
            table=None,
        ),
        migrations.AlterModelTable(
            name='specialperiod',
            table=None,
        ),
        migrations.AlterModelTable(
            name='specialperiodhours',
            table=None,
        ),
        migrations.AlterModelTable(
            name='staffprofile',
            table=None,
        ),
        migrations.RunPython(content_types_to_places, content_types_to_compliance),
    ]
