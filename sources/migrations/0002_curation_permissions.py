from django.db import migrations

from timeline.permissions import grant_curation_permissions


def extend_curation_groups(apps, schema_editor):
    grant_curation_permissions(apps, "sources")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_feeds_and_reports"),
        ("timeline", "0002_curation_groups"),
    ]

    operations = [migrations.RunPython(extend_curation_groups, migrations.RunPython.noop)]
