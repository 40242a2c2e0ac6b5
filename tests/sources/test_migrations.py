"""Data migrations run against stored data, not only against an empty database."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sources.ingest import ingest_feed_document
from sources.models import Feed, ReportFingerprint
from tests.sources.feeds import item, rss

BEFORE, AFTER = ("sources", "0004_matching_permissions"), ("sources", "0005_fingerprints_v2")


def migrate_to(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()


def migrate_to_latest():
    """Leave the schema as every other test expects it: all migrations applied, later ones too."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


@pytest.mark.django_db(transaction=True)  # SQLite alters its schema outside a transaction only
def test_migration_0005_recomputes_the_fingerprints_stored_by_the_earlier_scheme():
    feed = Feed.objects.create(url="https://news.example.org/feed")
    ingest_feed_document(feed, rss(
        item(1, title="CBP to extend face matching to cars leaving for Mexico and Canada",
             description="The border agency says outbound lanes will eventually get cameras that match every "
                         "passenger to passport and visa photos. A spokesperson gave no start date."),
        item(2, title="ICE pays Palantir $30 million for ImmigrationOS",
             description="Immigration and Customs Enforcement will pay the data analytics company to build a "
                         "system for targeting and enforcement prioritization.")), fetched_at=timezone.now())
    made = sorted(ReportFingerprint.objects.values_list("report_id", "value"))
    assert len({report for report, _ in made}) == 2
    try:
        migrate_to(BEFORE)
        # What the earlier scheme left: other values, and one report without any.
        ReportFingerprint.objects.filter(report_id=made[0][0]).update(value=-1)
        ReportFingerprint.objects.exclude(report_id=made[0][0]).delete()
        migrate_to(AFTER)
    finally:
        migrate_to(AFTER)
        kept = sorted(ReportFingerprint.objects.values_list("report_id", "value"))
        migrate_to_latest()
    assert kept == made


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("before, after", [
    (("sources", "0009_l18b_report_url_and_prose_fingerprints"),
     ("sources", "0010_l18c_date_reference_and_report_level_review")),
    (("sources", "0010_l18c_date_reference_and_report_level_review"),
     ("sources", "0011_l18d_late_change_and_propose_margin")),
], ids=["0010", "0011"])
def test_a_refit_migration_ships_the_refitted_model_unless_curators_have_fitted_their_own(before, after):
    import json
    from pathlib import Path

    from sources.models import MatcherModel

    shipped_file = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "matcher_model.json").read_text())
    parameters = {key: shipped_file[key] for key in
                  ("coefficients", "intercept", "means", "scales", "attach_threshold", "propose_threshold")}
    MatcherModel.objects.all().delete()  # the table as 0008 left it on a database from before the refit:
    shipped = MatcherModel.objects.create(parameters=dict(parameters, intercept=-1.0), is_active=True,
                                          fitted_by="shipped")
    try:
        migrate_to(before)
        migrate_to(after)
        versions = list(MatcherModel.objects.order_by("pk").values_list("fitted_by", "is_active", "parameters"))
        # Run again over a curator's own active fit: it stays in charge.
        migrate_to(before)
        MatcherModel.objects.exclude(pk=shipped.pk).delete()
        MatcherModel.objects.update(is_active=False)
        MatcherModel.objects.create(parameters=parameters, is_active=True, fitted_by="fit_matcher")
        migrate_to(after)
        curated = list(MatcherModel.objects.order_by("pk").values_list("fitted_by", "is_active"))
    finally:
        migrate_to_latest()
    assert [(by, active) for by, active, _ in versions] == [("shipped", False), ("shipped", True)]
    assert versions[0][2]["intercept"] == -1.0 and versions[1][2] == parameters
    assert curated == [("shipped", False), ("fit_matcher", True)]
