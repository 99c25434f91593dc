#!/usr/bin/env bash
# The people list at 100,000 members through the release server: p50/p95 of the first page, a
# search, a page deep in the list and a full CSV export, next to a plain indexed SELECT of one
# page in the same run. Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_people
database=$BENCH_DATABASE_URL

bench_servers 1

"$ROOT/target/release/examples/bench_people" http://127.0.0.1:3200 "$database"
