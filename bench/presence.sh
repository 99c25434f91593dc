#!/usr/bin/env bash
# Live presence across two release server processes on one private PostgreSQL: how soon a join
# or leave on one process reaches a meeting page open on the other, next to a plain request's
# round trip in the same run; and 50 simultaneous joins at the limit.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_presence
database=$BENCH_DATABASE_URL

export_site_env
# The benchmark's clients stand for many networks behind this machine as their proxy.
export DATABASE_URL="$database" RUST_LOG=warn PAYMENTS=test TRUSTED_PROXIES=127.0.0.1
LEPTOS_SITE_ADDR=127.0.0.1:3200 "$ROOT/target/release/server" &
first=$!
second=""
trap 'kill $first $second 2>/dev/null; wait 2>/dev/null; pg_stop "$BENCH_PG_DIR"' EXIT
wait_ready 127.0.0.1:3200
LEPTOS_SITE_ADDR=127.0.0.1:3201 "$ROOT/target/release/server" &
second=$!
wait_ready 127.0.0.1:3201

"$ROOT/target/release/examples/bench_presence" http://127.0.0.1:3200 http://127.0.0.1:3201 "$database"
