"""Index reports by canonical URL (the same article from another feed is the same report), and
recompute every stored fingerprint: copies are now compared over the whole article's prose
(sources.matching.copies, furniture.prose), no longer its first 250 words.

As in 0005_fingerprints_v2, the live code computes them: stored values must equal what the
running code computes for new reports. Reversing leaves them as they are; run
`manage.py rebuild_fingerprints` after going back.
"""
from django.db import migrations, models


def recompute(apps, schema_editor):
    from sources.copy_detection import rebuild_fingerprints

    rebuild_fingerprints()


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0008_l18_shipped_matcher_model"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["url"], name="report_url_idx"),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
