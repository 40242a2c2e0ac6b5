from django.db import migrations

from timeline.permissions import grant_curation_permissions


def extend_curation_groups(apps, schema_editor):
    # Curators edit watches and decide proposed award matches.
    grant_curation_permissions(apps, "records")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_r21_watches_and_awards"),
        ("timeline", "0002_curation_groups"),
    ]

    operations = [migrations.RunPython(extend_curation_groups, migrations.RunPython.noop)]
