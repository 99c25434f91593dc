#!/usr/bin/env bash
# Sign-ups per second through the release server next to the raw argon2id hash rate of this
# machine, measured in the same run, and sign-in latency (p50, p99). Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_setup bench_accounts
database=$BENCH_DATABASE_URL

bench_servers 1

"$ROOT/target/release/examples/bench_accounts" http://127.0.0.1:3200 "$database"
