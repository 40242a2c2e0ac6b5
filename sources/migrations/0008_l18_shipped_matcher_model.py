"""Store the learned matcher's starting model (fixtures/matcher_model.json, fitted from the
development feeds' labelled candidates by fixtures/build_matcher_model.py) as version 1."""
import json
from pathlib import Path

from django.db import migrations

from timeline.permissions import grant_curation_permissions

SHIPPED = Path(__file__).resolve().parent.parent.parent / "fixtures" / "matcher_model.json"
PARAMETERS = ("coefficients", "intercept", "means", "scales", "attach_threshold", "propose_threshold")


def store_shipped_model(apps, schema_editor):
    MatcherModel = apps.get_model("sources", "MatcherModel")
    if MatcherModel.objects.exists():
        return
    shipped = json.loads(SHIPPED.read_text())
    MatcherModel.objects.create(
        parameters={key: shipped[key] for key in PARAMETERS}, is_active=True, fitted_by="shipped",
        examples=shipped["examples"], curator_decisions=0, target_precision=0.99,
        cv_precision=shipped["cv_precision"], cv_recall=shipped["cv_recall"],
        cv_review_recall=shipped["cv_review_recall"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0007_l18_matcher_models")]
    operations = [
        migrations.RunPython(store_shipped_model, migrations.RunPython.noop),
        # Curators see the model versions; editors roll back by making an earlier one active.
        migrations.RunPython(lambda apps, schema_editor: grant_curation_permissions(apps, "sources"),
                             migrations.RunPython.noop),
    ]
