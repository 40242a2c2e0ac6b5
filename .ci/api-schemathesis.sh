#!/usr/bin/env bash
# Run Schemathesis against a live API on 127.0.0.1 (ephemeral port) serving the seed timeline
# from a fresh SQLite database: no response may be a 5xx, and every documented response must
# conform to the generated OpenAPI schema.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
export VAR_DIR="$work" DATABASE_URL="sqlite:///$work/api.sqlite3"
# Schemathesis sends thousands of requests: lift the anonymous throttle for this run only.
export API_ANON_RATE=1000000/minute API_USER_RATE=1000000/minute API_EXPORT_RATE=1000000/minute
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py loaddata seed_timeline -v0
.venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:0 --workers 2 --log-file "$work/gunicorn.log" \
  --pid "$work/gunicorn.pid" --daemon
stop() { [ -f "$work/gunicorn.pid" ] && kill "$(cat "$work/gunicorn.pid")" 2>/dev/null || true; }
trap stop EXIT
port=""
for _ in $(seq 1 50); do
  port=$(grep -oE 'Listening at: http://127\.0\.0\.1:[0-9]+' "$work/gunicorn.log" 2>/dev/null | grep -oE '[0-9]+$' | head -1 || true)
  [ -n "$port" ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/schema/" 2>/dev/null && break
  sleep 0.2
done
[ -n "$port" ] || { echo "gunicorn did not start:"; cat "$work/gunicorn.log"; exit 1; }
echo "API on 127.0.0.1:$port"
schema="http://127.0.0.1:$port/api/v1/schema/?format=json"
report_dir="${SCHEMATHESIS_REPORT_DIR:-artifacts/schemathesis}"
echo "--- as an anonymous reader (every operation)"
.venv/bin/schemathesis run "$schema" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" --seed 7 --workers 1 --no-color \
  --generation-database none --report junit --report-dir "$report_dir/anonymous"
echo "--- as a curator with a token (the writes: create, replace, edit)"
token=$(.venv/bin/python manage.py shell -c "
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
user = User.objects.create_user('schemathesis-curator', password='unused-pw-1', is_staff=True)
user.groups.add(Group.objects.get(name='Curators'))
print(Token.objects.create(user=user).key)
" 2>/dev/null | tail -1)
.venv/bin/schemathesis run "$schema" -H "Authorization: Token $token" --include-method POST \
  --include-method PUT --include-method PATCH \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" --seed 7 --workers 1 --no-color \
  --generation-database none --report junit --report-dir "$report_dir/curator"
