#!/usr/bin/env bash
# Live presence across two release server processes on one private PostgreSQL: how soon a join
# or leave on one process reaches a meeting page open on the other, next to a plain request's
# round trip in the same run; and 50 simultaneous joins at the limit.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

# The benchmark's clients stand for many networks behind this machine as their proxy.
export TRUSTED_PROXIES=127.0.0.1
bench_example bench_presence 2
