"""Ship the refitted starting model (fixtures/matcher_model.json): the learned matcher now also
weighs whether later coverage points back to the event's dates (late_unreferenced), and picks
its propose threshold by reports rather than candidates.

A database whose active version is still the shipped one gets the new one as a new active
version (the old one stays, to roll back to); a version fitted from curators' decisions stays
active. A fresh database already has it as version 1 (0008 reads the same file), so nothing
is added twice.
"""
import json
from pathlib import Path

from django.db import migrations, models

SHIPPED = Path(__file__).resolve().parent.parent.parent / "fixtures" / "matcher_model.json"
PARAMETERS = ("coefficients", "intercept", "means", "scales", "attach_threshold", "propose_threshold")


def ship_refitted_model(apps, schema_editor):
    MatcherModel = apps.get_model("sources", "MatcherModel")
    shipped = json.loads(SHIPPED.read_text())
    parameters = {key: shipped[key] for key in PARAMETERS}
    active = MatcherModel.objects.filter(is_active=True).order_by("-pk").first()
    if active is None or active.fitted_by != "shipped" or active.parameters == parameters:
        return
    MatcherModel.objects.filter(is_active=True).update(is_active=False)
    MatcherModel.objects.create(
        parameters=parameters, is_active=True, fitted_by="shipped", examples=shipped["examples"],
        curator_decisions=0, target_precision=0.99, cv_precision=shipped["cv_precision"],
        cv_recall=shipped["cv_recall"], cv_review_recall=shipped["cv_review_recall"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0009_l18b_report_url_and_prose_fingerprints")]
    operations = [
        migrations.AlterField(
            model_name="matchermodel", name="cv_review_recall",
            field=models.FloatField(blank=True, help_text="Cross-validated share of reports with a right event that it at least proposes", null=True),
        ),
        migrations.RunPython(ship_refitted_model, migrations.RunPython.noop),
    ]
