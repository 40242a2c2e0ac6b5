"""Rebuild every live event's matching document and the term counts from scratch."""
from django.core.management.base import BaseCommand
from django.db import transaction

from sources.event_documents import rebuild_event_documents


class Command(BaseCommand):
    help = ("Rebuild the matching document of every live event and recount the terms (after bulk changes made "
            "without signals, such as update() or raw SQL; migration 0006 runs it).")

    def handle(self, **options):
        with transaction.atomic():
            count = rebuild_event_documents()
        self.stdout.write(f"matching documents rebuilt for {count} events")
