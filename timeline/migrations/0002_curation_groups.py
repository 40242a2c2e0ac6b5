from django.db import migrations

from timeline.permissions import grant_curation_permissions


def create_groups(apps, schema_editor):
    grant_curation_permissions(apps, "timeline")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
