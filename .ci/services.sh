#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on their standard local ports: use them when they do,
# start them when installed but stopped, install them from Debian's packages when absent.
# Prints the DATABASE_URL and CELERY_BROKER_URL to use as shell assignments.
set -euo pipefail

log() { echo "[services] $*" >&2; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq >&2; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c5 <&3 | grep -q PONG) 2>/dev/null; }

if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing PostgreSQL from Debian's packages"
    apt_install postgresql postgresql-client
  fi
  log "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start >&2 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { log "PostgreSQL did not start"; exit 1; }
fi
# Trust auth on this kind of machine; on a fresh Debian install the postgres role gets a password.
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  log "setting a password for the postgres role"
  $SUDO -u postgres psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >&2 2>/dev/null \
    || su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Redis from Debian's packages"
    apt_install redis-server
  fi
  log "starting Redis"
  mkdir -p /tmp/ci-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/ci-redis \
    --logfile /tmp/ci-redis/redis.log >&2
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { log "Redis did not start"; exit 1; }
fi
log "PostgreSQL and Redis answer on 127.0.0.1"
echo "export DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/timeline_ci"
echo "export CELERY_BROKER_URL=redis://127.0.0.1:6379/15"
