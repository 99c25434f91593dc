#!/usr/bin/env bash
# Live presence across two release server processes on one private PostgreSQL: how soon a join
# or leave on one process reaches a meeting page open on the other, next to a plain request's
# round trip in the same run; and 50 simultaneous joins at the limit.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

[ "${SKIP_BUILD:-}" = 1 ] || SQLX_OFFLINE=true cargo leptos build --release --split >&2
SQLX_OFFLINE=true cargo build --release -p server --example bench_presence >&2

pg_start "$(pg_dir_for bench-postgres)" 54349
BENCH_PG_DIR=$PG_DIR
pg_admin -c "drop database if exists tenantry_bench with (force)"
pg_ensure_app_database tenantry_bench bench tenantry_bench
database="postgres://tenantry_bench:bench@127.0.0.1:$PG_PORT/tenantry_bench"

export_site_env
export DATABASE_URL="$database" RUST_LOG=warn
LEPTOS_SITE_ADDR=127.0.0.1:3200 "$ROOT/target/release/server" &
first=$!
second=""
trap 'kill $first $second 2>/dev/null; wait 2>/dev/null; pg_stop "$BENCH_PG_DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:3200/readyz" >/dev/null && break; sleep 0.2; done
LEPTOS_SITE_ADDR=127.0.0.1:3201 "$ROOT/target/release/server" &
second=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:3201/readyz" >/dev/null && break; sleep 0.2; done

"$ROOT/target/release/examples/bench_presence" http://127.0.0.1:3200 http://127.0.0.1:3201 "$database"
