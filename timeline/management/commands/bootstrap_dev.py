"""Prepare a development database: load the seed timeline if it is empty, add a dev admin."""
import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from timeline.models import Event
from timeline.permissions import EDITORS


class Command(BaseCommand):
    help = "Load the seed timeline into an empty database and create a development admin account."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("bootstrap_dev is for development only (DEBUG is off).")
        if not Event.objects.exists():
            call_command("loaddata", "seed_timeline", verbosity=0)
            self.stdout.write("Loaded the seed timeline.")
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            password = os.environ.get("DEV_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            user = User.objects.create_superuser("admin", "admin@example.invalid", password)
            user.groups.add(Group.objects.get(name=EDITORS))
            self.stdout.write(f"Created the development admin: user 'admin', password '{password}'")
        else:
            self.stdout.write("Admin account exists (python manage.py changepassword admin to reset it).")
