#!/usr/bin/env bash
# The people list at 100,000 members through the release server: p50/p95 of the first page, a
# search, a page deep in the list and a full CSV export, next to a plain indexed SELECT of one
# page in the same run. Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_people
database=$BENCH_DATABASE_URL

export_site_env
export LEPTOS_SITE_ADDR=127.0.0.1:3200 DATABASE_URL="$database" RUST_LOG=warn PAYMENTS=test
"$ROOT/target/release/server" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; pg_stop "$BENCH_PG_DIR"' EXIT
wait_ready "$LEPTOS_SITE_ADDR"

"$ROOT/target/release/examples/bench_people" "http://$LEPTOS_SITE_ADDR" "$database"
