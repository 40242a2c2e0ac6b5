"""Recompute every stored fingerprint: shingles are now hashed by tabulation over per-word
BLAKE2b values, and winnowed with a window of 8 (sources.matching.copies).

Fingerprints are an index derived from the reports' text by the live code, as a search index
is, so this calls it rather than a frozen copy: what matters is that stored values equal what
the running code computes for new reports. Reversing leaves them as they are (the earlier code
is gone); run `manage.py rebuild_fingerprints` after going back.
"""
from django.db import migrations


def recompute(apps, schema_editor):
    from sources.copy_detection import rebuild_fingerprints

    rebuild_fingerprints()


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0004_matching_permissions"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
