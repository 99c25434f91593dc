#!/usr/bin/env bash
# Sign-ups per second through the release server next to the raw argon2id hash rate of this
# machine, measured in the same run, and sign-in latency (p50, p99). Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_accounts
database=$BENCH_DATABASE_URL

export_site_env
export LEPTOS_SITE_ADDR=127.0.0.1:3200 DATABASE_URL="$database" RUST_LOG=warn PAYMENTS=test
"$ROOT/target/release/server" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; pg_stop "$BENCH_PG_DIR"' EXIT
wait_ready "$LEPTOS_SITE_ADDR"

"$ROOT/target/release/examples/bench_accounts" "http://$LEPTOS_SITE_ADDR" "$database"
