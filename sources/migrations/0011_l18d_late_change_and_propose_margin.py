"""Ship the refitted starting model (fixtures/matcher_model.json): the learned matcher now also
weighs whether coverage long after an event reports a change (late_change), no longer weighs
similarity to the event's coverage apart from the hand-weighted score (text_coverage, whose
fitted weight was negative), and its propose threshold keeps a margin below the lowest right
report it must keep.

As in 0010: a database whose active version is still a shipped one gets the new one as a new
active version (the old one stays, to roll back to); a version fitted from curators' decisions
stays active; a fresh database already has it.
"""
from importlib import import_module

from django.db import migrations

ship_refitted_model = import_module("sources.migrations.0010_l18c_date_reference_and_report_level_review").ship_refitted_model


class Migration(migrations.Migration):
    dependencies = [("sources", "0010_l18c_date_reference_and_report_level_review")]
    operations = [migrations.RunPython(ship_refitted_model, migrations.RunPython.noop)]
