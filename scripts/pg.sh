#!/usr/bin/env bash
# Starts, stops or connects to the private PostgreSQL that scripts/run.sh uses.
#   scripts/pg.sh start|stop|psql|url
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=$(pg_dir_for postgres)
start() {
  pg_start "$dir" 54329
  pg_ensure_app_database tenantry "$(pg_app_password)" tenantry
}
case "${1:-}" in
  start) start; echo "running on port $PG_PORT" ;;
  stop) pg_stop "$dir" ;;
  psql) start; pg_admin -d tenantry ;;
  url) start; echo "postgres://tenantry:$(pg_app_password)@127.0.0.1:$PG_PORT/tenantry" ;;
  *) die "usage: scripts/pg.sh start|stop|psql|url" ;;
esac
