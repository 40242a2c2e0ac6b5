"""Recompute the copy-detection fingerprints of every stored report."""
from django.core.management.base import BaseCommand
from django.db import transaction

from sources.copy_detection import rebuild_fingerprints


class Command(BaseCommand):
    help = ("Recompute and store the fingerprints copy detection looks earlier reports up by, for every "
            "report (after a change of how they are made; migration 0005 runs it).")

    def handle(self, **options):
        with transaction.atomic():
            count = rebuild_fingerprints()
        self.stdout.write(f"fingerprints recomputed for {count} reports")
