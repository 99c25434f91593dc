#!/usr/bin/env bash
# Sign-ups per second through the release server next to the raw argon2id hash rate of this
# machine, measured in the same run, and sign-in latency (p50, p99). Uses a private PostgreSQL.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

bench_example bench_accounts 1
