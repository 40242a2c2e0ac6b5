from django.core.management.base import BaseCommand, CommandError

from records.awards import sync_awards
from records.management.commands._sync import run_syncs, stored_watches
from records.models import AwardWatch
from records.usaspending import AwardQuery


class Command(BaseCommand):
    help = ("Sync USAspending awards: every enabled award watch, one (--watch ID), or a one-off search "
            "(--awarding-agency NAME --recipient TEXT) that is not stored as a watch.")

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=int, help="the id of one award watch (synced even when paused)")
        parser.add_argument("--awarding-agency", help="toptier agency as USAspending names it")
        parser.add_argument("--awarding-subagency", default="", help="subtier agency as USAspending names it")
        parser.add_argument("--recipient", help="recipient search text")
        parser.add_argument("--keyword", action="append", default=[], help="a keyword (repeatable)")

    def handle(self, *args, watch=None, awarding_agency=None, awarding_subagency="", recipient=None, keyword=(),
               **options):
        if awarding_agency or recipient:
            if watch is not None:
                raise CommandError("give either --watch or a one-off search, not both")
            if not (awarding_agency and recipient):
                raise CommandError("a one-off search needs both --awarding-agency and --recipient")
            runs = [(f"{awarding_agency} / {recipient}",
                     AwardQuery(awarding_agency, recipient, awarding_subagency, tuple(keyword)), None)]
        else:
            runs = [(str(w), AwardQuery.of_watch(w), w) for w in stored_watches(AwardWatch, watch, "award watch")]
        run_syncs(self, runs, sync_awards, unit="award")
