from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records.federal_register import RegisterQuery, queries_of_watch, sync_federal_register
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
            watches = RegisterWatch.objects.select_related("program")
            watches = watches.filter(pk=watch) if watch is not None else watches.filter(enabled=True)
            runs = [(str(w), queries_of_watch(w), w) for w in watches]
            if watch is not None and not runs:
                raise CommandError(f"no Federal Register watch with id {watch}")
        failed = False
        for label, queries, stored in runs:
            with tqdm(desc=label[:40], unit="document", file=self.stderr._out) as bar:
                result = sync_federal_register(queries, watch=stored, progress=bar.update)
            self.stdout.write(f"{label}: {result}")
            for problem in result.problems:
                self.stdout.write(f"  skipped: {problem}")
            failed = failed or result.outcome == "failed"
        if failed:
            raise CommandError("a sync failed (see above; the watch records it too)")
