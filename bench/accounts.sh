#!/usr/bin/env bash
# Sign-ups per second through the release server next to the raw argon2id hash rate of this
# machine, measured in the same run, and sign-in latency (p50, p99). Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

[ "${SKIP_BUILD:-}" = 1 ] || SQLX_OFFLINE=true cargo leptos build --release --split >&2
SQLX_OFFLINE=true cargo build --release -p server --example bench_accounts >&2

pg_start "$(pg_dir_for bench-postgres)" 54349
BENCH_PG_DIR=$PG_DIR
pg_admin -c "drop database if exists tenantry_bench with (force)"
pg_ensure_app_database tenantry_bench bench tenantry_bench
database="postgres://tenantry_bench:bench@127.0.0.1:$PG_PORT/tenantry_bench"

export_site_env
export LEPTOS_SITE_ADDR=127.0.0.1:3200 DATABASE_URL="$database" RUST_LOG=warn
"$ROOT/target/release/server" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; pg_stop "$BENCH_PG_DIR"' EXIT
for _ in $(seq 100); do curl -sf "http://$LEPTOS_SITE_ADDR/readyz" >/dev/null && break; sleep 0.2; done

"$ROOT/target/release/examples/bench_accounts" "http://$LEPTOS_SITE_ADDR" "$database"
