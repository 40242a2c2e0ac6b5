from django.db import migrations

from timeline.permissions import grant_curation_permissions


def extend_curation_groups(apps, schema_editor):
    # Curators review links and suggestions: view/add/change on the new matching models.
    grant_curation_permissions(apps, "sources")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_matching"),
    ]

    operations = [migrations.RunPython(extend_curation_groups, migrations.RunPython.noop)]
