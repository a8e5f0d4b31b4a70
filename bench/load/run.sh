#!/usr/bin/env bash
# The load run: 200 simulated users across the three journeys (bench/load/locustfile.py)
# against gunicorn and PostgreSQL on loopback, bounded in time. Fails on any error and on
# any leak of another tenant's marker.
#
#   bench/load/run.sh            # 300 s (CI runs it with CI_LOAD_SECONDS=90)
#   LOAD_USERS=200 bench/load/run.sh 600
#
# Needs PostgreSQL on 127.0.0.1:5432; uses (and recreates) the database in LOAD_DATABASE_URL.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${1:-${CI_LOAD_SECONDS:-300}}"
users="${LOAD_USERS:-200}"
port="${LOAD_PORT:-8765}"
db_url="${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_load}"
work="$(mktemp -d)"
py=.venv/bin/python

export DATABASE_URL="$db_url" DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1 \
  SECRET_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  EMAIL_URL="dummymail://" MEDIA_ROOT="$work/media" LOAD_STATIC_ROOT="$work/static" \
  PYTHONPATH="bench/load${PYTHONPATH:+:$PYTHONPATH}" DJANGO_SETTINGS_MODULE=load_settings \
  LOAD_MARKER="${LOAD_MARKER:-zzloadleak}" CONN_MAX_AGE=60
unset REDIS_URL  # tasks (reports, e-mails) run in-process, as in the embedded default

echo "load: fresh database ${db_url##*/}"
"$py" - <<PY
import psycopg
from urllib.parse import urlparse
url = urlparse("$db_url")
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PY
"$py" manage.py migrate --noinput -v 0
"$py" manage.py seed_demo --force > "$work/seed.log"  # a throwaway database
"$py" manage.py shell -c "exec(open('bench/load/seed_marker.py').read())"
"$py" manage.py collectstatic --noinput -v 0

# Keep-alive outlasts a user's pause between clicks (up to 8 s): with gunicorn's default of
# 2 s the server closes idle connections just as the client reuses them (reset, status 0).
.venv/bin/gunicorn portal.wsgi -b "127.0.0.1:$port" --workers 3 --threads 4 \
  --timeout 60 --keep-alive 30 --error-logfile "$work/gunicorn.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 1
done

echo "load: $users users for ${duration}s"
set +e
.venv/bin/locust -f bench/load/locustfile.py --headless --only-summary \
  --users "$users" --spawn-rate "${LOAD_SPAWN_RATE:-5}" --run-time "${duration}s" --stop-timeout 10 \
  --host "http://127.0.0.1:$port" --exit-code-on-error 1 2>&1 | tail -n 60
code=${PIPESTATUS[0]}
set -e
if grep -q "Traceback" "$work/gunicorn.log"; then
  echo "load: the server logged errors:" >&2
  grep -B2 -A20 "Traceback" "$work/gunicorn.log" | head -80 >&2
  code=1
fi
if [ "$code" -ne 0 ]; then
  echo "load: the end of the server's log:" >&2
  tail -n 40 "$work/gunicorn.log" >&2
fi
echo "load: exit $code"
exit "$code"
