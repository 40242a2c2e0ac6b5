from django.core.management.base import BaseCommand, CommandError

from records.federal_register import RegisterQuery, queries_of_watch, sync_federal_register
from records.management.commands._sync import run_syncs, stored_watches
from records.models import RegisterWatch


class Command(BaseCommand):
    help = ("Sync Federal Register documents: every enabled watch, one (--watch ID), or a one-off search "
            "(--agency SLUG --term TEXT) that is not stored as a watch.")

    def add_arguments(self, parser):
        parser.add_argument("--watch", type=int, help="the id of one Federal Register watch")
        parser.add_argument("--agency", action="append", default=[], help="an agency slug (repeatable)")
        parser.add_argument("--term", default="", help="search term")

    def handle(self, *args, watch=None, agency=(), term="", **options):
        if agency or term:
            if watch is not None:
                raise CommandError("give either --watch or a one-off search, not both")
            runs = [(" ".join([*agency, term]).strip(), [RegisterQuery(tuple(agency), term)], None)]
        else:
            runs = [(str(w), queries_of_watch(w), w)
                    for w in stored_watches(RegisterWatch, watch, "Federal Register watch")]
        run_syncs(self, runs, sync_federal_register, unit="document")
