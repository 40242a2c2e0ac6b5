#!/bin/sh
# The one-off release step (docker-compose service `release`): static files for nginx, migrations,
# and on request the seed timeline and the first admin. Safe to run on every deploy.
#   LOAD_SEED=1                          load fixtures/seed_timeline.json into an empty timeline
#   DJANGO_SUPERUSER_USERNAME, _EMAIL, _PASSWORD   create this admin unless the user exists
set -eu
python manage.py collectstatic --noinput -v0
python manage.py migrate --noinput
if [ "${LOAD_SEED:-0}" = "1" ]; then
  if python manage.py shell -c "import sys; from timeline.models import Event; sys.exit(1 if Event.objects.exists() else 0)"; then
    python manage.py loaddata seed_timeline
  else
    echo "the timeline already holds events: seed not loaded"
  fi
fi
if [ -n "${DJANGO_SUPERUSER_USERNAME:-}" ]; then
  if python manage.py shell -c "import os, sys; from django.contrib.auth import get_user_model; sys.exit(0 if get_user_model().objects.filter(username=os.environ['DJANGO_SUPERUSER_USERNAME']).exists() else 1)"; then
    echo "admin ${DJANGO_SUPERUSER_USERNAME} exists"
  else
    python manage.py createsuperuser --noinput
  fi
fi
